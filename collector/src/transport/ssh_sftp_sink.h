#pragma once
// A dump file on the ssh target, written over SFTP at offsets (the kdump
// compressed and ELF writers seek back to fill headers). Like FileSink it is
// created new as "DIR/NAME-incomplete" (mode 0600, in a directory made 0700)
// and only finish() gives it its real name; a capture that fails part way
// leaves "vmcore-incomplete" behind, as kdump-utils does.

#include <string>

#include "sink/byte_sink.h"
#include "transport/ssh_session.h"

struct sftp_session_struct;
struct sftp_file_struct;

namespace kdump {

/// Random-access output to DIR/NAME over SFTP; throws SshError.
class SshSftpSink final : public ByteSink {
 public:
  /// Creates DIR (and parents, 0700) and DIR/NAME-incomplete (O_EXCL, 0600); the session must outlive the sink.
  SshSftpSink(SshSession& session, std::string dir, std::string name = "vmcore");
  ~SshSftpSink() override;
  SshSftpSink(const SshSftpSink&) = delete;
  SshSftpSink& operator=(const SshSftpSink&) = delete;

  /// Writes in chunks of at most kMaxChunk (larger SFTP writes fail with libssh 0.10).
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override;
  /// fsync (if the server offers fsync@openssh.com), close, rename to DIR/NAME (never replacing).
  void finish() override;
  std::string name() const override;
  /// The remote path until finish().
  const std::string& temporary_path() const { return temporary_; }

  static constexpr std::size_t kMaxChunk = 64 * 1024;

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& path);

  SshSession& session_;
  std::string path_;
  std::string temporary_;
  sftp_session_struct* sftp_ = nullptr;
  sftp_file_struct* file_ = nullptr;
};

}  // namespace kdump
