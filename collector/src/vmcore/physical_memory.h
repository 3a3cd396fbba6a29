#pragma once
// Physical memory of a dump, whatever its format: the seam between the
// format readers (ELF, kdump-compressed) and address translation.

#include <cstdint>
#include <span>
#include <vector>

namespace kdump {

/// A range of physical memory the dump describes.
struct PhysicalRange {
  std::uint64_t start = 0;
  std::uint64_t size = 0;
};

/// Reads physical memory out of a dump.
class PhysicalMemory {
 public:
  virtual ~PhysicalMemory() = default;
  /// Reads at a physical address; returns how many bytes were read (short at
  /// the first byte that is absent from the dump or unreadable).
  virtual std::size_t read(std::uint64_t paddr, std::span<std::byte> out) = 0;
  /// The ranges present, sorted and not overlapping.
  virtual std::vector<PhysicalRange> ranges() const = 0;
};

}  // namespace kdump
