#pragma once
// The flattened format on the writing side: a ByteSink whose write_at()
// becomes one record on a sequential stream (stdout, ssh), so any writer that
// targets a file can target a pipe. `makedumpfile -R` or rearrange_flattened()
// turns the stream back into the file.

#include <cstdint>

#include "sink/byte_sink.h"
#include "sink/byte_stream.h"

namespace kdump {

/// Writes makedumpfile's flattened format to a stream.
class FlattenedSink final : public ByteSink {
 public:
  /// Writes the 4096-byte flattened header to `out` (borrowed).
  explicit FlattenedSink(OutputStream& out);
  /// One record {offset, size, bytes}; empty writes produce no record.
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override;
  /// Writes the end record and flushes the stream.
  void finish() override;
  std::string name() const override { return out_.name(); }
  /// Records written so far.
  std::uint64_t records() const { return records_; }

 private:
  OutputStream& out_;
  std::uint64_t records_ = 0;
};

}  // namespace kdump
