#pragma once
// Joins consecutive small writes (single pages, zero fills) into large ones,
// so that a FileSink makes few pwrite calls and a FlattenedSink few records.

#include <cstdint>
#include <vector>

#include "sink/byte_sink.h"

namespace kdump {

/// A write buffer in front of a ByteSink.
class CoalescingWriter {
 public:
  CoalescingWriter(ByteSink& sink, std::size_t capacity = 1 << 20) : sink_(sink) { buffer_.reserve(capacity); }
  /// Writes at `offset`; contiguous with the previous write it is buffered.
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes);
  /// Writes `count` zero bytes at `offset`.
  void zeros_at(std::uint64_t offset, std::uint64_t count);
  /// Sends what is buffered to the sink.
  void flush();

 private:
  ByteSink& sink_;
  std::vector<std::byte> buffer_;
  std::uint64_t start_ = 0;  // file offset of buffer_[0]
};

}  // namespace kdump
