#include "filter/page_filter.h"

#include <doctest/doctest.h>

#include "support/filter_mem_map_builder.h"

namespace kdump {
namespace {

using test::FakePage;
using test::FilterMemMapBuilder;

constexpr std::uint64_t kPfns = 40000;  // two sections, the second one partly

// One page or block of every class, at known pfns.
FilterMemMapBuilder sample() {
  FilterMemMapBuilder b(kPfns);
  b.free_block(1024, 10);  // 1024 free pages
  b.cache(5000, false);
  b.cache(5001, true);
  b.anon(5002);
  b.page(6000).flags = std::uint64_t{1} << FilterMemMapBuilder::kPgHwpoison;
  b.page(6001).mapcount = FilterMemMapBuilder::kOffline;
  // A slab page whose _mapcount word happens to hold the buddy value.
  b.page(6002).flags = std::uint64_t{1} << FilterMemMapBuilder::kPgSlab;
  b.page(6002).mapcount = FilterMemMapBuilder::kBuddy;
  // Swap cache of shmem: PG_swapcache with PG_swapbacked, not anonymous.
  b.page(6003).flags = (std::uint64_t{1} << FilterMemMapBuilder::kPgSwapcache) |
                       (std::uint64_t{1} << FilterMemMapBuilder::kPgSwapbacked);
  b.page(6003).mapping = FilterMemMapBuilder::kFileMapping;
  // PG_owner_priv_1 without PG_swapbacked is not swap cache (PG_checked).
  b.page(6004).flags = std::uint64_t{1} << FilterMemMapBuilder::kPgSwapcache;
  b.page(6004).mapping = FilterMemMapBuilder::kFileMapping;
  // A cache page that is also poisoned: cache when caches go, else hwpoison.
  b.cache(6005, false);
  b.page(6005).flags |= std::uint64_t{1} << FilterMemMapBuilder::kPgHwpoison;
  FakePage anon_head;
  anon_head.mapping = FilterMemMapBuilder::kAnonMapping;
  b.compound(8192, 9, anon_head);                                  // transparent huge page
  b.compound(9216, 9, FakePage{}, FilterMemMapBuilder::kHugetlbDtor);  // hugetlbfs page
  FakePage cache_head;
  cache_head.flags = std::uint64_t{1} << FilterMemMapBuilder::kPgLru;
  cache_head.mapping = FilterMemMapBuilder::kFileMapping;
  b.compound(10240, 2, cache_head);  // a large folio of page cache
  b.compound(11264, 3, FakePage{});  // a kernel compound page: kept
  b.free_block(33792, 9);            // in the second section
  return b;
}

struct Counts {
  std::uint64_t cache, cache_private, user, free, hwpoison, offline;
};

Counts counts_of(const PageCounts& c) {
  auto at = [&](ExclusionClass k) { return c.excluded[static_cast<std::size_t>(k)]; };
  return {at(ExclusionClass::kCache), at(ExclusionClass::kCachePrivate), at(ExclusionClass::kUser),
          at(ExclusionClass::kFree),  at(ExclusionClass::kHwpoison),     at(ExclusionClass::kOffline)};
}

std::uint64_t run_all(DumpLevelFilter& f, std::uint64_t cycle) {
  std::uint64_t kept = 0;
  for (std::uint64_t s = 0; s < f.end_pfn(); s += cycle) kept += f.run_cycle(s, std::min(s + cycle, f.end_pfn())).count();
  return kept;
}

TEST_CASE("page filter: classes per dump level, in makedumpfile's order") {
  struct Case {
    unsigned level;
    Counts expected;
  };
  const Case cases[] = {
      {0, {0, 0, 0, 0, 2, 1}},        {1, {0, 0, 0, 0, 2, 1}},
      {2, {7, 0, 0, 0, 1, 1}},        {4, {7, 1, 0, 0, 1, 1}},
      {8, {0, 0, 1025, 0, 2, 1}},     {16, {0, 0, 0, 1536, 2, 1}},
      {17, {0, 0, 0, 1536, 2, 1}},    {23, {7, 1, 0, 1536, 1, 1}},
      {31, {7, 1, 1025, 1536, 1, 1}},
  };
  auto image = sample();
  auto memory = image.build();
  for (const auto& c : cases) {
    CAPTURE(c.level);
    DumpLevelFilter f(*memory, *DumpLevel::from_int(c.level), {{0, kPfns}});
    CHECK(f.problems().empty());
    std::uint64_t kept = run_all(f, kPfns);
    Counts got = counts_of(f.counts());
    CHECK(got.cache == c.expected.cache);
    CHECK(got.cache_private == c.expected.cache_private);
    CHECK(got.user == c.expected.user);
    CHECK(got.free == c.expected.free);
    CHECK(got.hwpoison == c.expected.hwpoison);
    CHECK(got.offline == c.expected.offline);
    CHECK(kept + f.counts().excluded_total() == kPfns);
    CHECK(f.counts().unreadable_metadata == 0);
    CHECK(f.counts().suspect_metadata == 0);
  }
}

TEST_CASE("page filter: the bitmap says which pages stay") {
  auto memory = sample().build();
  DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
  const PfnBitmap& b = f.run_cycle(0, kPfns);
  CHECK(b.test(1023));
  CHECK_FALSE(b.test(1024));
  CHECK_FALSE(b.test(2047));
  CHECK(b.test(2048));
  CHECK_FALSE(b.test(8192 + 511));  // THP tail
  CHECK(b.test(11264));             // kernel compound head
  CHECK(b.test(11265));             // and its tail
  CHECK(b.test(6002));              // slab
  CHECK(b.test(6004));              // PG_checked is not swap cache
}

TEST_CASE("page filter: small cycles and small batches give the same answer") {
  struct Case {
    std::uint64_t cycle;
    std::size_t batch;
  };
  const Case cases[] = {{kPfns, 32768}, {1000, 32768}, {1000, 7}, {333, 100}, {64, 64}, {4096, 1}};
  auto memory = sample().build();
  DumpLevelFilter whole(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
  std::uint64_t kept_whole = run_all(whole, kPfns);
  for (const auto& c : cases) {
    CAPTURE(c.cycle);
    CAPTURE(c.batch);
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}}, {c.batch});
    CHECK(run_all(f, c.cycle) == kept_whole);
    CHECK(f.counts().excluded == whole.counts().excluded);
  }
}

TEST_CASE("page filter: cycles in any order, and again, give the same bitmaps and count once") {
  struct Case {
    std::uint64_t cycle;
  };
  const Case cases[] = {{333}, {1000}, {4096}, {32768}};
  auto memory = sample().build();
  for (const auto& c : cases) {
    CAPTURE(c.cycle);
    DumpLevelFilter reference(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    std::vector<std::vector<std::uint64_t>> words;
    for (std::uint64_t s = 0; s < kPfns; s += c.cycle) words.push_back(reference.run_cycle(s, std::min(s + c.cycle, kPfns)).words());

    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    for (std::uint64_t s = 0; s < kPfns; s += c.cycle) f.run_cycle(s, std::min(s + c.cycle, kPfns));
    auto first_pass = f.counts().excluded;
    // Second pass, backwards: every cycle starts afresh.
    for (std::uint64_t i = words.size(); i-- > 0;) {
      std::uint64_t s = i * c.cycle;
      CAPTURE(s);
      CHECK(f.run_cycle(s, std::min(s + c.cycle, kPfns)).words() == words[i]);
    }
    // Third pass, forwards again.
    for (std::uint64_t i = 0; i < words.size(); ++i) {
      std::uint64_t s = i * c.cycle;
      CHECK(f.run_cycle(s, std::min(s + c.cycle, kPfns)).words() == words[i]);
    }
    CHECK(f.counts().excluded == first_pass);
    CHECK(f.counts().excluded == reference.counts().excluded);
  }
}

TEST_CASE("page filter: struct pages are read in large batches") {
  FilterMemMapBuilder b(65536);
  auto memory = b.build();
  DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, 65536}});
  std::uint64_t setup_reads = memory->virtual_reads();
  run_all(f, 65536);
  CHECK(memory->virtual_reads() - setup_reads == 2);  // 2 x 2 MiB of struct pages
}

TEST_CASE("page filter: only pages the dump holds are judged and counted") {
  auto memory = sample().build();
  // The dump lacks [1536, 5000): half of the free block and nothing else.
  DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, 1536}, {5000, kPfns}});
  std::uint64_t kept = run_all(f, kPfns);
  CHECK(counts_of(f.counts()).free == 512 + 512);
  CHECK(f.counts().present == kPfns - 3464);
  CHECK(f.counts().hole == 3464);
  CHECK(f.counts().total == kPfns);
  CHECK(kept + f.counts().excluded_total() == f.counts().present);
  CHECK(f.counts().overlap == 0);
}

TEST_CASE("page filter: overlapping ranges are judged once and their overlap is counted") {
  auto memory = sample().build();
  DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}, {1000, 1100}, {kPfns - 5, kPfns}});
  run_all(f, kPfns);
  CHECK(f.counts().present == kPfns);
  CHECK(f.counts().overlap == 105);
  CHECK(counts_of(f.counts()).free == 1536);
}

TEST_CASE("page filter: missing VMCOREINFO keys keep the pages and say which key") {
  struct Case {
    const char* key;
    const char* problem;
    std::uint64_t free, user;
  };
  const Case cases[] = {
      {"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)",
       "free pages are kept: VMCOREINFO lacks NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", 0, 1025},
      {"OFFSET(page._mapcount)", "free pages are kept: VMCOREINFO lacks OFFSET(page._mapcount)", 0, 1025},
      {"NUMBER(HUGETLB_PAGE_DTOR)", "hugetlbfs pages are kept: VMCOREINFO lacks NUMBER(HUGETLB_PAGE_DTOR)", 1536,
       513},
      {"OFFSET(page.compound_order)",
       "compound pages count as their head page only: VMCOREINFO lacks OFFSET(page.compound_order)", 1536, 3},
      {"SIZE(page)", "VMCOREINFO lacks SIZE(page): no page can be classified, so every page is kept but those filled with zeros", 0, 0},
      {"SYMBOL(mem_section)",
       "VMCOREINFO lacks SYMBOL(mem_section): no page can be classified, so every page is kept but those filled with zeros", 0, 0},
      {"NUMBER(PG_lru)", "VMCOREINFO lacks NUMBER(PG_lru): no page can be classified, so every page is kept but those filled with zeros", 0, 0},
  };
  for (const auto& c : cases) {
    CAPTURE(c.key);
    auto image = sample();
    image.drop_key(c.key);
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    REQUIRE(f.problems().size() == 1);
    CHECK(f.problems()[0] == c.problem);
    run_all(f, kPfns);
    CHECK(counts_of(f.counts()).free == c.free);
    CHECK(counts_of(f.counts()).user == c.user);
  }
}

TEST_CASE("page filter: page types and hugetlb markers of newer kernels, from VMCOREINFO") {
  constexpr std::uint64_t kN = 4096;
  auto base = [] {
    FilterMemMapBuilder b(kN);
    b.drop_key("NUMBER(HUGETLB_PAGE_DTOR)");
    return b;
  };
  SUBCASE("6.12: types in the top byte (PGTY_buddy << 24)") {
    auto b = base();
    b.set_key("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", std::to_string(static_cast<std::int32_t>(0xf4000000u)));
    b.page(512).mapcount = static_cast<std::int32_t>(0xf4000000u);
    b.page(512).private_ = 9;
    b.page(1024).mapcount = static_cast<std::int32_t>(0xf4000000u);  // an order the kernel cannot have
    b.page(1024).private_ = 11;
    auto memory = b.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kN}});
    f.run_cycle(0, kN);
    CHECK(counts_of(f.counts()).free == 512);
    CHECK(f.counts().suspect_metadata == 1);
  }
  SUBCASE("6.9: hugetlb as a page type of the head (~PG_hugetlb)") {
    auto b = base();
    b.set_key("NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)", "-2049");
    FakePage head;
    head.mapcount = -2049;
    b.compound(2048, 9, head, 0);
    auto memory = b.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(8), {{0, kN}});
    f.run_cycle(0, kN);
    CHECK(counts_of(f.counts()).user == 512);
  }
  SUBCASE("6.6: PG_hugetlb in the first tail page's flags") {
    auto b = base();
    b.drop_key("OFFSET(page.compound_dtor)");
    b.set_key("NUMBER(PG_hugetlb)", "6");
    b.compound(2048, 9, FakePage{}, 0);
    b.page(2049).flags |= std::uint64_t{1} << 6;
    b.compound(3072, 9, FakePage{}, 0);  // a kernel compound page beside it: kept
    auto memory = b.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(8), {{0, kN}});
    f.run_cycle(0, kN);
    CHECK(counts_of(f.counts()).user == 512);
    CHECK(f.problems().empty());
  }
  SUBCASE("without any hugetlb marker, hugetlbfs pages are kept and that is said") {
    auto b = base();
    b.compound(2048, 9, FakePage{}, FilterMemMapBuilder::kHugetlbDtor);
    auto memory = b.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(8), {{0, kN}});
    f.run_cycle(0, kN);
    CHECK(counts_of(f.counts()).user == 0);
    REQUIRE(f.problems().size() == 1);
    CHECK(f.problems()[0] == "hugetlbfs pages are kept: VMCOREINFO lacks NUMBER(HUGETLB_PAGE_DTOR)");
  }
  SUBCASE("6.10: slab as a page type, and neither slab marker at all") {
    auto b = base();
    b.drop_key("NUMBER(PG_slab)");
    b.set_key("NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", "-4097");
    b.page(100).mapcount = -4097;
    auto memory = b.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kN}});
    f.run_cycle(0, kN);
    CHECK(f.counts().excluded_total() == 0);
    auto c = base();
    c.drop_key("NUMBER(PG_slab)");
    auto none = c.build();
    DumpLevelFilter g(*none, *DumpLevel::from_int(31), {{0, kN}});
    REQUIRE(g.problems().size() == 1);
    CHECK(g.problems()[0] == "VMCOREINFO lacks NUMBER(PG_slab): no page can be classified, so every page is kept but those filled with zeros");
  }
}

TEST_CASE("page filter: damaged metadata keeps the pages and is counted") {
  SUBCASE("a buddy order beyond MAX_ORDER") {
    auto image = sample();
    image.free_block(2048, 40);
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    CHECK(f.run_cycle(0, kPfns).test(2048));
    CHECK(counts_of(f.counts()).free == 1536);
    CHECK(f.counts().suspect_metadata == 1);
  }
  SUBCASE("a misaligned free block") {
    auto image = sample();
    image.free_block(2049, 3);
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    CHECK(f.run_cycle(0, kPfns).test(2049));
    CHECK(f.counts().suspect_metadata == 1);
  }
  SUBCASE("an impossible compound order") {
    auto image = sample();
    FakePage head;
    head.mapping = FilterMemMapBuilder::kAnonMapping;
    image.compound(12288, 2, head);
    image.page(12289).compound_order = 200;
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    const auto& b = f.run_cycle(0, kPfns);
    CHECK_FALSE(b.test(12288));  // the head alone, as makedumpfile does
    CHECK(b.test(12289));
    CHECK(f.counts().suspect_metadata == 1);
  }
  SUBCASE("struct pages whose mapping is no kernel address: kept, counted and reported") {
    auto image = sample();
    image.page(5000).mapping = 0x0000123456789000ull;  // still flagged page cache
    image.page(5002).mapping = 0x00007f0000000001ull;  // still "anonymous"
    image.page(6000).mapping = 0x4141414141414141ull;  // still flagged hwpoison
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    const auto& b = f.run_cycle(0, kPfns);
    CHECK(b.test(5000));
    CHECK(b.test(5002));
    CHECK(b.test(6000));
    CHECK_FALSE(b.test(5001));  // its neighbours are judged as before
    CHECK(f.counts().suspect_metadata == 3);
    REQUIRE(f.problems().size() == 1);
    CHECK(f.problems()[0] ==
          "3 pages kept as they are because their struct page makes no sense (the first is pfn 0x1388): the memory "
          "map looks damaged");
  }
  SUBCASE("unreadable struct pages") {
    auto image = sample();
    image.hide_struct_pages(1024, 1088);  // one 4 KiB page of the array: 64 struct pages
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    const auto& b = f.run_cycle(0, kPfns);
    CHECK(b.test(1024));
    CHECK(b.test(1087));
    CHECK(b.test(1088));  // the rest of the block went with its unreadable head
    CHECK(f.counts().unreadable_metadata == 64);
    CHECK(counts_of(f.counts()).free == 512);
    REQUIRE(f.problems().size() == 1);
    CHECK(f.problems()[0] ==
          "struct pages of pfn 0x400 are unreadable at 0xffffea0000010000; those pages are kept");
  }
  SUBCASE("a section without mem_map") {
    auto image = sample();
    image.drop_section(1);
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    run_all(f, kPfns);
    CHECK(f.counts().without_metadata == kPfns - 32768);
    CHECK(counts_of(f.counts()).free == 1024);
  }
  SUBCASE("a root pointer to nowhere") {
    auto image = sample();
    image.set_key("SYMBOL(mem_section)", "ffff888000100008");  // the table shifted by one root
    auto memory = image.build();
    DumpLevelFilter f(*memory, *DumpLevel::from_int(31), {{0, kPfns}});
    run_all(f, kPfns);
    CHECK(f.counts().without_metadata == kPfns);
    CHECK(f.counts().excluded_total() == 0);
  }
}

TEST_CASE("page filter: zero pages are dropped by content") {
  FilterMemMapBuilder image(4096);
  for (std::uint64_t pfn = 0; pfn < 4096; pfn += 2) image.fill_page(pfn, std::byte{0x5a});
  image.fill_page(1, std::byte{0});
  auto memory = image.build();
  DumpLevelFilter f(*memory, *DumpLevel::from_int(1), {{0, 4096}});
  const auto& b = f.run_cycle(0, 4096);
  std::vector<std::byte> page(4096);
  for (std::uint64_t pfn = 0; pfn < 4096; ++pfn) {
    if (!b.test(pfn)) continue;
    REQUIRE(memory->read_physical(pfn * 4096, page) == page.size());
    if (is_zero_page(page)) f.exclude_zero_page(pfn);
  }
  CHECK(f.counts().excluded[static_cast<std::size_t>(ExclusionClass::kZero)] == 2048);
  CHECK_FALSE(f.exclude_zero_page(1));  // already out
}

TEST_CASE("is_zero_page") {
  std::vector<std::byte> page(4096);
  CHECK(is_zero_page(page));
  page[4095] = std::byte{1};
  CHECK_FALSE(is_zero_page(page));
  page[4095] = std::byte{0};
  page[7] = std::byte{0x80};
  CHECK_FALSE(is_zero_page(page));
  CHECK(is_zero_page(std::span<const std::byte>(page).subspan(8, 13)));
}

}  // namespace
}  // namespace kdump
