#include "transport/ssh_session.h"

// Settings are resolved in the order OpenSSH uses: what the caller gives
// (kdump.conf's user@host and sshkey, like ssh's command line) wins over the
// config file, whose first value wins; then defaults. libssh's own config
// processing is off (SSH_OPTIONS_PROCESS_CONFIG) so nothing else applies.
// The host key must be in the known_hosts file: an unknown or changed key is
// refused whatever StrictHostKeyChecking says, because a crash dump is
// sensitive and there is nobody at a capture kernel's console to ask. The
// same file serves as the global known_hosts so that one file decides.

#include <libssh/libssh.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "kdumpcfg/dump_plan.h"
#include "transport/ssh_config.h"

namespace kdump {
namespace {

std::string home_directory() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_dir;
  return "/";
}

std::string local_user() {
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "root";
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The config files to read, most specific first (ssh -F replaces both).
std::vector<std::string> config_files(const SshEndpoint& endpoint, const std::string& home) {
  if (!endpoint.config_file.empty()) return {endpoint.config_file};
  return {home + "/.ssh/config", "/etc/ssh/ssh_config"};
}

SshConfigValues read_config(const SshEndpoint& endpoint, const std::string& home) {
  SshConfigValues merged;
  for (const auto& path : config_files(endpoint, home)) {
    auto text = read_text(path);
    if (!text) {
      if (!endpoint.config_file.empty()) throw SshError("cannot read the ssh config file " + path, std::errc::no_such_file_or_directory);
      continue;
    }
    auto values = resolve_ssh_config(*text, endpoint.host, path, home);
    if (!values.errors.empty()) throw SshError(values.errors.front(), std::errc::invalid_argument);
    auto fill = [](auto& slot, const auto& value) {
      if (!slot) slot = value;
    };
    fill(merged.hostname, values.hostname);
    fill(merged.user, values.user);
    fill(merged.port, values.port);
    fill(merged.identity_file, values.identity_file);
    fill(merged.known_hosts_file, values.known_hosts_file);
    fill(merged.strict_host_key_checking, values.strict_host_key_checking);
  }
  return merged;
}

struct KeyDeleter {
  void operator()(ssh_key key) const { ssh_key_free(key); }
};

struct ChannelCloser {
  void operator()(ssh_channel channel) const {
    ssh_channel_close(channel);
    ssh_channel_free(channel);
  }
};

}  // namespace

SshSession::SshSession(const SshEndpoint& endpoint) {
  if (endpoint.host.empty()) throw SshError("ssh: no host given", std::errc::invalid_argument);
  const auto home = home_directory();
  const auto config = read_config(endpoint, home);

  const auto host = config.hostname.value_or(endpoint.host);
  const auto user = !endpoint.user.empty() ? endpoint.user : config.user.value_or(local_user());
  const int port = endpoint.port != 0 ? endpoint.port : config.port.value_or(22);
  const auto key_file = !endpoint.identity_file.empty() ? endpoint.identity_file
                                                         : config.identity_file.value_or(home + "/.ssh/id_rsa");
  const auto known_hosts = !endpoint.known_hosts.empty()
                               ? endpoint.known_hosts
                               : config.known_hosts_file.value_or(home + "/.ssh/known_hosts");
  target_ = user + "@" + host + ":" + std::to_string(port);
  timeout_seconds_ = endpoint.timeout_seconds;
  const auto prefix = "ssh " + target_ + ": ";

  std::unique_ptr<ssh_key_struct, KeyDeleter> key;
  {
    ssh_key raw = nullptr;
    if (ssh_pki_import_privkey_file(key_file.c_str(), nullptr, nullptr, nullptr, &raw) != SSH_OK)
      throw SshError(prefix + "cannot read the private key " + key_file + " (sshkey in kdump.conf)",
                     std::errc::no_such_file_or_directory);
    key.reset(raw);
  }

  session_ = ssh_new();
  if (!session_) throw SshError(prefix + "cannot create a libssh session", std::errc::not_enough_memory);
  const int yes = 1;
  const int no = 0;
  const long timeout = endpoint.timeout_seconds;
  const unsigned port_value = static_cast<unsigned>(port);
  const struct {
    ssh_options_e option;
    const void* value;
  } options[] = {
      {SSH_OPTIONS_PROCESS_CONFIG, &no},
      {SSH_OPTIONS_HOST, host.c_str()},
      {SSH_OPTIONS_PORT, &port_value},
      {SSH_OPTIONS_USER, user.c_str()},
      {SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str()},
      {SSH_OPTIONS_GLOBAL_KNOWNHOSTS, known_hosts.c_str()},
      {SSH_OPTIONS_NODELAY, &yes},
      {SSH_OPTIONS_TIMEOUT, &timeout},
  };
  for (const auto& option : options) {
    if (ssh_options_set(session_, option.option, option.value) != SSH_OK) {
      std::string message = prefix + "bad option: " + ssh_get_error(session_);
      ssh_free(session_);
      throw SshError(message, std::errc::invalid_argument);
    }
  }

  auto fail = [&](const std::string& message, std::errc code = std::errc::io_error) {
    ssh_disconnect(session_);
    ssh_free(session_);
    session_ = nullptr;
    throw SshError(prefix + message, code);
  };

  if (ssh_connect(session_) != SSH_OK)
    fail(std::string("cannot connect: ") + ssh_get_error(session_), std::errc::connection_refused);

  const std::string never_accepted =
      config.strict_host_key_checking && *config.strict_host_key_checking != "yes"
          ? " (StrictHostKeyChecking " + *config.strict_host_key_checking + " is not honoured: the collector never "
                "accepts an unverified host key)"
          : "";
  switch (ssh_session_is_known_server(session_)) {
    case SSH_KNOWN_HOSTS_OK:
      break;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      fail("the host key of " + host + " does not match the one in " + known_hosts +
               "; refusing to connect (the key changed, or someone is in between)",
           std::errc::permission_denied);
      break;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      fail("the host key of " + host + " is not in " + known_hosts +
               "; refusing to connect (add it, e.g. with ssh-keyscan after checking it)" + never_accepted,
           std::errc::permission_denied);
      break;
    default:
      fail("cannot check the host key against " + known_hosts + ": " + ssh_get_error(session_));
  }

  switch (ssh_userauth_publickey(session_, nullptr, key.get())) {
    case SSH_AUTH_SUCCESS:
      break;
    case SSH_AUTH_DENIED:
    case SSH_AUTH_PARTIAL:
      fail("the server refused the key " + key_file + " for user " + user, std::errc::permission_denied);
      break;
    default:
      fail(std::string("authentication failed: ") + ssh_get_error(session_));
  }
}

SshSession::~SshSession() {
  if (watchdog_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    watchdog_.join();
  }
  if (!session_) return;
  ssh_disconnect(session_);
  ssh_free(session_);
}

SshSession::StallGuard::StallGuard(SshSession& session) : session_(session) {
  std::lock_guard lock(session_.mutex_);
  // The thread outlives this guard: it must hold the session, not the guard.
  if (!session_.watchdog_.joinable()) session_.watchdog_ = std::thread([owner = &session_] { owner->watch(); });
  session_.armed_ = true;
  session_.deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(session_.timeout_seconds_);
  session_.wake_.notify_all();
}

SshSession::StallGuard::~StallGuard() {
  std::lock_guard lock(session_.mutex_);
  session_.armed_ = false;
}

bool SshSession::stalled() const {
  std::lock_guard lock(mutex_);
  return stalled_;
}

// The watchdog thread: shutting the socket down makes libssh's blocked poll
// return with an error in the thread that waits, which then reports it.
void SshSession::watch() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!armed_) {
      wake_.wait(lock);
      continue;
    }
    if (wake_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ &&
        std::chrono::steady_clock::now() >= deadline_) {
      ::shutdown(ssh_get_fd(session_), SHUT_RDWR);
      stalled_ = true;
      armed_ = false;
    }
  }
}

RemoteResult SshSession::run(std::string_view command) {
  StallGuard guard(*this);
  std::unique_ptr<ssh_channel_struct, ChannelCloser> channel(ssh_channel_new(session_));
  const std::string text(command);
  if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK ||
      ssh_channel_request_exec(channel.get(), text.c_str()) != SSH_OK)
    throw SshError("ssh " + target_ + ": cannot run a remote command: " + ssh_get_error(session_));
  ssh_channel_send_eof(channel.get());
  RemoteResult result;
  char buffer[4096];
  for (int is_stderr : {0, 1}) {
    auto& out = is_stderr ? result.errors : result.output;
    for (;;) {
      int n = ssh_channel_read(channel.get(), buffer, sizeof buffer, is_stderr);
      if (n == SSH_ERROR)
        throw SshError("ssh " + target_ + ": connection lost during a remote command: " + ssh_get_error(session_));
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }
  result.exit_status = ssh_channel_get_exit_status(channel.get());
  return result;
}

void SshSession::run_checked(std::string_view command, std::string_view what) {
  auto result = run(command);
  if (result.exit_status == 0) return;
  while (!result.errors.empty() && result.errors.back() == '\n') result.errors.pop_back();
  std::string status = result.exit_status < 0 ? "no exit status" : "exit status " + std::to_string(result.exit_status);
  throw SshError("ssh " + target_ + ": cannot " + std::string(what) + " (" + status + ")" +
                 (result.errors.empty() ? "" : ": " + result.errors));
}

void remote_make_directory(SshSession& session, std::string_view dir) {
  session.run_checked("umask 0077 && mkdir -p -- " + cfg::shell_quote(dir), "create " + std::string(dir));
}

void remote_rename(SshSession& session, std::string_view from, std::string_view to) {
  const auto quoted_to = cfg::shell_quote(to);
  session.run_checked("if [ -e " + quoted_to + " ] || [ -L " + quoted_to + " ]; then printf '%s exists\\n' " + quoted_to +
                          " >&2; exit 1; fi; mv -- " + cfg::shell_quote(from) + " " + quoted_to,
                      "rename " + std::string(from) + " to " + std::string(to));
}

}  // namespace kdump
