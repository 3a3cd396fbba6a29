#pragma once
// A byte stream into a remote command's stdin over an ssh exec channel: the
// flattened dump format piped to "dd of=DIR/vmcore-incomplete", as
// kdump-utils does for ssh targets when makedumpfile writes to stdout.

#include <cstdint>
#include <string>
#include <string_view>

#include "sink/byte_stream.h"
#include "transport/ssh_session.h"

struct ssh_channel_struct;

namespace kdump {

/// Streams into `command`'s stdin; close() checks that it exited 0. Throws SshError.
class SshExecStream final : public OutputStream {
 public:
  /// Starts `command` (a shell command line: quote every path with cfg::shell_quote); the session must outlive it.
  SshExecStream(SshSession& session, std::string command, std::string name);
  ~SshExecStream() override;  ///< without close(): drops the channel, claiming nothing
  SshExecStream(const SshExecStream&) = delete;
  SshExecStream& operator=(const SshExecStream&) = delete;

  void write(std::span<const std::byte> bytes) override;
  /// Nothing is buffered here: each write() is handed to libssh, which blocks until it is sent.
  void flush() override {}
  std::string name() const override { return name_; }
  /// Sends end-of-file, waits for the command, throws unless it exited 0 (its stderr in the message).
  void close();
  /// Waits until the command writes `line` and a newline to stdout (a check it runs before reading
  /// its input passed); throws, as close() does, if it exits first.
  void wait_for_line(std::string_view line);
  /// The command's exit status once a close() or a failure has read it; -1 before, or if it gave none.
  int exit_status() const { return exit_status_; }

 private:
  [[noreturn]] void fail(const std::string& what);
  /// Reads what is left of stdout and stderr, frees the channel, throws unless the exit status is 0.
  void wait_for_exit(const std::string& what);
  /// Returns the remote window once it is open; throws if the command ended or the server stalls.
  std::uint32_t wait_for_window();
  /// Reports a command that closed its input early.
  [[noreturn]] void ended_early();

  SshSession& session_;
  std::string name_;
  ssh_channel_struct* channel_ = nullptr;
  int exit_status_ = -1;
};

/// "umask 0077 && mkdir -p -- DIR && dd bs=512 status=none of=DIR/FILE", every path quoted.
std::string ssh_dd_command(std::string_view dir, std::string_view file = "vmcore-incomplete");

}  // namespace kdump
