#pragma once
// kdump.conf as values: what the file says, and the effective configuration
// once kdump-utils' defaults and rewrites are applied.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdumpcfg/diagnostic.h"

namespace kdump::cfg {

/// The kind of dump target a directive names.
enum class TargetKind {
  kRaw,         // raw <device>
  kFilesystem,  // ext2|ext3|ext4|xfs|btrfs|minix <device|UUID=|LABEL=>
  kVirtiofs,    // virtiofs <tag>
  kNfs,         // nfs <host:/export>
  kSsh,         // ssh <user@host>
};

/// A dump target exactly as written in kdump.conf.
struct ConfiguredTarget {
  TargetKind kind = TargetKind::kRaw;
  std::string directive;  // "ext4", "nfs", ...: the fstype for file targets
  std::string value;      // device spec, virtiofs tag, host:/export or user@host
  int line = 0;

  bool operator==(const ConfiguredTarget&) const = default;
};

/// failure_action / final_action values.
enum class Action { kReboot, kHalt, kPoweroff, kShell, kDumpToRootfs };

/// "reboot", "halt", "poweroff", "shell", "dump_to_rootfs".
std::string_view action_name(Action action);
/// The action for a name, if it is one.
std::optional<Action> parse_action(std::string_view name);

/// The ssh target's parts: user@host with an optional bracketed IPv6 literal.
struct SshDestination {
  std::string user;
  std::string host;  // without brackets
  bool operator==(const SshDestination&) const = default;
};

/// The effective configuration, with kdump-utils' defaults applied.
struct Config {
  std::optional<ConfiguredTarget> target;  // absent: resolved from `path` through the mounts
  std::string path = "/var/crash";
  std::string sshkey = "/root/.ssh/kdump_id_rsa";
  std::string core_collector;       // effective, after per-target rewrites
  bool core_collector_set = false;  // true if the file named one
  std::string core_collector_configured;          // as the file wrote it ("" if not set)
  std::vector<std::string> core_collector_notes;  // each rewrite of the configured command, also a warning
  std::string kdump_pre;
  std::string kdump_post;
  std::string kdump_emergency;
  std::vector<std::string> extra_bins;
  std::vector<std::string> extra_modules;
  Action failure_action = Action::kReboot;
  Action final_action = Action::kReboot;
  bool force_rebuild = false;
  bool force_no_rebuild = false;
  std::string dracut_args;
  std::string fence_kdump_args;
  std::vector<std::string> fence_kdump_nodes;
  bool auto_reset_crashkernel = true;  // kdump-utils: "The default value is yes"
  // Directive name -> the line that set it; a directive absent here has its
  // default. A target is keyed by its directive ("ssh", "ext4"), and the old
  // `default` by "failure_action".
  std::map<std::string, int, std::less<>> directive_lines;
};

/// What parsing a kdump.conf produced: the configuration (meaningful when
/// there are no errors) and every diagnostic, errors and warnings, in line order.
struct ParseResult {
  Config config;
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return !has_errors(diagnostics); }
};

/// Parses kdump.conf text. `file` names the file in diagnostics. Never throws
/// on bad input; never touches the file system.
ParseResult parse_config(std::string_view text, std::string_view file);

/// Splits an ssh target value; nullopt if it lacks "user@" or a host.
std::optional<SshDestination> parse_ssh_destination(std::string_view value);

/// A core collector command after kdump-utils' capture-time rewrite, and what changed.
struct CollectorRewrite {
  std::string command;
  std::vector<std::string> notes;  // "core_collector: added -F (...)", one per change
  bool operator==(const CollectorRewrite&) const = default;
};

/// Applies kdump-utils' rewrite to a makedumpfile or kdump-collector command:
/// -F only for raw and ssh targets, and --num-threads=<cpus> when cpus > 1 and
/// the output is neither flattened (-F) nor ELF (-E). Other commands pass unchanged.
/// parse_config uses cpus = 1; the capture step calls it again with the CPUs it has.
CollectorRewrite rewrite_core_collector(std::string_view command, std::optional<TargetKind> kind,
                                        unsigned cpus);

/// A command line split at blanks, as kdump-utils' scripts split core_collector (no quoting).
std::vector<std::string> split_command_words(std::string_view command);

/// True if `program` (a path or a name) is makedumpfile or kdump-collector,
/// whose options the collector takes in-process.
bool is_makedumpfile_like(std::string_view program);

/// The core collector kdump-utils uses when none is configured, for a target kind
/// (nullopt: no explicit target, a local file system).
std::string default_core_collector(std::optional<TargetKind> kind);

}  // namespace kdump::cfg
