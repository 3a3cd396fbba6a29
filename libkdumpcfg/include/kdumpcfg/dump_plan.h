#pragma once
// Where on the target a capture goes and the commands that put it there,
// following kdump-utils' capture scripts.

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "kdumpcfg/target.h"

namespace kdump::cfg {

/// "<host-ip>-<YYYY-MM-DD-HH:MM:SS>", kdump-utils' name for one capture's directory.
std::string dump_directory_name(std::string_view host_ip, const std::tm& local_time);

/// How one capture is saved.
struct DumpPlan {
  std::string directory;        // absolute on the target: <path>/<host-ip>-<date>
  std::string incomplete_name;  // what the collector writes: "vmcore-incomplete"
  std::string final_name;       // what it is renamed to when complete: "vmcore" or "vmcore.flat"
  /// The shell command lines kdump-utils would run, in order, with
  /// everything quoted for the shell that runs them (remote or local).
  std::vector<std::string> commands;
};

/// The plan for a target: file targets write vmcore-incomplete then rename
/// to vmcore; raw streams through dd to the device; ssh streams a flattened dump
/// through `dd` to vmcore.flat, or copies with scp when the collector is scp.
DumpPlan plan_dump(const ResolvedTarget& target, std::string_view host_ip, const std::tm& local_time,
                   std::string_view vmcore = "/proc/vmcore");

/// Quotes one word for a POSIX shell (single quotes, ' as '\'').
std::string shell_quote(std::string_view word);

}  // namespace kdump::cfg
