#include "vmcore/kdump_compressed.h"

#include <doctest/doctest.h>

#include <cstring>

#include "io/memory_source.h"
#include "support/elf_vmcore_builder.h"
#include "support/kdump_builder.h"
#include "vmcore/dump_error.h"
#include "vmcore/flattened_source.h"
#include "vmcore/le.h"

namespace kdump {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

using test::KdumpBuilder;
using test::StoreAs;

std::vector<std::byte> page_of(std::uint64_t pfn, std::uint32_t size = 4096) {
  std::vector<std::byte> p(size);
  for (std::uint32_t i = 0; i < size; ++i) p[i] = static_cast<std::byte>((pfn * 7 + i / 16) & 0xff);
  return p;
}

KdumpBuilder sample(StoreAs store) {
  KdumpBuilder b;
  b.store = store;
  b.max_mapnr = 1000;
  for (std::uint64_t pfn : {1, 2, 3, 63, 64, 65, 511, 512, 513, 999}) b.pages[pfn] = page_of(pfn);
  b.ram_only = {4, 5};
  b.vmcoreinfo = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
  b.notes = test::serialize_notes({test::prstatus_note(), test::prstatus_note()});
  return b;
}

void check_pages(PhysicalMemory& m, const KdumpBuilder& b) {
  for (const auto& [pfn, page] : b.pages) {
    CAPTURE(pfn);
    std::vector<std::byte> got(4096);
    REQUIRE(m.read(pfn * 4096, got) == 4096);
    CHECK(got == page);
  }
}

TEST_CASE("kdump-compressed: every codec reads back") {
  for (StoreAs codec : {StoreAs::kRaw, StoreAs::kZlib, StoreAs::kLzo, StoreAs::kZstd, StoreAs::kSnappy}) {
    CAPTURE(static_cast<int>(codec));
    KdumpBuilder b = sample(codec);
    MemorySource src(b.build(), "dump");
    KdumpCompressed k(src);
    CHECK(k.problems().empty());
    CHECK(k.header().release == "6.1.0-test");
    CHECK(k.header().machine == "x86_64");
    CHECK(k.header().block_size == 4096);
    CHECK(k.header().max_mapnr == 1000);
    CHECK(k.dumped_pages() == 10);
    CHECK(k.vmcoreinfo_text() == "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
    CHECK(k.notes().size() == 2);
    check_pages(k, b);
    CHECK(k.bad_pages() == 0);
    // A read across two dumped pages, then into an excluded one.
    std::vector<std::byte> buf(3 * 4096);
    CHECK(k.read(1 * 4096 + 100, buf) == 3 * 4096 - 100);
    // RAM ranges come from the first bitmap.
    auto r = k.ranges();
    REQUIRE(r.size() >= 2);
    CHECK(r[0].start == 4096);
    CHECK(r[0].size == 5 * 4096);
  }
}

TEST_CASE("kdump-compressed: damaged pages are unreadable, not fatal") {
  KdumpBuilder b = sample(StoreAs::kZlib);
  b.store_override[2] = StoreAs::kGarbageZlib;
  b.store_override[3] = StoreAs::kSnappyGarbage;
  b.store_override[65] = StoreAs::kUnknownFlag;
  MemorySource src(b.build());
  KdumpCompressed k(src);
  std::vector<std::byte> buf(4096);
  CHECK(k.read(1 * 4096, buf) == 4096);
  CHECK(k.read(2 * 4096, buf) == 0);
  CHECK(k.read(3 * 4096, buf) == 0);
  CHECK(k.read(4 * 4096, buf) == 0);  // excluded from the dump
  CHECK(k.read(63 * 4096, buf) == 4096);
  CHECK(k.read(65 * 4096, buf) == 0);
  CHECK(k.bad_pages() == 3);
  CHECK(k.read(~std::uint64_t{0} - 10, buf) == 0);
}

TEST_CASE("kdump-compressed: truncation and lying headers") {
  KdumpBuilder b = sample(StoreAs::kZstd);
  auto bytes = b.build();
  SUBCASE("cut in the page data") {
    bytes.resize(bytes.size() - 2000);
    MemorySource src(bytes);
    KdumpCompressed k(src);
    std::vector<std::byte> buf(4096);
    CHECK(k.read(1 * 4096, buf) == 4096);
    CHECK(k.read(999 * 4096, buf) == 0);
  }
  SUBCASE("cut in the bitmap") {
    bytes.resize(2 * 4096 + 100);
    MemorySource src(bytes);
    KdumpCompressed k(src);
    CHECK(k.header().max_mapnr < 1000);
    std::vector<std::string> expected{"the VMCOREINFO pointer of the sub-header lies outside the file",
                                      "the ELF notes pointer of the sub-header lies outside the file",
                                      "the page bitmaps extend past the end of the file",
                                      "max_mapnr 1000 exceeds what the bitmap covers (400 pages); pages above are unreadable",
                                      "the page descriptor table is truncated; some dumped pages are unreadable"};
    CHECK(joined(k.problems()) == joined(expected));
  }
  SUBCASE("huge max_mapnr") {
    store_le<std::uint64_t>(bytes, 4096 + 96, ~std::uint64_t{0});
    MemorySource src(bytes);
    KdumpCompressed k(src);
    CHECK(k.header().max_mapnr == 4096 * 8);
  }
  SUBCASE("bad block size") {
    store_le<std::uint32_t>(bytes, 428, 4095);
    MemorySource src(bytes, "d");
    CHECK_THROWS_WITH_AS(KdumpCompressed{src}, "d: kdump-compressed block size 4095 is not a valid page size", DumpError);
  }
  SUBCASE("incomplete flag") {
    store_le<std::uint32_t>(bytes, 424, 0x8);
    MemorySource src(bytes);
    KdumpCompressed k(src);
    REQUIRE_FALSE(k.problems().empty());
    CHECK(k.problems()[0] ==
          "the dump is marked incomplete (the capture ran out of space); pages past that point are missing");
  }
}

TEST_CASE("flattened: records rebuild the dump, in any order, later ones winning") {
  KdumpBuilder b = sample(StoreAs::kLzo);
  const auto plain = b.build();
  struct Case {
    std::size_t record;
    bool reverse, rewrite;
  };
  for (Case c : {Case{4096, false, false}, Case{1000, true, false}, Case{777, false, true}, Case{1 << 20, true, true}}) {
    CAPTURE(c.record);
    MemorySource file(test::flatten(plain, c.record, c.reverse, c.rewrite));
    FlattenedSource flat(file);
    CHECK(flat.problems().empty());
    REQUIRE(flat.size() == plain.size());
    std::vector<std::byte> all(plain.size());
    CHECK(flat.read_at(0, all) == plain.size());
    CHECK(all == plain);
    KdumpCompressed k(flat);
    check_pages(k, b);
  }
}

TEST_CASE("flattened: gaps read as zeros, truncation is reported") {
  std::vector<std::byte> file(4096);
  std::memcpy(file.data(), "makedumpfile", 12);
  file[23] = std::byte{1};
  file[31] = std::byte{1};
  auto record = [&](std::uint64_t offset, std::string_view data) {
    for (int i = 7; i >= 0; --i) file.push_back(static_cast<std::byte>((offset >> (8 * i)) & 0xff));
    for (int i = 7; i >= 0; --i) file.push_back(static_cast<std::byte>((data.size() >> (8 * i)) & 0xff));
    for (char ch : data) file.push_back(static_cast<std::byte>(ch));
  };
  record(10, "hello");
  record(0, "ab");
  record(12, "LLxx");  // overwrites "llo" and extends
  {
    MemorySource src(file);
    FlattenedSource flat(src);
    CHECK(flat.problems() == std::vector<std::string>{"the flattened stream has no end marker (truncated?)"});
    CHECK(flat.size() == 16);
    std::string s(16, '?');
    CHECK(flat.read_at(0, std::as_writable_bytes(std::span(s))) == 16);
    CHECK(s == std::string("ab\0\0\0\0\0\0\0\0heLLxx", 16));
  }
  record(100, "0123456789");
  file.resize(file.size() - 4);
  MemorySource src(file);
  FlattenedSource flat(src);
  CHECK(joined(flat.problems()) ==
        "record at offset 4155 announces 10 bytes but the file ends after 6\n"
        "the flattened stream has no end marker (truncated?)\n");
  CHECK(flat.size() == 106);
}

}  // namespace
}  // namespace kdump
