#pragma once
// Physical memory of an ELF dump: its PT_LOAD segments, flattened into sorted,
// non-overlapping pieces for O(log n) look-up with a one-entry cache.

#include <atomic>
#include <vector>

#include "io/byte_source.h"
#include "vmcore/elf_dump.h"
#include "vmcore/physical_memory.h"

namespace kdump {

/// PhysicalMemory over an ELF dump's PT_LOADs.
class SegmentMap final : public PhysicalMemory {
 public:
  /// Borrows `source`, which must outlive the map.
  SegmentMap(ByteSource& source, const std::vector<LoadSegment>& loads);

  std::size_t read(std::uint64_t paddr, std::span<std::byte> out) override;
  std::vector<PhysicalRange> ranges() const override;
  /// Memory whose bytes a PT_LOAD places past the end of the file (a
  /// truncated vmcore), less what another segment's copy still holds: it
  /// cannot be read.
  std::vector<PhysicalRange> missing() const;
  /// The pieces after sorting and removing overlaps (first segment wins).
  const std::vector<LoadSegment>& pieces() const { return pieces_; }
  /// True if the file below may be read from several threads at once.
  bool concurrent_reads() const { return source_.concurrent_reads(); }

 private:
  const LoadSegment* find(std::uint64_t paddr);
  std::size_t read_elsewhere(std::uint64_t paddr, std::span<std::byte> out);

  ByteSource& source_;
  std::vector<LoadSegment> pieces_;
  // The parts of segments that overlap an earlier one, by paddr: a second
  // copy of the same memory (the kernel text PT_LOAD of /proc/vmcore) to read
  // when the first copy's bytes are missing from a truncated file.
  std::vector<LoadSegment> shadowed_;
  // Relaxed atomic: the pipeline's workers read through one map at once.
  std::atomic<std::size_t> last_{0};
};

}  // namespace kdump
