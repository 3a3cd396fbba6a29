#include "capture/raw_destination.h"

// The device is opened without O_CREAT, so a missing device is an error
// rather than a new file in /dev, and with O_NOFOLLOW. The configured name is
// resolved first only under /dev, where symbolic links are udev's names for
// device nodes (/dev/mapper/vg-crash, /dev/disk/by-id/...); anywhere else a
// link is refused, so a planted link cannot redirect the dump onto a file.

#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <system_error>
#include <utility>

#include "capture/device_node.h"
#include "sink/fd_stream.h"

namespace kdump::capture {
namespace {

[[noreturn]] void fail(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

std::string resolve_udev_link(const std::string& node) {
  if (!node.starts_with("/dev/")) return node;
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(node.c_str(), nullptr), &std::free);
  return real ? std::string(real.get()) : node;
}

class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// The flattened stream, written in order from the device's first byte.
class RawStream final : public StreamFile {
 public:
  RawStream(int fd, std::string path, std::string label)
      : fd_(fd), path_(std::move(path)), label_(std::move(label)), out_(fd_.get(), path_) {}
  void write(std::span<const std::byte> bytes) override { out_.write(bytes); }
  void flush() override { out_.flush(); }
  std::string name() const override { return path_; }
  void commit() override {
    out_.flush();
    if (::fsync(fd_.get()) != 0) fail(errno, label_ + ": cannot fsync " + path_);
  }

 private:
  FdGuard fd_;  // declared before out_: closed after its last flush
  std::string path_;
  std::string label_;
  FdOutputStream out_;
};

}  // namespace

RawDestination::RawDestination(const std::string& device, std::string label)
    : path_(resolve_udev_link(find_device_node(device, label))), label_(std::move(label)) {
  FdGuard check(open_device());
}

int RawDestination::open_device() const {
  // O_NONBLOCK only for the open: a FIFO without a reader is then ENXIO, not a
  // hang. O_EXCL without O_CREAT claims a block device (Linux): one that is
  // mounted or otherwise in use is EBUSY, so a rehearsal never writes over a
  // live file system; for a regular file it means nothing.
  FdGuard fd(::open(path_.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_EXCL));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) fail(error, label_ + ": no such device (" + path_ + " does not exist)");
    if (error == EBUSY) fail(error, label_ + ": " + path_ + " is in use (mounted?); a raw dump is not written over it");
    if (error == ELOOP) fail(error, label_ + ": " + path_ + " is a symbolic link (refused, not followed)");
    fail(error, label_ + ": cannot open " + path_ + " for writing");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(errno, label_ + ": cannot look at " + path_);
  if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
    fail(ENOTBLK, label_ + ": " + path_ + " is neither a block device nor a regular file");
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) fail(errno, label_ + ": cannot set up " + path_);
  return fd.release();
}

std::optional<std::uint64_t> RawDestination::available_bytes(const std::string&) {
  FdGuard fd(open_device());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::nullopt;
  if (S_ISBLK(st.st_mode)) {
    std::uint64_t size = 0;
    if (::ioctl(fd.get(), BLKGETSIZE64, &size) != 0) return std::nullopt;
    return size;
  }
  // A regular file grows into its file system's free space.
  struct statvfs fs {};
  if (::fstatvfs(fd.get(), &fs) != 0) return static_cast<std::uint64_t>(st.st_size);
  return static_cast<std::uint64_t>(st.st_size) + static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::unique_ptr<StreamFile> RawDestination::create_stream(const std::string&, const std::string&, const std::string&) {
  FdGuard fd(open_device());
  return std::make_unique<RawStream>(fd.release(), path_, label_);
}

}  // namespace kdump::capture
