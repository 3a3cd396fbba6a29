#pragma once
// Everything the dump writers produce goes to a ByteSink: a dump file written
// at offsets, or (through the flattened writer) a stream to stdout or ssh.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace kdump {

/// Random-access output.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  /// Writes all of `bytes` at `offset`; throws std::system_error on failure.
  virtual void write_at(std::uint64_t offset, std::span<const std::byte> bytes) = 0;
  /// Marks the output complete and durable (fsync and rename, end record, ...).
  virtual void finish() = 0;
  /// A name for messages ("/var/crash/.../vmcore", "<stdout>").
  virtual std::string name() const = 0;
};

}  // namespace kdump
