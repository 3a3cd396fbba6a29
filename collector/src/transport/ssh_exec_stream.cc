#include "transport/ssh_exec_stream.h"

// Writes never block inside libssh on the channel window: libssh 0.10 would
// wait there for the whole session timeout even after the remote command
// had exited (measured: 10 s with a 10 s timeout). Instead we write at most
// the open window and poll for more ourselves, noticing the command's EOF
// (then its stderr and exit status are read and reported) and giving up
// when the server takes nothing for the session timeout (a hung server). The
// exit status is the only proof that the command saw all the bytes: a
// channel that ends without one (the server died) is a failure. The wait
// for window is a poll() on the session's socket, then a non-blocking
// ssh_channel_poll() that handles what arrived: ssh_channel_poll_timeout()
// wakes only for channel data, so each window adjustment cost its whole
// timeout (100 ms per 2 MiB window of OpenSSH's sshd: a 313 MiB dump took
// 18 s instead of 6 s; bench/transfer_bench.sh).

#include <libssh/libssh.h>
#include <poll.h>

#include <algorithm>
#include <chrono>

#include "kdumpcfg/dump_plan.h"

namespace kdump {
namespace {

constexpr std::size_t kMaxWrite = 64 * 1024;
constexpr int kPollMs = 100;

}  // namespace

SshExecStream::SshExecStream(SshSession& session, std::string command, std::string name)
    : session_(session), name_(std::move(name)) {
  channel_ = ssh_channel_new(session_.handle());
  if (!channel_) fail("open a channel");
  if (ssh_channel_open_session(channel_) != SSH_OK) fail("open a channel");
  if (ssh_channel_request_exec(channel_, command.c_str()) != SSH_OK) fail("start the remote command");
}

SshExecStream::~SshExecStream() {
  if (!channel_) return;
  ssh_channel_close(channel_);
  ssh_channel_free(channel_);
}

void SshExecStream::fail(const std::string& what) {
  std::string cause = ssh_get_error(session_.handle());
  if (channel_) {
    ssh_channel_close(channel_);
    ssh_channel_free(channel_);
    channel_ = nullptr;
  }
  throw SshError("ssh " + session_.target() + ": " + name_ + ": cannot " + what + (cause.empty() ? "" : ": " + cause));
}

void SshExecStream::write(std::span<const std::byte> bytes) {
  if (!channel_) throw SshError("ssh " + session_.target() + ": write to " + name_ + " after it was closed");
  while (!bytes.empty()) {
    const std::uint32_t window = wait_for_window();
    const auto chunk = std::min<std::size_t>({bytes.size(), kMaxWrite, window});
    const int written = ssh_channel_write(channel_, bytes.data(), static_cast<std::uint32_t>(chunk));
    if (written < 0) {
      if (ssh_is_connected(session_.handle())) ended_early();
      fail("write");
    }
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
}

std::uint32_t SshExecStream::wait_for_window() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(session_.timeout_seconds());
  for (;;) {
    if (ssh_channel_is_eof(channel_) || !ssh_channel_is_open(channel_)) ended_early();
    if (const auto window = ssh_channel_window_size(channel_); window > 0) return window;
    if (std::chrono::steady_clock::now() >= deadline)
      fail("write: the server took no data for " + std::to_string(session_.timeout_seconds()) + " s");
    // Wake on any packet; ssh_channel_poll then handles it (window adjustment, EOF, exit status).
    pollfd socket{ssh_get_fd(session_.handle()), POLLIN, 0};
    ::poll(&socket, 1, kPollMs);
    const int pending = ssh_channel_poll(channel_, 0);
    if (pending == SSH_ERROR) fail("write");
    if (pending == SSH_EOF) ended_early();
    if (pending > 0) {
      // The command's stdout is not wanted; drop it so that it cannot fill our window.
      char discard[4096];
      ssh_channel_read_nonblocking(channel_, discard, sizeof discard, 0);
    }
  }
}

void SshExecStream::ended_early() {
  wait_for_exit("ended before all bytes were written");
  throw SshError("ssh " + session_.target() + ": the remote command for " + name_ +
                 " ended before all bytes were written (exit status 0)");
}

void SshExecStream::close() {
  if (!channel_) throw SshError("ssh " + session_.target() + ": " + name_ + " closed twice");
  if (ssh_channel_send_eof(channel_) != SSH_OK) fail("finish writing");
  wait_for_exit("failed");
}

void SshExecStream::wait_for_line(std::string_view line) {
  if (!channel_) throw SshError("ssh " + session_.target() + ": " + name_ + " was closed");
  std::string seen;
  {
    SshSession::StallGuard guard(session_);
    // Byte by byte: nothing after the newline belongs to this wait.
    for (char c = 0; seen.size() <= line.size();) {
      const int n = ssh_channel_read(channel_, &c, 1, 0);
      if (n == SSH_ERROR) fail("read the remote command's output");
      if (n <= 0) break;
      if (c == '\n') break;
      seen.push_back(c);
    }
  }
  if (seen == line) return;
  wait_for_exit("did not start");
  throw SshError("ssh " + session_.target() + ": the remote command for " + name_ +
                 " did not start (exit status 0)");
}

void SshExecStream::wait_for_exit(const std::string& what) {
  SshSession::StallGuard guard(session_);
  std::string errors;
  char buffer[4096];
  for (int is_stderr : {0, 1}) {
    for (;;) {
      const int n = ssh_channel_read(channel_, buffer, sizeof buffer, is_stderr);
      if (n == SSH_ERROR) fail("read the remote command's exit status");
      if (n <= 0) break;
      if (is_stderr && errors.size() < 4096) errors.append(buffer, static_cast<std::size_t>(n));
    }
  }
  const int status = ssh_channel_get_exit_status(channel_);
  exit_status_ = status;
  ssh_channel_close(channel_);
  ssh_channel_free(channel_);
  channel_ = nullptr;
  if (status == 0) return;
  while (!errors.empty() && errors.back() == '\n') errors.pop_back();
  throw SshError("ssh " + session_.target() + ": the remote command for " + name_ + " " + what + " (" +
                 (status < 0 ? std::string("no exit status") : "exit status " + std::to_string(status)) + ")" +
                 (errors.empty() ? "" : ": " + errors));
}

std::string ssh_dd_command(std::string_view dir, std::string_view file) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path.append(file);
  return "umask 0077 && mkdir -p -- " + cfg::shell_quote(dir) + " && dd bs=512 status=none of=" + cfg::shell_quote(path);
}

}  // namespace kdump
