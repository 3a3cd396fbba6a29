#pragma once
// Page accounting without writing a dump: the filter over every cycle, then
// the kept pages read to count those filled with zeros, which is what
// makedumpfile's report holds after a dump (and what `--mem-usage`-style
// commands show).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "filter/page_filter.h"
#include "vmcore/physical_memory.h"

namespace kdump {

/// What a dump at some level would hold.
struct PageCensus {
  PageCounts counts;                  ///< every class, zero pages included when the level drops them
  std::vector<std::string> problems;  ///< the filter's, plus pages that could not be read
};

/// Counts the classes of a whole dump at `level`; pages per cycle and read
/// buffer are bounded (1 Mi pfns, 1 MiB).
PageCensus take_page_census(KernelMemory& memory, DumpLevel level, std::vector<PfnRange> present,
                            std::uint64_t page_size);

/// Physical ranges as the pfns makedumpfile counts: [start / page, end / page)
/// each, overlaps kept (pass the PT_LOADs as they are for its totals).
std::vector<PfnRange> present_pfns(std::span<const PhysicalRange> ranges, std::uint64_t page_size);

}  // namespace kdump
