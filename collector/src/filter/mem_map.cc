#include "filter/mem_map.h"

// The section table is read once, at setup: a root array of pointers (one
// read), then one page per populated root. Sections whose struct page
// arrays follow one another in virtual memory are merged into runs; with
// SPARSEMEM_VMEMMAP (x86_64) every section decodes to the same vmemmap base,
// so a whole machine is usually one or a few runs and the filter can read
// struct pages in large batches across section borders.
//
// Layout facts (include/linux/mmzone.h, 6.1): SECTION_MARKED_PRESENT is bit 0,
// SECTION_HAS_MEM_MAP bit 1; the kernel keeps at least 6 low bits for flags
// ("at least 6 bits are available"), and the coded pointer is
// mem_map - section_nr_to_pfn(nr) (mm/sparse.c, sparse_encode_mem_map). The
// keys come from kernel/crash_core.c: SYMBOL(mem_section) is the root array
// itself (VMCOREINFO_SYMBOL_ARRAY, since 4.15), LENGTH(mem_section) is
// NR_SECTION_ROOTS.

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace kdump {
namespace {

constexpr std::uint64_t kSectionMarkedPresent = 1u << 0;
constexpr std::uint64_t kSectionHasMemMap = 1u << 1;
constexpr std::uint64_t kSectionFlagMask = (1u << 6) - 1;

std::uint64_t load64(const std::byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);  // x86_64 dumps are little-endian, like the host
  return v;
}

std::runtime_error unusable(const std::string& key, std::int64_t value) {
  return std::runtime_error("VMCOREINFO has an unusable " + key + "=" + std::to_string(value));
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// A kernel virtual address on x86_64: the upper half of the address space.
bool kernel_address(std::uint64_t v) { return v >> 63; }

struct Geometry {
  std::uint64_t page_size;
  std::uint64_t struct_page;
  std::uint64_t section_struct;
  std::uint64_t map_offset;
  unsigned pfn_section_shift;
  std::uint64_t nr_sections;
  std::uint64_t roots;
  std::uint64_t per_root;
};

Geometry geometry(const VmcoreInfo& info) {
  Geometry g{};
  auto page_size = info.page_size();
  if (!page_size) throw MissingVmcoreinfo("PAGESIZE");
  g.page_size = *page_size;
  if (g.page_size < 4096 || (g.page_size & (g.page_size - 1)))
    throw unusable("PAGESIZE", static_cast<std::int64_t>(g.page_size));
  std::uint64_t mem_section = info.require_symbol("mem_section");
  (void)mem_section;
  std::int64_t length = info.require_length("mem_section");
  std::int64_t section_size = info.require_size("mem_section");
  std::int64_t map_offset = info.require_offset("mem_section.section_mem_map");
  std::int64_t section_bits = info.require_number("SECTION_SIZE_BITS");
  std::int64_t physmem_bits = info.require_number("MAX_PHYSMEM_BITS");
  std::int64_t struct_page = info.require_size("page");
  unsigned page_shift = static_cast<unsigned>(std::countr_zero(g.page_size));
  if (section_size < 8 || static_cast<std::uint64_t>(section_size) > g.page_size)
    throw unusable("SIZE(mem_section)", section_size);
  if (map_offset < 0 || map_offset + 8 > section_size) throw unusable("OFFSET(mem_section.section_mem_map)", map_offset);
  if (section_bits <= page_shift || section_bits > 40) throw unusable("NUMBER(SECTION_SIZE_BITS)", section_bits);
  if (physmem_bits < section_bits || physmem_bits > 64 || physmem_bits - section_bits > 30)
    throw unusable("NUMBER(MAX_PHYSMEM_BITS)", physmem_bits);
  if (struct_page < 16 || struct_page > 1024) throw unusable("SIZE(page)", struct_page);
  g.struct_page = static_cast<std::uint64_t>(struct_page);
  g.section_struct = static_cast<std::uint64_t>(section_size);
  g.map_offset = static_cast<std::uint64_t>(map_offset);
  g.pfn_section_shift = static_cast<unsigned>(section_bits) - page_shift;
  g.nr_sections = std::uint64_t{1} << (physmem_bits - section_bits);
  if (length <= 0 || static_cast<std::uint64_t>(length) > g.nr_sections) throw unusable("LENGTH(mem_section)", length);
  if (static_cast<std::uint64_t>(length) == g.nr_sections) {
    g.roots = 1;  // plain SPARSEMEM: one inline array of every section
    g.per_root = g.nr_sections;
  } else {
    g.roots = static_cast<std::uint64_t>(length);
    g.per_root = g.page_size / g.section_struct;
  }
  return g;
}

}  // namespace

MemMap::MemMap(std::uint64_t struct_page_size, std::vector<MemMapRun> runs)
    : page_size_(struct_page_size), runs_(std::move(runs)) {
  std::sort(runs_.begin(), runs_.end(), [](const auto& a, const auto& b) { return a.start_pfn < b.start_pfn; });
}

MemMap MemMap::load(KernelMemory& memory) {
  const VmcoreInfo& info = memory.vmcoreinfo();
  Geometry g = geometry(info);
  MemMap map;
  map.page_size_ = g.struct_page;
  std::uint64_t table = *info.symbol("mem_section");

  std::vector<std::uint64_t> root_addresses;
  if (g.roots == 1 && g.per_root == g.nr_sections) {
    root_addresses.push_back(table);
  } else {
    std::vector<std::byte> raw(g.roots * 8);
    std::size_t got = memory.read_virtual(table, raw);
    if (got < raw.size())
      map.problems_.push_back("mem_section root array at " + hex(table) + " is unreadable after byte " +
                              std::to_string(got) + "; sections beyond it have no mem_map");
    for (std::size_t i = 0; i + 8 <= got; i += 8) root_addresses.push_back(load64(raw.data() + i));
  }

  const std::size_t chunk_sections = std::max<std::uint64_t>(1, 65536 / g.section_struct);
  std::vector<std::byte> buf(chunk_sections * g.section_struct);
  for (std::uint64_t r = 0; r < root_addresses.size(); ++r) {
    std::uint64_t root = root_addresses[r];
    if (root == 0) continue;
    if (!kernel_address(root)) {
      map.problems_.push_back("mem_section root " + std::to_string(r) + " points outside the kernel (" + hex(root) + ")");
      continue;
    }
    for (std::uint64_t first = 0; first < g.per_root; first += chunk_sections) {
      std::uint64_t n = std::min<std::uint64_t>(chunk_sections, g.per_root - first);
      std::span<std::byte> want(buf.data(), n * g.section_struct);
      std::size_t got = memory.read_virtual(root + first * g.section_struct, want);
      if (got < want.size()) {
        map.problems_.push_back("mem_section root " + std::to_string(r) + " is unreadable at section " +
                                std::to_string(r * g.per_root + first + got / g.section_struct));
        n = got / g.section_struct;
      }
      for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t nr = r * g.per_root + first + i;
        std::uint64_t coded = load64(buf.data() + i * g.section_struct + g.map_offset);
        if (!(coded & kSectionMarkedPresent) || !(coded & kSectionHasMemMap)) continue;
        std::uint64_t start_pfn = nr << g.pfn_section_shift;
        std::uint64_t pages = std::uint64_t{1} << g.pfn_section_shift;
        // Wrapping arithmetic undoes the kernel's "mem_map - start_pfn".
        std::uint64_t first_page = (coded & ~kSectionFlagMask) + start_pfn * g.struct_page;
        std::uint64_t last_byte = first_page + pages * g.struct_page - 1;
        if (!kernel_address(first_page) || last_byte < first_page) {
          map.problems_.push_back("section " + std::to_string(nr) + " has an impossible mem_map " + hex(coded));
          continue;
        }
        ++map.sections_;
        if (!map.runs_.empty()) {
          auto& last = map.runs_.back();
          if (last.end_pfn == start_pfn && last.first_page + (last.end_pfn - last.start_pfn) * g.struct_page == first_page) {
            last.end_pfn += pages;
            continue;
          }
        }
        map.runs_.push_back({start_pfn, start_pfn + pages, first_page});
      }
      if (got < want.size()) break;
    }
  }
  return map;
}

std::size_t MemMap::run_at_or_after(std::uint64_t pfn) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), pfn,
                             [](std::uint64_t p, const MemMapRun& r) { return p < r.end_pfn; });
  return static_cast<std::size_t>(it - runs_.begin());
}

std::optional<std::uint64_t> MemMap::page_address(std::uint64_t pfn) const {
  std::size_t i = run_at_or_after(pfn);
  if (i == runs_.size() || pfn < runs_[i].start_pfn) return std::nullopt;
  return runs_[i].first_page + (pfn - runs_[i].start_pfn) * page_size_;
}

}  // namespace kdump
