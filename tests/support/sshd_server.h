#pragma once
// A real OpenSSH sshd for tests: listens on 127.0.0.1 only, on a free high
// port, with a temporary host key, a temporary authorized_keys for root and
// a known_hosts file that trusts it. Everything lives in one temporary
// directory, removed when the server goes away.

#include <string>

#include "transport/ssh_session.h"

namespace kdump::test {

/// A running sshd; the constructor throws std::runtime_error if it cannot start one.
class SshdServer {
 public:
  /// Empty if a server can be started here, else why not (for a skip message).
  static std::string why_unavailable();

  SshdServer();
  ~SshdServer();  ///< stops the server and its sessions, removes the directory
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  int port() const { return port_; }
  /// The temporary directory; remote writes in tests go below it.
  const std::string& dir() const { return dir_; }
  /// A key in authorized_keys, one that is not, the known_hosts file, an empty ssh_config.
  std::string client_key() const { return dir_ + "/client_key"; }
  std::string stranger_key() const { return dir_ + "/stranger_key"; }
  std::string known_hosts() const { return dir_ + "/known_hosts"; }
  std::string empty_config() const { return dir_ + "/empty_ssh_config"; }
  /// root@127.0.0.1:port with the client key, the known_hosts file and the empty config.
  SshEndpoint endpoint() const;
  /// SIGKILLs sshd and every process below it (the sessions), then reaps sshd.
  void kill_all();
  /// SIGSTOPs sshd and its sessions: a server that hangs without closing connections.
  void freeze();

 private:
  std::string dir_;
  int port_ = 0;
  int pid_ = -1;
};

}  // namespace kdump::test
