#pragma once
// One authenticated ssh connection to the dump target, made with libssh.
// The host key is always checked against a known_hosts file and never
// accepted blindly; OpenSSH client settings come from our own reading of an
// ssh_config file (transport/ssh_config.h), not from libssh's.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

struct ssh_session_struct;

namespace kdump {

/// The one error type of the ssh transport; code() is io_error unless said otherwise.
class SshError : public std::system_error {
 public:
  explicit SshError(const std::string& message, std::errc code = std::errc::io_error)
      : std::system_error(std::make_error_code(code), message) {}
};

/// Where to connect; empty fields are filled from the ssh_config file, then from defaults.
struct SshEndpoint {
  std::string host;           ///< as in kdump.conf's "ssh user@host"; Host patterns match it
  std::string user;           ///< empty: the config's User, else the local user
  int port = 0;               ///< 0: the config's Port, else 22
  std::string identity_file;  ///< kdump.conf's sshkey; empty: the config's IdentityFile
  std::string known_hosts;    ///< empty: the config's UserKnownHostsFile, else ~/.ssh/known_hosts
  std::string config_file;    ///< as ssh -F; empty: ~/.ssh/config, then /etc/ssh/ssh_config (first value wins)
  int timeout_seconds = 30;   ///< how long connecting, or a write, may see no progress
};

/// What a remote command did.
struct RemoteResult {
  int exit_status = -1;  ///< -1 if the server did not say
  std::string output;    ///< its stdout
  std::string errors;    ///< its stderr
};

/// A connected, verified, authenticated session; throws SshError from the constructor.
class SshSession {
 public:
  explicit SshSession(const SshEndpoint& endpoint);
  ~SshSession();
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;

  /// "user@host:port" as actually connected, for messages.
  const std::string& target() const { return target_; }
  /// SshEndpoint::timeout_seconds, for transports that wait on the server.
  int timeout_seconds() const { return timeout_seconds_; }
  /// The libssh handle, for the SFTP and exec transports.
  ssh_session_struct* handle() { return session_; }
  /// While one is alive, a call that makes no progress for timeout_seconds() gets its
  /// connection shut down (libssh 0.10's SFTP calls would otherwise wait forever on a hung server).
  class StallGuard {
   public:
    explicit StallGuard(SshSession& session);
    ~StallGuard();
    StallGuard(const StallGuard&) = delete;
    StallGuard& operator=(const StallGuard&) = delete;

   private:
    SshSession& session_;
  };
  /// True once a StallGuard has shut the connection down.
  bool stalled() const;

  /// Runs `command` (a shell command line) and collects its output and exit status.
  RemoteResult run(std::string_view command);
  /// Runs `command` and throws SshError naming `what` unless it exits 0.
  void run_checked(std::string_view command, std::string_view what);

 private:
  ssh_session_struct* session_ = nullptr;
  void watch();

  std::string target_;
  int timeout_seconds_ = 30;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::thread watchdog_;  // started by the first StallGuard
  bool armed_ = false;
  bool stopping_ = false;
  bool stalled_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

/// Creates `dir` and its parents on the remote side (mode 0700 for those it makes).
void remote_make_directory(SshSession& session, std::string_view dir);
/// Renames `from` to `to` remotely; fails rather than replace an existing `to`.
void remote_rename(SshSession& session, std::string_view from, std::string_view to);

}  // namespace kdump
