#include "sink/file_sink.h"

// The rename uses renameat2(RENAME_NOREPLACE) so that a dump never replaces
// an existing file; filesystems without it (EINVAL: NFS, some FUSE) get
// link()+unlink(), which fails with EEXIST the same way.

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace kdump {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path);
}

std::string parent_directory(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

FileSink::FileSink(std::string path) : path_(std::move(path)), temporary_(path_ + "-incomplete") {
  struct stat st;
  if (::lstat(path_.c_str(), &st) == 0) {
    errno = EEXIST;
    fail("cannot create", path_);
  }
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("cannot create", temporary_);
}

FileSink::~FileSink() {
  if (fd_ < 0) return;
  // A run that failed before writing a byte (input that is no dump) leaves
  // no empty DUMPFILE-incomplete behind; one that wrote anything keeps it,
  // since part of a dump may be all there is. Only the file this sink
  // created is removed, not whatever may have replaced it under that name.
  struct stat ours, named;
  if (::fstat(fd_, &ours) == 0 && ours.st_size == 0 && ::lstat(temporary_.c_str(), &named) == 0 &&
      named.st_ino == ours.st_ino && named.st_dev == ours.st_dev)
    ::unlink(temporary_.c_str());
  ::close(fd_);
}

void FileSink::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  if (fd_ < 0) {
    errno = EBADF;
    fail("cannot write to", temporary_);
  }
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write to", temporary_);
    }
    if (n == 0) {
      errno = ENOSPC;
      fail("cannot write to", temporary_);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
    unflushed_ += static_cast<std::uint64_t>(n);
  }
  if (unflushed_ >= kWritebackBytes) {
    // Starts write-back of the whole file without waiting for it; failures
    // (a filesystem without it) are left to finish()'s fsync to report.
    ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
    unflushed_ = 0;
  }
}

void FileSink::finish() {
  if (fd_ < 0) {
    errno = EBADF;
    fail("cannot finish", temporary_);
  }
  if (::fsync(fd_) != 0) fail("cannot fsync", temporary_);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot close", temporary_);
  if (::renameat2(AT_FDCWD, temporary_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno != EINVAL && errno != ENOSYS) fail("cannot rename " + temporary_ + " to", path_);
    if (::link(temporary_.c_str(), path_.c_str()) != 0) fail("cannot rename " + temporary_ + " to", path_);
    if (::unlink(temporary_.c_str()) != 0) fail("cannot remove", temporary_);
  }
  std::string dir = parent_directory(path_);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) fail("cannot open directory", dir);
  int rc = ::fsync(dfd);
  int saved = errno;
  ::close(dfd);
  errno = saved;
  if (rc != 0 && errno != EINVAL) fail("cannot fsync directory", dir);
}

}  // namespace kdump
