#pragma once
// The page filter (filter/page_filter.h) as the writers' PageFilter. The
// writers ask for each window once when PageMap can remember the answers,
// and twice on larger machines (once for the bitmaps, once for the pages);
// DumpLevelFilter is a one-pass object whose counts add up over its cycles,
// so when a window comes again this adapter starts a fresh one: the struct
// pages are read again (1.6% of memory for 64-byte struct pages), and
// counts() are those of the last, complete pass.

#include <memory>
#include <vector>

#include "filter/page_filter.h"
#include "writer/page_source.h"

namespace kdump {

/// A DumpLevelFilter behind the PageFilter interface.
class DumpLevelPageFilter final : public PageFilter {
 public:
  /// `memory` is borrowed; `present` are the dump's memory ranges in pfns.
  DumpLevelPageFilter(KernelMemory& memory, DumpLevel level, std::vector<PfnRange> present);
  void exclude(std::uint64_t first_pfn, std::span<std::uint8_t> bits) override;

  /// The filter of the latest pass (null before the first window).
  const DumpLevelFilter* filter() const { return filter_.get(); }

 private:
  KernelMemory& memory_;
  DumpLevel level_;
  std::vector<PfnRange> present_;
  std::unique_ptr<DumpLevelFilter> filter_;
  std::uint64_t next_pfn_ = 0;
};

/// The pfn ranges of a PageSource's memory, for DumpLevelPageFilter.
std::vector<PfnRange> pfn_ranges_of(const PageSource& source);

}  // namespace kdump
