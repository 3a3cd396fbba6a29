#pragma once
// From a resolved kdump.conf target to a connected Destination.

#include <cstdint>
#include <memory>
#include <string>

#include "capture/destination.h"
#include "kdumpcfg/target.h"

namespace kdump::capture {

/// What reaching a target needs beyond kdump.conf.
struct DestinationOptions {
  std::string ssh_config;   ///< as ssh -F; empty: ~/.ssh/config, then /etc/ssh/ssh_config
  int timeout_seconds = 30;  ///< connecting, or a transfer making no progress
  /// fs targets that are not mounted are mounted under this directory.
  std::string mount_base = "/run/kdump-collector";
  /// nfs: the server's NFS and MOUNT ports; 0 asks its portmapper (rpcbind), as mount.nfs does.
  std::uint16_t nfs_port = 0;
  std::uint16_t nfs_mount_port = 0;
};

/// Connects (or mounts) the target; throws std::system_error naming the target and the cause.
std::unique_ptr<Destination> open_destination(const cfg::ResolvedTarget& target, const DestinationOptions& options);

/// The dump path as seen from the target's top: `target.path` for raw, nfs
/// and ssh; for a mounted file system, the path below what is mounted
/// (target.path without its mount_root, "/@/var/crash" -> "/var/crash").
std::string path_on_destination(const cfg::ResolvedTarget& target);

}  // namespace kdump::capture
