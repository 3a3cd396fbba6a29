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
  std::string directory;        // absolute on the target: <path>/<host-ip>-<date>; empty for raw
  std::string incomplete_name;  // what the collector writes: "vmcore-incomplete"; empty for raw
  std::string final_name;       // what it is renamed to when complete: "vmcore" or "vmcore.flat"; empty for raw
  /// The shell command lines kdump-utils would run, in order, with
  /// everything quoted for the shell that runs them (remote or local). Each
  /// line must succeed for the capture to succeed; the vmcore-dmesg line
  /// ends in "|| true" because kdump-utils carries on without the log.
  std::vector<std::string> commands;
};

/// What the commands are run with.
struct PlanOptions {
  std::string vmcore = "/proc/vmcore";
  std::string dmesg_collector = "vmcore-dmesg";
  /// fs and nfs: where the target's filesystem (its top, which `path` is
  /// relative to, not mount_root) is mounted when the commands run;
  /// empty: the place kdump-utils mounts it (capture_mount_point).
  std::string mount_point;
};

/// Where kdump-utils' capture kernel mounts a file target: /sysroot if it
/// is mounted on / now, /kdumproot/<mount point> if mounted elsewhere,
/// /kdumproot if not mounted (kdump-lib.sh, get_kdump_mntpoint_from_target).
std::string capture_mount_point(const ResolvedTarget& target);

/// The plan for a target: file targets write vmcore-incomplete then rename
/// to vmcore; raw streams through dd to the device; ssh streams a flattened dump
/// through `dd` to vmcore.flat, or copies with scp when the collector is scp.
DumpPlan plan_dump(const ResolvedTarget& target, std::string_view host_ip, const std::tm& local_time,
                   const PlanOptions& options = {});

/// Quotes one word for a POSIX shell: unchanged if it holds only characters
/// no shell treats specially ([A-Za-z0-9_@%+=:,./-]), else in single quotes with ' as '\''.
std::string shell_quote(std::string_view word);

}  // namespace kdump::cfg
