#include "filter/page_census.h"

// The census walks cycles of 1 Mi pfns (a 128 KiB bitmap); with zero pages to
// find, it reads each run of kept pages in pieces of up to 256 pages into one
// buffer allocated up front, and tests them page by page.

#include <algorithm>

namespace kdump {
namespace {

constexpr std::uint64_t kCyclePfns = 1 << 20;
constexpr std::uint64_t kReadPages = 256;

}  // namespace

std::vector<PfnRange> present_pfns(std::span<const PhysicalRange> ranges, std::uint64_t page_size) {
  std::vector<PfnRange> out;
  if (page_size == 0) return out;
  for (const auto& r : ranges) out.push_back({r.start / page_size, (r.start + r.size) / page_size});
  return out;
}

PageCensus take_page_census(KernelMemory& memory, DumpLevel level, std::vector<PfnRange> present,
                            std::uint64_t page_size) {
  DumpLevelFilter filter(memory, level, std::move(present));
  const bool zero = level.excludes(ExclusionClass::kZero) && page_size > 0;
  std::vector<std::byte> buf(zero ? kReadPages * page_size : 0);
  std::uint64_t unreadable = 0, first_unreadable = 0;
  for (std::uint64_t s = 0; s < filter.end_pfn(); s += kCyclePfns) {
    const PfnBitmap& keep = filter.run_cycle(s, std::min(s + kCyclePfns, filter.end_pfn()));
    if (!zero) continue;
    for (std::uint64_t pfn = keep.start(); pfn < keep.end();) {
      if (!keep.test(pfn)) {
        ++pfn;
        continue;
      }
      std::uint64_t n = 1;
      while (n < kReadPages && pfn + n < keep.end() && keep.test(pfn + n)) ++n;
      std::size_t got = memory.read_physical(pfn * page_size, std::span(buf).first(n * page_size));
      for (std::uint64_t i = 0; i < n; ++i) {
        auto page = std::span(buf).subspan(i * page_size, page_size);
        // Past a short read, each page is tried on its own; one that cannot be
        // read stays in the dump (makedumpfile cannot read it either).
        if ((i + 1) * page_size > got && memory.read_physical((pfn + i) * page_size, page) != page_size) {
          if (unreadable++ == 0) first_unreadable = pfn + i;
          continue;
        }
        if (is_zero_page(page)) filter.exclude_zero_page(pfn + i);
      }
      pfn += n;
    }
  }
  PageCensus census{filter.counts(), filter.problems()};
  if (unreadable)
    census.problems.push_back(std::to_string(unreadable) + " kept pages could not be read to look for zeros (the first is pfn " +
                              std::to_string(first_unreadable) + ")");
  return census;
}

}  // namespace kdump
