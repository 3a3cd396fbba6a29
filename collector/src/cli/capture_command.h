#pragma once
// `kdump-collector capture`: from kdump.conf to a saved dump. Reads and
// resolves the configuration the way kdumpctl does, chooses how the dump is
// taken (in-process for makedumpfile-style core_collector lines), and runs
// the capture flow with real or printed actions.

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/dump_command.h"

namespace kdump::cli {

/// The subcommand's options.
struct CaptureCommand {
  std::string config = "/etc/kdump.conf";
  std::string vmcore = "/proc/vmcore";
  std::string ssh_config;         ///< as ssh -F
  bool simulate_actions = false;  ///< print "action: NAME" instead of acting
  std::string hooks_dir = "/etc/kdump";
  unsigned hook_timeout_seconds = 300;
  std::string rootfs;  ///< empty: /sysroot if it is a directory (dracut mounts the root there), else /
  std::string mountinfo = "/proc/self/mountinfo";
  unsigned attempts = 3;
  unsigned retry_delay_seconds = 5;
  unsigned timeout_seconds = 30;  ///< a target making no progress for this long has failed
  std::uint16_t nfs_port = 0;        ///< nfs: the server's NFS port; 0 asks its portmapper
  std::uint16_t nfs_mount_port = 0;  ///< nfs: the server's MOUNT port; 0 asks its portmapper
  std::string mount_base = "/run/kdump-collector";  ///< fs targets not mounted are mounted below it
};

/// Parses a makedumpfile-style argument list (without the program name) into a DumpCommand.
using CollectorParser = std::function<DumpCommand(const std::vector<std::string>& args)>;

/// Runs the capture. `out` gets the printed actions, `log` everything else.
/// Returns 0 when the dump was saved, 1 when not, 2 for an unusable configuration.
int run_capture_command(const CaptureCommand& command, const CollectorParser& parse_collector, std::ostream& out,
                        std::ostream& log);

}  // namespace kdump::cli
