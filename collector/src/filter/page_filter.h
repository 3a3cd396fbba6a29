#pragma once
// The page filter of the core collector: which page frames go into the dump
// at a given dump level, decided cycle by cycle (a range of pfns at a time,
// like makedumpfile's cyclic mode) from the crashed kernel's struct pages.
// Memory stays bounded: one bitmap for the cycle and one batch buffer of
// struct pages, both sized at construction.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "filter/dump_level.h"
#include "filter/mem_map.h"
#include "filter/page_classifier.h"
#include "filter/pfn_bitmap.h"
#include "vmcore/kernel_memory.h"

namespace kdump {

/// Page frames [start, end) that the dump holds (its PT_LOADs, in pfns).
struct PfnRange {
  std::uint64_t start = 0;  ///< first pfn
  std::uint64_t end = 0;    ///< one past the last
};

/// What the filter counted so far, over all cycles.
struct PageCounts {
  /// Pages left out, by class (index: ExclusionClass); kZero is filled by whoever
  /// reads page contents, through DumpLevelFilter::exclude_zero_page().
  std::array<std::uint64_t, kExclusionClassCount> excluded{};
  /// Pages the dump holds ("Original pages").
  std::uint64_t present = 0;
  /// Pages below the highest pfn that the dump does not hold ("Memory Hole").
  std::uint64_t hole = 0;
  /// The highest pfn + 1 ("Total pages").
  std::uint64_t total = 0;
  /// Pages listed by more than one range (x86_64 /proc/vmcore maps the kernel
  /// image twice). makedumpfile counts them twice in "Original pages" and
  /// takes them twice off "Memory Hole"; the report does the same.
  std::uint64_t overlap = 0;
  /// Pages kept because their struct page could not be read.
  std::uint64_t unreadable_metadata = 0;
  /// Pages kept because no present section describes them.
  std::uint64_t without_metadata = 0;
  /// Pages whose struct page contradicted itself (kept, or only the page itself judged).
  std::uint64_t suspect_metadata = 0;

  /// The sum of every class.
  std::uint64_t excluded_total() const;
};

/// Tuning of a DumpLevelFilter.
struct DumpLevelFilterOptions {
  /// Struct pages read per read_virtual (32768 x 64 bytes = 2 MiB).
  std::size_t batch_pages = 32768;
};

/// Decides, cycle by cycle, which page frames a dump keeps.
class DumpLevelFilter {
 public:
  /// Sets up from the dump's VMCOREINFO and section table. Never throws for
  /// missing or damaged metadata: the filter then keeps those pages and says
  /// why in problems() (naming the missing VMCOREINFO key).
  DumpLevelFilter(KernelMemory& memory, DumpLevel level, std::vector<PfnRange> present,
             DumpLevelFilterOptions options = {});
  ~DumpLevelFilter();

  /// Decides pfns [start, end): the returned bitmap (valid until the next
  /// call) holds every present pfn the dump keeps. Cycles normally come in
  /// increasing pfn order, and a free block or compound page that crosses
  /// into the next cycle is carried over; a cycle that does not follow the
  /// previous one (a writer's second pass) finds such a range from the struct
  /// pages instead, so the answer for a cycle is always the same. Pages are
  /// counted the first time they are decided only.
  const PfnBitmap& run_cycle(std::uint64_t start, std::uint64_t end);
  /// Drops a page of the current cycle that turned out to be all zeros
  /// (when the level leaves zero pages out); returns whether it was kept before.
  bool exclude_zero_page(std::uint64_t pfn);

  /// One past the highest pfn of the dump.
  std::uint64_t end_pfn() const { return counts_.total; }
  /// What was counted so far.
  const PageCounts& counts() const { return counts_; }
  /// Why some pages could not be classified, one line each (missing
  /// VMCOREINFO keys, damaged section table, unreadable struct pages, and
  /// how many struct pages made no sense so far).
  std::vector<std::string> problems() const;
  /// The level it decides for.
  DumpLevel level() const { return level_; }

 private:
  void classify_range(std::uint64_t first, std::uint64_t last);
  std::size_t load_batch(std::size_t run, std::uint64_t pfn, std::uint64_t last);
  void exclude(ExclusionClass c, std::uint64_t first, std::uint64_t last);
  std::uint64_t resolve_crossing(std::uint64_t start);
  std::size_t read_struct_pages(std::uint64_t pfn, std::span<std::byte> out);
  bool is_present(std::uint64_t pfn) const;
  bool counted(std::uint64_t pfn) const { return pfn >= counted_end_; }

  KernelMemory& memory_;
  DumpLevel level_;
  std::vector<PfnRange> present_;
  DumpLevelFilterOptions options_;
  std::unique_ptr<MemMap> mem_map_;
  std::unique_ptr<PageClassifier> classifier_;
  PfnBitmap bitmap_;
  PageCounts counts_;
  std::vector<std::string> problems_;
  std::uint64_t struct_page_ = 0;
  // The batch of struct pages: pfns [batch_start_, batch_start_ + batch_count_),
  // plus one more entry (the next pfn's) when it was readable.
  std::vector<std::byte> batch_;
  std::vector<std::uint8_t> readable_;
  std::uint64_t batch_start_ = 0;
  std::size_t batch_count_ = 0;
  // A free block or compound page that runs past the current cycle.
  ExclusionClass pending_class_ = ExclusionClass::kNone;
  std::uint64_t pending_end_ = 0;
  std::uint64_t next_pfn_ = 0;
  bool started_ = false;
  std::uint64_t counted_end_ = 0;  // pages below were counted by an earlier cycle
  std::uint64_t unreadable_reported_ = 0;
  std::uint64_t first_suspect_pfn_ = 0;  // valid when counts_.suspect_metadata > 0
};

/// Whether a page holds only zero bytes.
bool is_zero_page(std::span<const std::byte> page);

}  // namespace kdump
