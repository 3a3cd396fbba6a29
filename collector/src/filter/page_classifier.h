#pragma once
// The class of one page frame, decided from its struct page the way
// makedumpfile decides it (makedumpfile.c, __exclude_unnecessary_pages and
// its helpers is_cache_page, isPrivate, isAnon, isHugetlb, page_is_buddy_v3,
// isOffline): every field offset, flag bit and magic value comes from
// VMCOREINFO, so a kernel that moves a field is read right without a
// version table.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "filter/dump_level.h"
#include "vmcore/vmcoreinfo.h"

namespace kdump {

/// What one struct page says about its page frame.
struct PageVerdict {
  ExclusionClass exclusion_class = ExclusionClass::kNone;  ///< kNone: the page is kept
  std::uint8_t order = 0;                   ///< the class covers 2^order pfns from this one
  bool tail = false;                        ///< a compound tail page: decided with its head
  bool suspect = false;                     ///< metadata contradicts itself; kept as it is
};

/// The struct page layout of one kernel, from its VMCOREINFO.
class PageClassifier {
 public:
  /// Reads the layout. Throws MissingVmcoreinfo when a key that every class
  /// needs is absent; keys only some classes need are reported by
  /// unavailable() instead, and those classes are then never chosen.
  explicit PageClassifier(const VmcoreInfo& info);

  /// SIZE(page).
  std::size_t struct_page_size() const { return size_; }
  /// Classifies the page at `pfn` from its struct page and, when readable,
  /// the next one (the first tail page of a compound page holds its order).
  /// Classes the level keeps are never chosen, in makedumpfile's order.
  PageVerdict classify(std::span<const std::byte> page, std::span<const std::byte> next, std::uint64_t pfn,
                       DumpLevel level) const;
  /// One line per class that cannot be found on this kernel and why
  /// ("free pages are kept: VMCOREINFO lacks NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)").
  const std::vector<std::string>& unavailable() const { return unavailable_; }
  /// The head's struct page address if `page` is a compound tail page.
  std::optional<std::uint64_t> compound_head_of(std::span<const std::byte> page) const;
  /// The largest buddy order this kernel uses (LENGTH(zone.free_area) - 1).
  unsigned max_buddy_order() const { return max_buddy_order_; }

 private:
  bool is_slab(std::uint64_t flags, std::uint32_t mapcount) const;
  bool is_buddy(std::uint64_t flags, std::uint32_t mapcount) const;
  bool is_cache(std::uint64_t flags) const;

  std::size_t size_ = 0;
  std::size_t flags_ = 0;
  std::size_t mapping_ = 0;
  std::optional<std::size_t> mapcount_, private_, compound_head_, compound_order_, compound_dtor_;
  std::uint64_t lru_bit_ = 0, private_bit_ = 0, swapcache_bit_ = 0;
  std::optional<std::uint64_t> slab_bit_, swapbacked_bit_, hwpoison_bit_, head_mask_, hugetlb_bit_;
  std::optional<std::int32_t> buddy_value_, offline_value_, slab_value_, hugetlb_value_;
  std::optional<std::int64_t> hugetlb_dtor_;
  unsigned max_buddy_order_ = 10;
  std::vector<std::string> unavailable_;
};

}  // namespace kdump
