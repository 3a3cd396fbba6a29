#pragma once
// An in-memory ByteSource for tests and fuzz targets. It can also pretend to be
// a failing disk: reads past a chosen offset come back short, as pread does on
// an I/O error, so readers can be tested against the failures they must survive.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/byte_source.h"

namespace kdump {

/// Bytes held in memory, with optional injected failures.
class MemorySource final : public ByteSource {
 public:
  /// Takes the bytes; `name` is what messages call the source.
  explicit MemorySource(std::vector<std::byte> bytes, std::string name = "<memory>");
  /// A copy of raw bytes (handy for fuzz targets).
  static MemorySource copy_of(const std::uint8_t* data, std::size_t size, std::string name = "<memory>");
  /// Movable; the read counter (atomic: sources may be read from several
  /// threads) moves with it.
  MemorySource(MemorySource&& other) noexcept;
  MemorySource& operator=(MemorySource&& other) noexcept;

  std::size_t read_at(std::uint64_t offset, std::span<std::byte> out) override;
  std::uint64_t size() const override;
  bool concurrent_reads() const override { return true; }
  std::string name() const override { return name_; }

  /// Every byte at or after `offset` fails to read (a short read stops there).
  void fail_from(std::uint64_t offset) { fail_from_ = offset; }
  /// Reports `size` as the size instead of the real length (a lying header or device).
  void claim_size(std::uint64_t size) { claimed_size_ = size; }
  /// How many read_at calls were made (to check caching).
  std::uint64_t reads() const { return reads_.load(std::memory_order_relaxed); }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
  std::string name_;
  std::optional<std::uint64_t> fail_from_;
  std::optional<std::uint64_t> claimed_size_;
  std::atomic<std::uint64_t> reads_{0};
};

}  // namespace kdump
