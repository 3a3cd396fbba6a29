#include "sink/fd_stream.h"

// A 256 KiB buffer turns the flattened writer's many small records (16-byte
// record headers, page descriptors) into few large writes to the pipe.

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace kdump {
namespace {
constexpr std::size_t kBufferSize = 256 * 1024;
}

FdOutputStream::FdOutputStream(int fd, std::string name) : fd_(fd), name_(std::move(name)), buffer_(kBufferSize) {}

FdOutputStream::~FdOutputStream() {
  try {
    flush();
  } catch (...) {
  }
}

void FdOutputStream::write(std::span<const std::byte> bytes) {
  if (bytes.size() >= buffer_.size()) {
    flush();
    write_fully(bytes);
    return;
  }
  if (used_ + bytes.size() > buffer_.size()) flush();
  std::memcpy(buffer_.data() + used_, bytes.data(), bytes.size());
  used_ += bytes.size();
}

void FdOutputStream::flush() {
  if (used_ == 0) return;
  std::size_t n = used_;
  used_ = 0;
  write_fully({buffer_.data(), n});
}

void FdOutputStream::write_fully(std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "cannot write to " + name_);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

std::size_t FdInputStream::read(std::span<std::byte> out) {
  for (;;) {
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "cannot read " + name_);
  }
}

}  // namespace kdump
