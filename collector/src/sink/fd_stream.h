#pragma once
// Byte streams over file descriptors (stdin, stdout, pipes); the descriptor is
// borrowed, not closed.

#include <vector>

#include "sink/byte_stream.h"

namespace kdump {

/// Buffered writes to a descriptor, retried on EINTR and short writes.
class FdOutputStream final : public OutputStream {
 public:
  FdOutputStream(int fd, std::string name);
  ~FdOutputStream() override;  ///< flushes, ignoring errors (call flush() to see them)
  FdOutputStream(const FdOutputStream&) = delete;
  FdOutputStream& operator=(const FdOutputStream&) = delete;

  void write(std::span<const std::byte> bytes) override;
  void flush() override;
  std::string name() const override { return name_; }

 private:
  void write_fully(std::span<const std::byte> bytes);

  int fd_;
  std::string name_;
  std::vector<std::byte> buffer_;
  std::size_t used_ = 0;
};

/// Reads from a descriptor, retried on EINTR.
class FdInputStream final : public InputStream {
 public:
  FdInputStream(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  std::size_t read(std::span<std::byte> out) override;
  std::string name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
};

}  // namespace kdump
