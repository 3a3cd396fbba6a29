#pragma once
// From configuration to a concrete dump target: which device, server or host,
// and the dump path relative to that target's root.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdumpcfg/config.h"
#include "kdumpcfg/diagnostic.h"
#include "kdumpcfg/system.h"

namespace kdump::cfg {

/// The target kinds as `kdumpctl show-target` names them.
enum class ResolvedKind { kRaw, kFilesystem, kNfs, kSsh };

/// "raw", "fs", "nfs", "ssh".
std::string_view resolved_kind_name(ResolvedKind kind);

/// A dump target with everything a collector needs to reach it.
struct ResolvedTarget {
  ResolvedKind kind = ResolvedKind::kFilesystem;
  std::string device;       // raw and fs: the device as configured or found (/dev/..., UUID=..., LABEL=..., virtiofs tag)
  std::string fstype;       // fs: ext4, xfs, virtiofs, ...; nfs: "nfs" or "nfs4"
  std::string server;       // nfs
  std::string export_path;  // nfs
  std::string user;         // ssh
  std::string host;         // ssh
  int port = 0;             // ssh (22 unless configured otherwise)
  std::string sshkey;       // ssh: the identity file (config.sshkey)
  std::string path;         // dump path relative to the target's root, absolute form ("/crash")
  std::string mount_point;  // fs and nfs: where it is mounted on this machine now, if it is
  std::string mount_root;   // the directory of the target mounted at mount_point ("/"; "/@" for a btrfs subvolume)
  std::string core_collector;  // the effective collector command for this target
  bool operator==(const ResolvedTarget&) const = default;
};

/// The target and what resolution had to say (a device absent from this
/// machine is a warning: the configuration can be inspected anywhere).
struct ResolveResult {
  ResolvedTarget target;
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return !has_errors(diagnostics); }
};

/// Resolves the configured target, or, with none configured, the mount that
/// holds `path` (longest mount point). `config_file` names the file in diagnostics.
ResolveResult resolve_target(const Config& config, System& system, const std::string& config_file);

/// The mount entry through which `path` is reached: the longest mount point
/// holding it among the mounts not hidden by an overmount (the last one on a tie), if any.
std::optional<MountEntry> mount_containing(const std::vector<MountEntry>& mounts, const std::string& path);

/// `path` lexically cleaned: "//a/./b/../c/" -> "/a/c"; ".." never climbs above "/";
/// a relative path stays relative ("a/../../b" -> "../b"), "" becomes ".".
std::string normalize_path(std::string_view path);

/// Parses /proc/self/mountinfo text. Malformed lines are reported and skipped.
struct MountinfoParse {
  std::vector<MountEntry> entries;
  std::vector<Diagnostic> diagnostics;
};
MountinfoParse parse_mountinfo(std::string_view text, std::string_view file);

}  // namespace kdump::cfg
