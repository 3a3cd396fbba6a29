#pragma once
// An NFS export as a dump target, reached through libnfs (NFSv3 in user
// space): the capture kernel needs no nfs.ko, no mount.nfs and no mount
// point, and every call is bounded by the target's timeout, so a server that
// goes away is an error, never a hang. Paths are relative to the export's
// root ("/var/crash/10.0.0.5-2026-..."). Errors are NfsError, naming
// "server:/export" and the cause.

#include <memory>
#include <string>

#include "capture/destination.h"
#include "capture/open_destination.h"
#include "kdumpcfg/target.h"
#include "transport/nfs_client.h"

namespace kdump::capture {

/// A mounted export (mounted in user space by the constructor, not by the kernel).
class NfsDestination final : public Destination {
 public:
  /// Connects and mounts; throws NfsError ("export not found", "server not reachable", ...).
  explicit NfsDestination(NfsTarget target);

  /// "nfs server:/export".
  std::string describe() const override;
  /// The source address of the NFS connection.
  std::optional<std::string> local_address() const override;
  /// Walks `dir` from the export's root with LOOKUPs that do not follow a
  /// symbolic link (refused with ELOOP), creating missing directories 0700.
  void create_directory(const std::string& dir, bool reuse) override;
  /// FSSTAT: what the server lets this client still write.
  std::optional<std::uint64_t> available_bytes(const std::string& dir) override;
  /// An NfsSink: exclusive CREATE of name-incomplete (0600), renamed by finish().
  std::unique_ptr<ByteSink> create_file(const std::string& dir, const std::string& name) override;
  /// Written in order through a buffer; commit() is COMMIT, then a rename that never replaces.
  std::unique_ptr<StreamFile> create_stream(const std::string& dir, const std::string& temporary,
                                            const std::string& name) override;
  void remove_partial(const std::string& dir, const std::string& name) override;

 private:
  NfsClient client_;
};

/// The NfsTarget of a resolved nfs target (timeout and ports from `options`).
NfsTarget nfs_target_of(const cfg::ResolvedTarget& target, const DestinationOptions& options);

/// The destination for a resolved nfs target: the kernel's mount of the
/// export where this machine has one (what the administrator set up: NFSv4,
/// Kerberos, mount options), else an NfsDestination. Throws std::system_error.
std::unique_ptr<Destination> open_nfs_destination(const cfg::ResolvedTarget& target,
                                                   const DestinationOptions& options);

}  // namespace kdump::capture
