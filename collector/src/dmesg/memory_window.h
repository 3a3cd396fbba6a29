#pragma once
// A window onto a stretch of a crashed kernel's virtual memory (a ring's
// descriptor array, its text area, log_buf): reads by offset, fetched a page
// at a time on demand and cached, so an unreadable page fails only the reads
// that touch it and a huge or garbage ring costs memory only where it is read.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vmcore/kernel_memory.h"

namespace kdump::dmesg {

/// Little-endian unsigned load of `width` (1, 2, 4 or 8) bytes at `at`; the
/// caller has checked the bounds.
std::uint64_t load_le(std::span<const std::byte> bytes, std::size_t at, std::size_t width);

/// Reads `width` little-endian bytes at a kernel virtual address, if readable.
std::optional<std::uint64_t> read_word(KernelMemory& memory, std::uint64_t vaddr, std::size_t width);

/// [base, base + size) of kernel virtual memory, read through a page cache.
class MemoryWindow {
 public:
  MemoryWindow(KernelMemory& memory, std::uint64_t base, std::uint64_t size);
  /// Copies out.size() bytes at `offset`; false if any of them lies outside
  /// the window or on a page the dump cannot supply.
  bool read(std::uint64_t offset, std::span<std::byte> out);
  /// Like read, for one little-endian field.
  std::optional<std::uint64_t> read_le(std::uint64_t offset, std::size_t width);
  std::uint64_t size() const { return size_; }
  /// True once kMaxMissingPages pages have failed: from then on every read
  /// fails at once, so a garbage size over a hole cannot cost 2^19 lookups.
  bool gave_up() const { return missing_pages_ >= kMaxMissingPages; }

  /// Missing pages a window tolerates (256 MiB), far more than any real
  /// ring or log_buf lacks when it lacks anything at all.
  static constexpr std::uint64_t kMaxMissingPages = 65536;

 private:
  static constexpr std::uint64_t kChunk = 4096;
  static constexpr std::size_t kSlots = 16;
  struct Slot {
    std::uint64_t index = ~std::uint64_t{0};
    std::size_t valid = 0;  // readable prefix of the chunk
    std::array<std::byte, kChunk> bytes{};
  };
  const Slot& fetch(std::uint64_t chunk_index);

  KernelMemory& memory_;
  std::uint64_t base_;
  std::uint64_t size_;
  std::vector<Slot> slots_;
  std::uint64_t missing_pages_ = 0;  // on the heap: 64 KiB would be a lot of stack
};

}  // namespace kdump::dmesg
