#pragma once
// An ssh dump target ("ssh user@host" in kdump.conf), reached with libssh
// (transport/ssh_session.h): files written at offsets go over SFTP (the scp
// collector's mode: modern scp is SFTP), sequential files stream into a
// remote `dd`, as kdump-utils pipes `makedumpfile -F` into ssh.

#include <memory>
#include <optional>
#include <string>

#include "capture/destination.h"
#include "kdumpcfg/target.h"
#include "transport/ssh_session.h"

namespace kdump::capture {

/// The session settings for `target` (user, host, sshkey; kdump.conf's
/// default port 22 leaves the ssh_config file's Port in effect).
SshEndpoint ssh_endpoint_for(const cfg::ResolvedTarget& target, const std::string& ssh_config, int timeout_seconds);

class SshDestination final : public Destination {
 public:
  /// Connects, verifies the host key, authenticates; throws SshError
  /// (permission_denied for an unknown host key or a refused key).
  explicit SshDestination(const SshEndpoint& endpoint);

  std::string describe() const override { return "ssh " + session_.target(); }
  /// The source address of the ssh connection.
  std::optional<std::string> local_address() const override { return address_; }
  void create_directory(const std::string& dir, bool reuse) override;
  /// From the remote `df -P -k` (run by create_directory for its directory, else now);
  /// nullopt if it fails or says something unreadable.
  std::optional<std::uint64_t> available_bytes(const std::string& dir) override;
  /// An SftpSink writing dir/name-incomplete.
  std::unique_ptr<ByteSink> create_file(const std::string& dir, const std::string& name) override;
  /// A remote `dd` into dir/temporary, once dir/name proved absent (else EEXIST);
  /// commit() checks its exit status and renames.
  std::unique_ptr<StreamFile> create_stream(const std::string& dir, const std::string& temporary,
                                            const std::string& name) override;
  void remove_partial(const std::string& dir, const std::string& name) override;

 private:
  SshSession session_;
  std::optional<std::string> address_;  // read once from the connected socket
  struct FreeSpace {
    std::string dir;
    std::optional<std::uint64_t> bytes;
  };
  std::optional<FreeSpace> free_space_;  // df's answer from the last create_directory
};

/// The available bytes in `df -P -k` output (its last line's Available column,
/// in KiB); nullopt if the text is not df's.
std::optional<std::uint64_t> parse_df_available(const std::string& df_output);

}  // namespace kdump::capture
