#pragma once
// Physical memory of an ELF dump: its PT_LOAD segments, flattened into sorted,
// non-overlapping pieces for O(log n) look-up with a one-entry cache.

#include <atomic>
#include <vector>

#include "io/byte_source.h"
#include "vmcore/elf_dump.h"
#include "vmcore/physical_memory.h"

namespace kdump {

/// PhysicalMemory over an ELF dump's PT_LOADs. read() is safe from several
/// threads when the ByteSource's read_at is (ByteSource::concurrent_reads()).
class SegmentMap final : public PhysicalMemory {
 public:
  /// Borrows `source`, which must outlive the map.
  SegmentMap(ByteSource& source, const std::vector<LoadSegment>& loads);

  std::size_t read(std::uint64_t paddr, std::span<std::byte> out) override;
  std::vector<PhysicalRange> ranges() const override;
  /// The pieces after sorting and removing overlaps (first segment wins).
  const std::vector<LoadSegment>& pieces() const { return pieces_; }

 private:
  const LoadSegment* find(std::uint64_t paddr);

  ByteSource& source_;
  std::vector<LoadSegment> pieces_;
  // The one-entry cache; atomic so that threads may read at once when the
  // source allows it (any index stored is a valid one).
  std::atomic<std::size_t> last_{0};
};

}  // namespace kdump
