#include "transport/ssh_exec_stream.h"

// The remote side's stderr is only read once the stream is closed; a command
// that fails early (dd cannot create its file) shows as a write error or a
// closed channel first, and close() or the next write then reports it. The
// exit status is the only proof that the remote command saw all the bytes:
// a channel that ends without one (the server died) is a failure.

#include <libssh/libssh.h>

#include <algorithm>

#include "kdumpcfg/dump_plan.h"

namespace kdump {
namespace {

constexpr std::size_t kMaxWrite = 64 * 1024;

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
    const auto chunk = std::min(bytes.size(), kMaxWrite);
    const int written = ssh_channel_is_open(channel_) && !ssh_channel_is_eof(channel_)
                            ? ssh_channel_write(channel_, bytes.data(), static_cast<std::uint32_t>(chunk))
                            : SSH_ERROR;
    if (written < 0) {
      // A live connection with a closed channel means the command ended: its stderr says why.
      if (ssh_is_connected(session_.handle())) {
        wait_for_exit("ended before all bytes were written");
        throw SshError("ssh " + session_.target() + ": the remote command for " + name_ +
                       " ended before all bytes were written (exit status 0)");
      }
      fail("write");
    }
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
}

void SshExecStream::close() {
  if (!channel_) throw SshError("ssh " + session_.target() + ": " + name_ + " closed twice");
  if (ssh_channel_send_eof(channel_) != SSH_OK) fail("finish writing");
  wait_for_exit("failed");
}

void SshExecStream::wait_for_exit(const std::string& what) {
  std::string errors;
  char buffer[4096];
  for (int is_stderr : {0, 1}) {
    for (;;) {
      const int n = ssh_channel_read(channel_, buffer, sizeof buffer, is_stderr);
      if (n == SSH_ERROR) fail("finish writing");
      if (n <= 0) break;
      if (is_stderr && errors.size() < 4096) errors.append(buffer, static_cast<std::size_t>(n));
    }
  }
  const int status = ssh_channel_get_exit_status(channel_);
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
