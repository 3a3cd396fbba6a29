#include "support/filter_mem_map_builder.h"

// Values follow Debian's 6.1 x86_64 kernel: struct page is 64 bytes with
// flags at 0, compound_head/lru at 8, compound_dtor and compound_order at 16
// and 17 (first tail page), mapping at 24, private at 40, _mapcount at 48,
// _refcount at 52 (include/linux/mm_types.h); sections of 2^27 bytes,
// 256 sections per root (4096 / 16-byte struct mem_section).

#include <algorithm>
#include <cstring>
#include <sstream>

namespace kdump::test {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kStructPage = 64;
constexpr std::uint64_t kPfnsPerSection = 32768;
constexpr std::uint64_t kSectionsPerRoot = 256;
constexpr std::uint64_t kRoots = 2048;
constexpr std::uint64_t kTable = 0xffff888000100000ull;
constexpr std::uint64_t kRootPages = 0xffff888000200000ull;

template <typename T>
void put(std::vector<std::byte>& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

}  // namespace

std::size_t FakeKernelMemory::read(const Regions& regions, bool virt, std::uint64_t addr,
                                   std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    std::uint64_t a = addr + done;
    if (virt && hidden_.count(a / kPage)) break;
    std::size_t limit = out.size() - done;
    if (virt) limit = std::min<std::uint64_t>(limit, (a / kPage + 1) * kPage - a);  // re-check hidden per page
    auto it = regions.upper_bound(a);
    if (it != regions.begin()) {
      auto r = std::prev(it);
      if (a - r->first < r->second.size()) {
        std::size_t n = std::min<std::uint64_t>(limit, r->second.size() - (a - r->first));
        std::memcpy(out.data() + done, r->second.data() + (a - r->first), n);
        done += n;
        continue;
      }
    }
    if (!virt && a < zero_limit_) {
      std::uint64_t until = it == regions.end() ? zero_limit_ : std::min(zero_limit_, it->first);
      std::size_t n = std::min<std::uint64_t>(limit, until - a);
      std::memset(out.data() + done, 0, n);
      done += n;
      continue;
    }
    break;
  }
  return done;
}

std::size_t FakeKernelMemory::read_virtual(std::uint64_t vaddr, std::span<std::byte> out) {
  ++virtual_reads_;
  return read(virt_, true, vaddr, out);
}

std::size_t FakeKernelMemory::read_physical(std::uint64_t paddr, std::span<std::byte> out) {
  return read(phys_, false, paddr, out);
}

FilterMemMapBuilder::FilterMemMapBuilder(std::uint64_t pfns) : pages_(pfns) {}

void FilterMemMapBuilder::free_block(std::uint64_t pfn, unsigned order) {
  page(pfn).mapcount = kBuddy;
  page(pfn).private_ = order;
}

void FilterMemMapBuilder::compound(std::uint64_t pfn, unsigned order, FakePage head, std::uint8_t dtor) {
  head.flags |= std::uint64_t{1} << kPgHead;
  page(pfn) = head;
  std::uint64_t head_address = kVmemmap + pfn * kStructPage;
  for (std::uint64_t i = 1; i < (std::uint64_t{1} << order); ++i) {
    page(pfn + i) = FakePage{};
    page(pfn + i).compound_head = head_address | 1;
  }
  page(pfn + 1).compound_dtor = dtor;
  page(pfn + 1).compound_order = static_cast<std::uint8_t>(order);
}

void FilterMemMapBuilder::cache(std::uint64_t pfn, bool with_private) {
  page(pfn).flags |= std::uint64_t{1} << kPgLru;
  if (with_private) page(pfn).flags |= std::uint64_t{1} << kPgPrivate;
  page(pfn).mapping = kFileMapping;
}

void FilterMemMapBuilder::anon(std::uint64_t pfn) {
  page(pfn).flags |= (std::uint64_t{1} << kPgLru) | (std::uint64_t{1} << kPgSwapbacked);
  page(pfn).mapping = kAnonMapping;
}

void FilterMemMapBuilder::hide_struct_pages(std::uint64_t first, std::uint64_t last) {
  hidden_.emplace_back(first, last);
}

std::string FilterMemMapBuilder::vmcoreinfo() const {
  std::map<std::string, std::string> kv{
      {"OSRELEASE", "6.1.0-test-amd64"},
      {"PAGESIZE", "4096"},
      {"SYMBOL(mem_section)", "ffff888000100000"},
      {"LENGTH(mem_section)", std::to_string(kRoots)},
      {"SIZE(mem_section)", "16"},
      {"OFFSET(mem_section.section_mem_map)", "0"},
      {"NUMBER(SECTION_SIZE_BITS)", "27"},
      {"NUMBER(MAX_PHYSMEM_BITS)", "46"},
      {"SIZE(page)", "64"},
      {"OFFSET(page.flags)", "0"},
      {"OFFSET(page._refcount)", "52"},
      {"OFFSET(page.mapping)", "24"},
      {"OFFSET(page.lru)", "8"},
      {"OFFSET(page._mapcount)", "48"},
      {"OFFSET(page.private)", "40"},
      {"OFFSET(page.compound_dtor)", "16"},
      {"OFFSET(page.compound_order)", "17"},
      {"OFFSET(page.compound_head)", "8"},
      {"LENGTH(zone.free_area)", "11"},
      {"NUMBER(PG_lru)", std::to_string(kPgLru)},
      {"NUMBER(PG_private)", std::to_string(kPgPrivate)},
      {"NUMBER(PG_swapcache)", std::to_string(kPgSwapcache)},
      {"NUMBER(PG_swapbacked)", std::to_string(kPgSwapbacked)},
      {"NUMBER(PG_slab)", std::to_string(kPgSlab)},
      {"NUMBER(PG_hwpoison)", std::to_string(kPgHwpoison)},
      {"NUMBER(PG_head_mask)", std::to_string(1u << kPgHead)},
      {"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", std::to_string(kBuddy)},
      {"NUMBER(HUGETLB_PAGE_DTOR)", std::to_string(kHugetlbDtor)},
      {"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", std::to_string(kOffline)},
  };
  for (const auto& [k, v] : overrides_) kv[k] = v;
  std::ostringstream out;
  for (const auto& [k, v] : kv)
    if (!dropped_.count(k)) out << k << '=' << v << '\n';
  return out.str();
}

std::unique_ptr<FakeKernelMemory> FilterMemMapBuilder::build() const {
  auto mem = std::make_unique<FakeKernelMemory>(vmcoreinfo());
  const std::uint64_t pfns = pages_.size();
  const std::uint64_t sections = (pfns + kPfnsPerSection - 1) / kPfnsPerSection;
  const std::uint64_t roots = (sections + kSectionsPerRoot - 1) / kSectionsPerRoot;

  std::vector<std::byte> table(kRoots * 8);
  for (std::uint64_t r = 0; r < roots; ++r) {
    put<std::uint64_t>(table, r * 8, kRootPages + r * kPage);
    std::vector<std::byte> root(kPage);
    for (std::uint64_t i = 0; i < kSectionsPerRoot; ++i) {
      std::uint64_t nr = r * kSectionsPerRoot + i;
      if (nr >= sections || dropped_sections_.count(nr)) continue;
      // mm/sparse.c: the coded map is mem_map - start_pfn; flags present,
      // has-mem-map, online, early.
      std::uint64_t start = nr * kPfnsPerSection;
      put<std::uint64_t>(root, i * 16, (kVmemmap + start * kStructPage - start * kStructPage) | 0xf);
    }
    mem->map_virtual(kRootPages + r * kPage, std::move(root));
  }
  mem->map_virtual(kTable, std::move(table));

  std::vector<std::byte> array(pfns * kStructPage);
  for (std::uint64_t pfn = 0; pfn < pfns; ++pfn) {
    const FakePage& p = pages_[pfn];
    std::size_t at = pfn * kStructPage;
    put<std::uint64_t>(array, at + 0, p.flags);
    if (p.compound_head) {
      put<std::uint64_t>(array, at + 8, p.compound_head);
    }
    array[at + 16] = std::byte{p.compound_dtor};
    array[at + 17] = std::byte{p.compound_order};
    put<std::uint64_t>(array, at + 24, p.mapping);
    put<std::uint64_t>(array, at + 40, p.private_);
    put<std::int32_t>(array, at + 48, p.mapcount);
    put<std::int32_t>(array, at + 52, 1);
  }
  mem->map_virtual(kVmemmap, std::move(array));
  for (const auto& [first, last] : hidden_)
    for (std::uint64_t a = (kVmemmap + first * kStructPage) / kPage * kPage; a < kVmemmap + last * kStructPage; a += kPage)
      mem->hide_virtual_page(a);
  for (const auto& [pfn, byte] : filled_) mem->map_physical(pfn * kPage, std::vector<std::byte>(kPage, byte));
  mem->zero_physical_below(pfns * kPage);
  return mem;
}

}  // namespace kdump::test
