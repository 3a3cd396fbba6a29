#include "filter/mem_map.h"

#include <doctest/doctest.h>

#include <cstring>

#include "support/filter_mem_map_builder.h"

namespace kdump {
namespace {

using test::FakeKernelMemory;
using test::FilterMemMapBuilder;

constexpr std::uint64_t kTable = 0xffff888000300000ull;

// A plain SPARSEMEM kernel: 32 sections of 2^27 bytes (MAX_PHYSMEM_BITS 32),
// the section array inline at kTable.
std::string flat_info(const char* size_mem_section = "16") {
  return std::string("PAGESIZE=4096\nSYMBOL(mem_section)=ffff888000300000\nLENGTH(mem_section)=32\n") +
         "SIZE(mem_section)=" + size_mem_section +
         "\nOFFSET(mem_section.section_mem_map)=0\nNUMBER(SECTION_SIZE_BITS)=27\n"
         "NUMBER(MAX_PHYSMEM_BITS)=32\nSIZE(page)=64\n";
}

std::vector<std::byte> flat_table(std::initializer_list<std::pair<unsigned, std::uint64_t>> sections) {
  std::vector<std::byte> t(32 * 16);
  for (auto [nr, word] : sections) std::memcpy(t.data() + nr * 16, &word, 8);
  return t;
}

TEST_CASE("mem_map: SPARSEMEM_EXTREME sections with one vmemmap become one run") {
  FilterMemMapBuilder image(3 * 32768);
  image.drop_section(1);
  auto memory = image.build();
  MemMap map = MemMap::load(*memory);
  CHECK(map.problems().empty());
  CHECK(map.sections() == 2);
  REQUIRE(map.runs().size() == 2);
  CHECK(map.runs()[0].start_pfn == 0);
  CHECK(map.runs()[0].end_pfn == 32768);
  CHECK(map.runs()[1].start_pfn == 65536);
  CHECK(map.runs()[1].first_page == FilterMemMapBuilder::kVmemmap + 65536 * 64);
  CHECK(map.page_address(65537) == FilterMemMapBuilder::kVmemmap + 65537 * 64);
  CHECK_FALSE(map.page_address(40000).has_value());
  CHECK(map.run_at_or_after(40000) == 1);
}

TEST_CASE("mem_map: plain SPARSEMEM, the coded pointers and flag bits of each section") {
  const std::uint64_t a = 0xffffc90000000000ull, b = 0xffffc90010000000ull;
  FakeKernelMemory memory(flat_info());
  memory.map_virtual(kTable, flat_table({
                                 {0, a | 3},                      // present, has mem_map
                                 {1, (a + 0) | 3},                // coded as mem_map - start_pfn: same base
                                 {2, (a + 0) | 1},                // present without mem_map
                                 {3, (b - 3 * 32768 * 64) | 3},   // another array
                                 {4, 0x00007f0000000000ull | 3},  // not a kernel address
                                 {5, a},                          // not present
                             }));
  MemMap map = MemMap::load(memory);
  REQUIRE(map.runs().size() == 2);
  CHECK(map.runs()[0].start_pfn == 0);
  CHECK(map.runs()[0].end_pfn == 65536);
  CHECK(map.runs()[0].first_page == a);
  CHECK(map.runs()[1].start_pfn == 3 * 32768);
  CHECK(map.runs()[1].first_page == b);
  REQUIRE(map.problems().size() == 1);
  CHECK(map.problems()[0] == "section 4 has an impossible mem_map 0x7f0000000003");
}

TEST_CASE("mem_map: a table that cannot be read is reported, not fatal") {
  FakeKernelMemory memory(flat_info());
  MemMap map = MemMap::load(memory);
  CHECK(map.runs().empty());
  REQUIRE(map.problems().size() == 1);
  CHECK(map.problems()[0] == "mem_section root 0 is unreadable at section 0");
}

TEST_CASE("mem_map: keys it needs, by name, and values it cannot use") {
  struct Case {
    std::string info;
    std::string message;
  };
  auto without = [](std::string info, const std::string& line) {
    info.erase(info.find(line), line.size() + 1);
    return info;
  };
  const Case cases[] = {
      {without(flat_info(), "SYMBOL(mem_section)=ffff888000300000"), "VMCOREINFO lacks SYMBOL(mem_section)"},
      {without(flat_info(), "LENGTH(mem_section)=32"), "VMCOREINFO lacks LENGTH(mem_section)"},
      {without(flat_info(), "NUMBER(SECTION_SIZE_BITS)=27"), "VMCOREINFO lacks NUMBER(SECTION_SIZE_BITS)"},
      {without(flat_info(), "NUMBER(MAX_PHYSMEM_BITS)=32"), "VMCOREINFO lacks NUMBER(MAX_PHYSMEM_BITS)"},
      {without(flat_info(), "PAGESIZE=4096"), "VMCOREINFO lacks PAGESIZE"},
      {flat_info("0"), "VMCOREINFO has an unusable SIZE(mem_section)=0"},
      {flat_info("8192"), "VMCOREINFO has an unusable SIZE(mem_section)=8192"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.message);
    FakeKernelMemory memory(c.info);
    std::string what;
    try {
      MemMap::load(memory);
    } catch (const std::exception& e) {
      what = e.what();
    }
    CHECK(what == c.message);
  }
}

}  // namespace
}  // namespace kdump
