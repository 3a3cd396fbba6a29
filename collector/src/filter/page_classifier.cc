#include "filter/page_classifier.h"

// classify() is the per-page hot path: it reads a handful of fields with
// memcpy from a struct page already in the caller's batch buffer, tests bits
// and allocates nothing. The order of the tests is makedumpfile's, and it
// matters, because a page is counted in one class only: a compound tail is
// skipped (its head decided for it), then free (buddy) pages, non-private
// cache, private cache, user data, hwpoison, offline. A class the dump level
// keeps is passed over, so the same page can be "cache" at level 31 and
// "hwpoison" at level 1, exactly as in makedumpfile's report.
//
// Facts used (kernel 6.1 unless said): PAGE_MAPPING_ANON is bit 0 of
// page->mapping (include/linux/page-flags.h); a buddy page has
// page_type == PAGE_BUDDY_MAPCOUNT_VALUE in the word shared with _mapcount,
// and its order in page->private (mm/page_alloc.c, set_buddy_order); a
// compound page's order and destructor id sit in its first tail page
// (OFFSET(page.compound_order), OFFSET(page.compound_dtor), one byte each
// since 4.16; the low byte of the older 16-bit fields on little-endian is the
// same value); a tail page has bit 0 of compound_head set.

#include <cstring>
#include <stdexcept>

namespace kdump {
namespace {

constexpr std::uint64_t kPageMappingAnon = 1;
// makedumpfile.h PAGE_TYPE_BASE, for the 6.10+ page_type test of slab pages.
constexpr std::uint32_t kPageTypeBase = 0xf0000000u;
// A compound order that cannot be real: more than 2^30 pages (4 TiB).
constexpr unsigned kMaxCompoundOrder = 30;

std::uint64_t load64(std::span<const std::byte> b, std::size_t at) {
  std::uint64_t v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}
std::uint32_t load32(std::span<const std::byte> b, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

bool bit(std::uint64_t flags, std::uint64_t n) { return (flags >> n) & 1; }

// Whether the word shared by _mapcount and page_type says "type `value`",
// VMCOREINFO's NUMBER(PAGE_*_MAPCOUNT_VALUE). Up to 6.11 the value is
// ~PG_type and a typed page has PAGE_TYPE_BASE set and the type's bit clear
// (include/linux/page-flags.h, PageType(); on 6.1 the whole word equals the
// value, which makedumpfile compares); from 6.12 it is PGTY_type << 24 and the
// type is the word's top byte.
bool page_type_is(std::uint32_t word, std::int32_t value) {
  auto v = static_cast<std::uint32_t>(value);
  if ((v & 0x00ffffffu) == 0) return (word >> 24) == (v >> 24);
  return (word & (kPageTypeBase | ~v)) == kPageTypeBase;
}

}  // namespace

PageClassifier::PageClassifier(const VmcoreInfo& info) {
  std::int64_t size = info.require_size("page");
  if (size < 16 || size > 1024) throw std::runtime_error("VMCOREINFO has an unusable SIZE(page)=" + std::to_string(size));
  size_ = static_cast<std::size_t>(size);

  // An offset is usable when a field of `width` bytes there fits in struct page.
  auto field = [&](const char* key, std::size_t width) -> std::optional<std::size_t> {
    auto v = info.offset(key);
    if (!v) return std::nullopt;
    if (*v < 0 || static_cast<std::size_t>(*v) + width > size_)
      throw std::runtime_error(std::string("VMCOREINFO has an unusable OFFSET(") + key + ")=" + std::to_string(*v));
    return static_cast<std::size_t>(*v);
  };
  auto required_field = [&](const char* key, std::size_t width) {
    auto v = field(key, width);
    if (!v) throw MissingVmcoreinfo(std::string("OFFSET(") + key + ")");
    return *v;
  };
  auto flag_bit = [&](const char* key) -> std::optional<std::uint64_t> {
    auto v = info.number(key);
    if (!v) return std::nullopt;
    if (*v < 0 || *v > 63)
      throw std::runtime_error(std::string("VMCOREINFO has an unusable NUMBER(") + key + ")=" + std::to_string(*v));
    return static_cast<std::uint64_t>(*v);
  };
  auto required_bit = [&](const char* key) {
    auto v = flag_bit(key);
    if (!v) throw MissingVmcoreinfo(std::string("NUMBER(") + key + ")");
    return *v;
  };
  auto int32_number = [&](const char* key) -> std::optional<std::int32_t> {
    auto v = info.number(key);
    if (!v) return std::nullopt;
    return static_cast<std::int32_t>(*v);  // compared with a 32-bit field, as makedumpfile does
  };

  flags_ = required_field("page.flags", 8);
  mapping_ = required_field("page.mapping", 8);
  lru_bit_ = required_bit("PG_lru");
  private_bit_ = required_bit("PG_private");
  swapcache_bit_ = required_bit("PG_swapcache");
  slab_bit_ = flag_bit("PG_slab");  // gone in 6.10, where slab is a page type
  swapbacked_bit_ = flag_bit("PG_swapbacked");
  hwpoison_bit_ = flag_bit("PG_hwpoison");
  hugetlb_bit_ = flag_bit("PG_hugetlb");
  if (auto m = info.number("PG_head_mask")) head_mask_ = static_cast<std::uint64_t>(*m);

  mapcount_ = field("page._mapcount", 4);
  private_ = field("page.private", 8);
  compound_head_ = field("page.compound_head", 8);
  compound_order_ = field("page.compound_order", 1);
  compound_dtor_ = field("page.compound_dtor", 1);
  buddy_value_ = int32_number("PAGE_BUDDY_MAPCOUNT_VALUE");
  offline_value_ = int32_number("PAGE_OFFLINE_MAPCOUNT_VALUE");
  slab_value_ = int32_number("PAGE_SLAB_MAPCOUNT_VALUE");
  hugetlb_value_ = int32_number("PAGE_HUGETLB_MAPCOUNT_VALUE");
  hugetlb_dtor_ = info.number("HUGETLB_PAGE_DTOR");

  if (auto orders = info.length("zone.free_area"); orders && *orders >= 1 && *orders <= 64)
    max_buddy_order_ = static_cast<unsigned>(*orders - 1);
  else
    unavailable_.push_back("VMCOREINFO lacks LENGTH(zone.free_area): free blocks above order 10 are kept");

  auto missing = [&](const char* what, const char* key) {
    unavailable_.push_back(std::string(what) + ": VMCOREINFO lacks " + key);
  };
  if (!buddy_value_) missing("free pages are kept", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)");
  else if (!mapcount_) missing("free pages are kept", "OFFSET(page._mapcount)");
  else if (!private_) missing("free pages are kept", "OFFSET(page.private)");
  if (!head_mask_) missing("compound pages count as their head page only", "NUMBER(PG_head_mask)");
  else if (!compound_order_) missing("compound pages count as their head page only", "OFFSET(page.compound_order)");
  if (!compound_head_) missing("compound tail pages are classified on their own", "OFFSET(page.compound_head)");
  if (!slab_bit_ && !slab_value_) throw MissingVmcoreinfo("NUMBER(PG_slab)");
  if (!hugetlb_dtor_ && !hugetlb_bit_ && !hugetlb_value_) missing("hugetlbfs pages are kept", "NUMBER(HUGETLB_PAGE_DTOR)");
  else if (hugetlb_dtor_ && !compound_dtor_) missing("hugetlbfs pages are kept", "OFFSET(page.compound_dtor)");
}

std::optional<std::uint64_t> PageClassifier::compound_head_of(std::span<const std::byte> page) const {
  if (!compound_head_ || page.size() < size_) return std::nullopt;
  std::uint64_t word = load64(page, *compound_head_);
  if (!(word & 1)) return std::nullopt;
  return word & ~std::uint64_t{1};
}

bool PageClassifier::is_slab(std::uint64_t flags, std::uint32_t mapcount) const {
  if (slab_value_ && page_type_is(mapcount, *slab_value_)) return true;  // 6.10+ (makedumpfile.c isSlab)
  return slab_bit_ && bit(flags, *slab_bit_);
}

bool PageClassifier::is_buddy(std::uint64_t flags, std::uint32_t mapcount) const {
  // makedumpfile.c page_is_buddy_v3 (2.6.38 and later).
  if (!buddy_value_ || !mapcount_ || !private_) return false;
  if (is_slab(flags, mapcount)) return false;
  return page_type_is(mapcount, *buddy_value_);
}

bool PageClassifier::is_cache(std::uint64_t flags) const {
  if (bit(flags, lru_bit_)) return true;
  // PG_swapcache shares its bit with other flags; it means swap cache only
  // with PG_swapbacked (or on kernels before 4.10 that had no PG_swapbacked).
  return (!swapbacked_bit_ || bit(flags, *swapbacked_bit_)) && bit(flags, swapcache_bit_);
}

PageVerdict PageClassifier::classify(std::span<const std::byte> page, std::span<const std::byte> next,
                                     std::uint64_t pfn, DumpLevel level) const {
  PageVerdict v;
  if (page.size() < size_) return v;
  const std::uint64_t flags = load64(page, flags_);
  const std::uint64_t mapping = load64(page, mapping_);
  const std::uint32_t mapcount = mapcount_ ? load32(page, *mapcount_) : 0;

  // The first tail page says how big a compound page is and what frees it.
  unsigned order = 0;
  std::int64_t dtor = -1;
  bool hugetlb_flag = false;
  if (head_mask_ && (flags & *head_mask_) && next.size() >= size_) {
    if (compound_order_) order = std::to_integer<unsigned>(next[*compound_order_]);
    if (compound_dtor_) dtor = std::to_integer<unsigned>(next[*compound_dtor_]);
    if (hugetlb_bit_) hugetlb_flag = bit(load64(next, flags_), *hugetlb_bit_);  // 6.6+: folio flags_1
    if (order > kMaxCompoundOrder || (pfn & ((std::uint64_t{1} << order) - 1)) != 0) {
      order = 0;  // makedumpfile drops an impossible order the same way
      v.suspect = true;
    }
  }
  if (compound_head_ && (load64(page, *compound_head_) & 1)) {
    v.tail = true;
    return v;
  }
  // page->mapping is empty or a kernel pointer (with PAGE_MAPPING_* tag bits)
  // in every struct page a healthy kernel leaves; on x86_64 and arm64 kernel
  // addresses have the top byte 0xff. Random bytes over the memory map almost
  // never pass, and a page judged by noise must not be left out.
  if (mapping != 0 && (mapping >> 56) != 0xff) {
    v.suspect = true;
    return v;
  }

  const bool anon = mapping & kPageMappingAnon;
  // hugetlbfs: compound destructor id (up to 6.5), PG_hugetlb in the first
  // tail's flags (6.6 to 6.8), a page type of the head (6.9 on).
  const bool hugetlb = hugetlb_flag || (hugetlb_dtor_ && dtor == *hugetlb_dtor_) ||
                       (hugetlb_value_ && mapcount_ && page_type_is(mapcount, *hugetlb_value_));
  if (level.excludes(ExclusionClass::kFree) && is_buddy(flags, mapcount)) {
    std::uint64_t buddy_order = load64(page, *private_);
    if (buddy_order > max_buddy_order_ || (pfn & ((std::uint64_t{1} << buddy_order) - 1)) != 0) {
      v.suspect = true;  // a free block that cannot be: keep the page rather than guess
      return v;
    }
    v.exclusion_class = ExclusionClass::kFree;
    v.order = static_cast<std::uint8_t>(buddy_order);
    return v;
  }
  v.order = static_cast<std::uint8_t>(order);
  // Level bit 2 alone takes non-private cache; bit 4 takes both kinds. With
  // both bits the result is the same as with bit 4 alone.
  if (level.excludes(ExclusionClass::kCache) && !level.excludes(ExclusionClass::kCachePrivate) && is_cache(flags) &&
      !bit(flags, private_bit_) && !anon) {
    v.exclusion_class = ExclusionClass::kCache;
  } else if (level.excludes(ExclusionClass::kCachePrivate) && is_cache(flags) && !anon) {
    v.exclusion_class = bit(flags, private_bit_) ? ExclusionClass::kCachePrivate : ExclusionClass::kCache;
  } else if (level.excludes(ExclusionClass::kUser) && (anon || hugetlb)) {
    v.exclusion_class = ExclusionClass::kUser;
  } else if (hwpoison_bit_ && bit(flags, *hwpoison_bit_)) {
    v.exclusion_class = ExclusionClass::kHwpoison;
  } else if (offline_value_ && mapcount_ && !is_slab(flags, mapcount) && page_type_is(mapcount, *offline_value_)) {
    v.exclusion_class = ExclusionClass::kOffline;
  } else {
    v.order = 0;
  }
  return v;
}

}  // namespace kdump
