#include "filter/page_census.h"

#include <doctest/doctest.h>

#include "support/filter_mem_map_builder.h"

namespace kdump {
namespace {

using test::FilterMemMapBuilder;

std::uint64_t excluded(const PageCounts& c, ExclusionClass k) { return c.excluded[static_cast<std::size_t>(k)]; }

TEST_CASE("page census: zero pages are those kept pages that hold only zeros") {
  struct Case {
    unsigned level;
    std::uint64_t zero, free;
  };
  // 8192 pfns: pfns 0..99 hold data, 4096..5119 are a free block (zeros),
  // everything else is zeros.
  const Case cases[] = {{0, 0, 0}, {1, 8192 - 100, 0}, {16, 0, 1024}, {17, 8192 - 100 - 1024, 1024}};
  FilterMemMapBuilder image(8192);
  for (std::uint64_t pfn = 0; pfn < 100; ++pfn) image.fill_page(pfn, std::byte{0xee});
  image.free_block(4096, 10);
  auto memory = image.build();
  for (const auto& c : cases) {
    CAPTURE(c.level);
    auto census = take_page_census(*memory, *DumpLevel::from_int(c.level), {{0, 8192}}, 4096);
    CHECK(census.problems.empty());
    CHECK(excluded(census.counts, ExclusionClass::kZero) == c.zero);
    CHECK(excluded(census.counts, ExclusionClass::kFree) == c.free);
  }
}

TEST_CASE("page census: pages that cannot be read stay in and are reported") {
  FilterMemMapBuilder image(1024);
  auto memory = image.build();
  memory->zero_physical_below(0);  // only mapped pages can be read now
  memory->map_physical(10 * 4096, std::vector<std::byte>(3 * 4096));
  auto census = take_page_census(*memory, *DumpLevel::from_int(1), {{0, 1024}}, 4096);
  CHECK(excluded(census.counts, ExclusionClass::kZero) == 3);
  REQUIRE(census.problems.size() == 1);
  CHECK(census.problems[0] == "1021 kept pages could not be read to look for zeros (the first is pfn 0)");
}

TEST_CASE("present_pfns: makedumpfile's rounding, overlaps kept") {
  std::vector<PhysicalRange> ranges{{0x1000, 0x9ec00}, {0x100000, 0x100000}, {0x180000, 0x1000}};
  auto pfns = present_pfns(ranges, 4096);
  REQUIRE(pfns.size() == 3);
  CHECK(pfns[0].start == 1);
  CHECK(pfns[0].end == 0x9f);
  CHECK(pfns[1].start == 0x100);
  CHECK(pfns[1].end == 0x200);
  CHECK(pfns[2].start == 0x180);
  CHECK(pfns[2].end == 0x181);
}

}  // namespace
}  // namespace kdump
