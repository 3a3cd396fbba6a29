#pragma once
// A ByteSink into memory, for tests and fuzz targets, with a size limit so
// that a hostile offset cannot make it allocate without bound.

#include <cstdint>
#include <string>
#include <vector>

#include "sink/byte_sink.h"
#include "sink/byte_stream.h"

namespace kdump {

/// Bytes written at offsets into a growing buffer (gaps read as zeros).
class MemorySink final : public ByteSink {
 public:
  /// Writes ending past `limit` throw std::system_error(EFBIG).
  explicit MemorySink(std::uint64_t limit = std::uint64_t{1} << 32) : limit_(limit) {}
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override;
  void finish() override { ++finishes_; }
  std::string name() const override { return "<memory>"; }

  const std::vector<std::byte>& bytes() const { return bytes_; }
  /// How many write_at calls were made (to check batching).
  std::uint64_t writes() const { return writes_; }
  /// How many times finish() was called.
  unsigned finishes() const { return finishes_; }

 private:
  std::uint64_t limit_;
  std::vector<std::byte> bytes_;
  std::uint64_t writes_ = 0;
  unsigned finishes_ = 0;
};

/// An OutputStream into memory.
class MemoryOutputStream final : public OutputStream {
 public:
  void write(std::span<const std::byte> bytes) override { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }
  void flush() override {}
  std::string name() const override { return "<memory stream>"; }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

/// An InputStream over bytes in memory, handing them out in chunks of at most
/// `chunk` bytes (as a pipe does).
class MemoryInputStream final : public InputStream {
 public:
  explicit MemoryInputStream(std::span<const std::byte> bytes, std::size_t chunk = 65536)
      : bytes_(bytes), chunk_(chunk == 0 ? 1 : chunk) {}
  std::size_t read(std::span<std::byte> out) override;
  std::string name() const override { return "<memory stream>"; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t chunk_;
  std::size_t at_ = 0;
};

}  // namespace kdump
