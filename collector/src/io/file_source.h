#pragma once
// A ByteSource over a file descriptor, read with pread: works for /proc/vmcore
// (which cannot always be mapped) and ordinary dump files alike.

#include <string>

#include "io/byte_source.h"

namespace kdump {

/// A file opened read-only; throws std::system_error if it cannot be opened.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::size_t read_at(std::uint64_t offset, std::span<std::byte> out) override;
  std::uint64_t size() const override { return size_; }
  bool concurrent_reads() const override { return true; }
  std::string name() const override { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace kdump
