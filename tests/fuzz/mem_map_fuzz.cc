// Fuzz target for the page filter: a section table and struct pages made of
// the fuzzer's bytes, under a VMCOREINFO whose geometry and keys the input
// also chooses. The filter must never crash or hang, must account for every
// present page (kept + left out = present), and must give the same bitmaps
// when a cycle is decided again.
//
// Input: 16 header bytes, then the memory image.
//   0      dump level (low 5 bits)
//   1      cycle size: 64 << (b % 10) pfns
//   2      SIZE(page) selector (64 most of the time)
//   3      SECTION_SIZE_BITS: 15 + b % 16
//   4      MAX_PHYSMEM_BITS - SECTION_SIZE_BITS: b % 12
//   5..6   present pfns (little-endian, at most 65535)
//   7      LENGTH(mem_section): 1 + b
//   8..11  bit mask of VMCOREINFO keys to leave out
//   12..15 offset of the section table in the image
// The image is mapped at the direct-map base and at the vmemmap base.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "filter/page_filter.h"
#include "filter/page_report.h"

namespace {

constexpr std::uint64_t kDirectMap = 0xffff888000000000ull;
constexpr std::uint64_t kVmemmap = 0xffffea0000000000ull;

class ImageMemory final : public kdump::KernelMemory {
 public:
  ImageMemory(const std::uint8_t* data, std::size_t size, std::string info)
      : data_(data), size_(size), info_(kdump::VmcoreInfo::parse(info)) {}
  std::size_t read_virtual(std::uint64_t vaddr, std::span<std::byte> out) override {
    for (std::uint64_t base : {kDirectMap, kVmemmap}) {
      if (vaddr < base || vaddr - base >= size_) continue;
      std::size_t n = std::min<std::uint64_t>(out.size(), size_ - (vaddr - base));
      std::memcpy(out.data(), data_ + (vaddr - base), n);
      return n;
    }
    return 0;
  }
  std::size_t read_physical(std::uint64_t, std::span<std::byte>) override { return 0; }
  const kdump::VmcoreInfo& vmcoreinfo() const override { return info_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  kdump::VmcoreInfo info_;
};

struct Key {
  const char* name;
  std::string value;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 16) return 0;
  const unsigned level = data[0] & 31;
  const std::uint64_t cycle = std::uint64_t{64} << (data[1] % 10);
  const unsigned page_size_choice = data[2] % 8;
  const unsigned section_bits = 15 + data[3] % 16;
  const unsigned physmem_bits = section_bits + data[4] % 12;
  const std::uint64_t pfns = data[5] | (std::uint64_t{data[6]} << 8);
  const unsigned length = 1u + data[7];
  std::uint32_t drop;
  std::memcpy(&drop, data + 8, 4);
  std::uint32_t table;
  std::memcpy(&table, data + 12, 4);
  const std::uint8_t* image = data + 16;
  const std::size_t image_size = size - 16;

  const char* page_sizes[] = {"64", "64", "64", "64", "56", "8", "4096", "-1"};
  const Key keys[] = {
      {"PAGESIZE", "4096"},
      {"SYMBOL(mem_section)", [&] {
         char b[32];
         std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(kDirectMap + table % (image_size + 1)));
         return std::string(b);
       }()},
      {"LENGTH(mem_section)", std::to_string(length)},
      {"SIZE(mem_section)", "16"},
      {"OFFSET(mem_section.section_mem_map)", "0"},
      {"NUMBER(SECTION_SIZE_BITS)", std::to_string(section_bits)},
      {"NUMBER(MAX_PHYSMEM_BITS)", std::to_string(physmem_bits)},
      {"SIZE(page)", page_sizes[page_size_choice]},
      {"OFFSET(page.flags)", "0"},
      {"OFFSET(page.mapping)", "24"},
      {"OFFSET(page._mapcount)", "48"},
      {"OFFSET(page.private)", "40"},
      {"OFFSET(page.compound_dtor)", "16"},
      {"OFFSET(page.compound_order)", "17"},
      {"OFFSET(page.compound_head)", "8"},
      {"LENGTH(zone.free_area)", "11"},
      {"NUMBER(PG_lru)", "4"},
      {"NUMBER(PG_private)", "13"},
      {"NUMBER(PG_swapcache)", "10"},
      {"NUMBER(PG_swapbacked)", "19"},
      {"NUMBER(PG_slab)", "9"},
      {"NUMBER(PG_hwpoison)", "23"},
      {"NUMBER(PG_head_mask)", "65536"},
      {"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "-129"},
      {"NUMBER(HUGETLB_PAGE_DTOR)", "2"},
      {"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-257"},
      {"NUMBER(PG_hugetlb)", "6"},
      {"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", "-1025"},
  };
  std::string info;
  for (std::size_t i = 0; i < sizeof keys / sizeof keys[0]; ++i) {
    // The last two keys belong to newer kernels: present only when asked for.
    bool newer = i + 2 >= sizeof keys / sizeof keys[0];
    if (((drop >> (i % 32)) & 1) != newer) continue;
    info += std::string(keys[i].name) + "=" + keys[i].value + "\n";
  }

  ImageMemory memory(image, image_size, info);
  kdump::DumpLevelFilterOptions options;
  options.batch_pages = 1 + data[1] * 37u;
  kdump::DumpLevelFilter filter(memory, *kdump::DumpLevel::from_int(level), {{0, pfns}}, options);
  std::vector<std::vector<std::uint64_t>> first_pass;
  std::uint64_t kept = 0;
  for (std::uint64_t s = 0; s < filter.end_pfn(); s += cycle) {
    const auto& b = filter.run_cycle(s, std::min(s + cycle, filter.end_pfn()));
    kept += b.count();
    first_pass.push_back(b.words());
  }
  const auto& c = filter.counts();
  if (kept + c.excluded_total() != c.present) __builtin_trap();
  auto counted = c.excluded;
  for (std::uint64_t i = first_pass.size(); i-- > 0;) {
    std::uint64_t s = i * cycle;
    if (filter.run_cycle(s, std::min(s + cycle, filter.end_pfn())).words() != first_pass[i]) __builtin_trap();
  }
  if (filter.counts().excluded != counted) __builtin_trap();
  (void)kdump::format_makedumpfile_report(filter.counts());
  return 0;
}
