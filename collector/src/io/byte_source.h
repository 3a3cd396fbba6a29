#pragma once
// Everything the collector reads comes through a ByteSource: /proc/vmcore,
// a dump file, or an in-memory image in the tests (which can inject short
// reads and I/O errors).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace kdump {

/// Random-access, read-only bytes.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Reads up to out.size() bytes at offset; returns how many were read
  /// (short at the end or on an I/O error; never throws for either).
  virtual std::size_t read_at(std::uint64_t offset, std::span<std::byte> out) = 0;
  /// Total size in bytes, as far as it is known.
  virtual std::uint64_t size() const = 0;
  /// Bytes actually stored behind the source: readers cap allocations and
  /// loop counts by this, since a sparse source (a flattened dump) can claim a
  /// size() far beyond the data it holds.
  virtual std::uint64_t stored_size() const { return size(); }
  /// True if read_at may be called from several threads at once (pread).
  virtual bool concurrent_reads() const { return false; }
  /// A name for messages ("/proc/vmcore").
  virtual std::string name() const = 0;
};

}  // namespace kdump
