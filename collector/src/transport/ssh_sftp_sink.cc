#include "transport/ssh_sftp_sink.h"

// SFTP has no "create parents": each missing component of DIR is made with
// sftp_mkdir (0700), checked first with sftp_stat because OpenSSH's server
// answers a plain FAILURE (SFTP v3) for an existing directory. The final
// name is checked before the file is created, and the rename relies on the
// server refusing to replace (OpenSSH's sftp-server renames by link+unlink).
// Writes go in chunks of at most 64 KiB: libssh 0.10 failed 256 KiB writes
// in one call on this project's machines (see FIELD-NOTES).

#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <algorithm>
#include <system_error>

namespace kdump {
namespace {

const char* sftp_error_text(int code) {
  static const struct {
    int code;
    const char* text;
  } kTexts[] = {
      {SSH_FX_NO_SUCH_FILE, "no such file"},
      {SSH_FX_PERMISSION_DENIED, "permission denied"},
      {SSH_FX_FAILURE, "failure"},
      {SSH_FX_NO_CONNECTION, "no connection"},
      {SSH_FX_CONNECTION_LOST, "connection lost"},
      {SSH_FX_OP_UNSUPPORTED, "operation unsupported"},
      {SSH_FX_FILE_ALREADY_EXISTS, "file already exists"},
      {SSH_FX_WRITE_PROTECT, "write protected"},
      {SSH_FX_NO_MEDIA, "no media"},
  };
  for (const auto& entry : kTexts)
    if (entry.code == code) return entry.text;
  return nullptr;
}

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace

void SshSftpSink::fail(const std::string& what, const std::string& path) {
  std::string cause = session_.stalled()
                          ? "the server made no progress for " + std::to_string(session_.timeout_seconds()) + " s"
                          : ssh_get_error(session_.handle());
  if (sftp_) {
    if (const char* text = sftp_error_text(sftp_get_error(sftp_)); text && cause.empty()) cause = text;
  }
  throw SshError("ssh " + session_.target() + ": cannot " + what + " " + path + (cause.empty() ? "" : ": " + cause));
}

SshSftpSink::SshSftpSink(SshSession& session, std::string dir, std::string name)
    : session_(session), path_(join(dir, name)), temporary_(path_ + "-incomplete") {
  SshSession::StallGuard guard(session_);
  sftp_ = sftp_new(session_.handle());
  if (!sftp_) fail("start SFTP on", session_.target());
  if (sftp_init(sftp_) != SSH_OK) {
    sftp_free(sftp_);
    sftp_ = nullptr;
    fail("start SFTP on", session_.target());
  }
  try {
    // Make each missing component of dir, from the top.
    for (std::size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
      const auto prefix = dir.substr(0, end);
      if (!prefix.empty()) {
        if (sftp_attributes attributes = sftp_stat(sftp_, prefix.c_str())) {
          const bool is_directory = attributes->type == SSH_FILEXFER_TYPE_DIRECTORY;
          sftp_attributes_free(attributes);
          if (!is_directory) throw SshError("ssh " + session_.target() + ": " + prefix + " is not a directory");
        } else if (sftp_mkdir(sftp_, prefix.c_str(), 0700) != SSH_OK) {
          fail("create directory", prefix);
        }
      }
      if (end == std::string::npos) break;
    }
    if (sftp_attributes attributes = sftp_lstat(sftp_, path_.c_str())) {
      sftp_attributes_free(attributes);
      throw SshError("ssh " + session_.target() + ": cannot create " + path_ + ": it exists already",
                     std::errc::file_exists);
    }
    file_ = sftp_open(sftp_, temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (!file_) fail("create", temporary_);
  } catch (...) {
    sftp_free(sftp_);
    sftp_ = nullptr;
    throw;
  }
}

SshSftpSink::~SshSftpSink() {
  if (file_) {
    try {
      SshSession::StallGuard guard(session_);
      sftp_close(file_);
    } catch (const std::system_error&) {
      // No watchdog thread: close unguarded rather than leak.
      sftp_close(file_);
    }
  }
  if (sftp_) sftp_free(sftp_);
}

void SshSftpSink::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  if (!file_) throw SshError("ssh " + session_.target() + ": write to " + path_ + " after finish()");
  if (bytes.empty()) return;
  if (sftp_seek64(file_, offset) != 0) fail("seek in", temporary_);
  while (!bytes.empty()) {
    const auto chunk = std::min(bytes.size(), kMaxChunk);
    ssize_t written = 0;
    {
      SshSession::StallGuard guard(session_);
      written = sftp_write(file_, bytes.data(), chunk);
    }
    if (written <= 0) fail("write", temporary_);
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
}

void SshSftpSink::finish() {
  if (!file_) throw SshError("ssh " + session_.target() + ": " + path_ + " finished twice");
  if (sftp_extension_supported(sftp_, "fsync@openssh.com", "1") && sftp_fsync(file_) != SSH_OK)
    fail("sync", temporary_);
  // fsync above is not guarded: syncing a large dump may rightly take long.
  SshSession::StallGuard guard(session_);
  const int closed = sftp_close(file_);
  file_ = nullptr;
  if (closed != SSH_OK) fail("close", temporary_);
  if (sftp_rename(sftp_, temporary_.c_str(), path_.c_str()) != SSH_OK) fail("rename " + temporary_ + " to", path_);
}

std::string SshSftpSink::name() const { return session_.target() + ":" + path_; }

}  // namespace kdump
