#include "vmcore/elf_dump.h"

#include <doctest/doctest.h>

#include "io/memory_source.h"
#include "support/elf_vmcore_builder.h"
#include "vmcore/dump_error.h"
#include "vmcore/le.h"
#include "vmcore/segment_map.h"

namespace kdump {
namespace {

using test::bytes_of;
using test::ElfVmcoreBuilder;

std::vector<std::byte> filled(std::size_t n, char c) { return std::vector<std::byte>(n, static_cast<std::byte>(c)); }

std::string read_string(PhysicalMemory& m, std::uint64_t paddr, std::size_t n, std::size_t* got = nullptr) {
  std::string s(n, '?');
  std::size_t r = m.read(paddr, std::as_writable_bytes(std::span(s)));
  if (got) *got = r;
  s.resize(r);
  return s;
}

TEST_CASE("ELF dump: ELF64 and ELF32 segments, holes, filesz < memsz") {
  for (int elf_class : {64, 32}) {
    CAPTURE(elf_class);
    ElfVmcoreBuilder b;
    b.elf_class = elf_class;
    b.loads.push_back({0x1000, 0, filled(0x1000, 'a'), 0});
    b.loads.push_back({0x3000, 0, filled(0x800, 'b'), 0x1000});  // second half reads as zeros
    b.notes.push_back(test::prstatus_note());
    b.notes.push_back(test::prstatus_note());
    b.notes.push_back(test::vmcoreinfo_note("OSRELEASE=6.1\n"));
    MemorySource src(b.build(), "vmcore");
    ElfDumpLayout l = read_elf_dump(src);
    CHECK(l.elf_class == elf_class);
    CHECK(l.machine == 62);
    CHECK(l.loads.size() == 2);
    CHECK(l.notes.size() == 3);
    CHECK(l.problems.empty());
    std::vector<std::string> problems;
    NoteSummary s = summarize_notes(l.notes, problems);
    CHECK(s.prstatus_count == 2);
    CHECK(s.vmcoreinfo == "OSRELEASE=6.1\n");

    SegmentMap m(src, l.loads);
    CHECK(read_string(m, 0xff0, 32) == "");                             // below the first segment
    CHECK(read_string(m, 0x1ffe, 4) == "aa");                           // stops at the hole
    CHECK(read_string(m, 0x37fe, 4) == std::string("bb\0\0", 4));       // file bytes then zeros
    CHECK(read_string(m, 0x3ffe, 4) == std::string("\0\0", 2));         // end of memsz
    auto r = m.ranges();
    REQUIRE(r.size() == 2);
    CHECK(r[1].start == 0x3000);
    CHECK(r[1].size == 0x1000);
  }
}

TEST_CASE("ELF dump: extended numbering past 65535 program headers, sections first") {
  for (bool sections_first : {false, true}) {
    CAPTURE(sections_first);
    ElfVmcoreBuilder b;
    b.sections_first = sections_first;
    b.notes.push_back(test::qemu_cpu_note(0x5000, 1u << 12));
    for (std::uint64_t i = 0; i < 70000; ++i) b.loads.push_back({i * 0x1000, 0, {}, 0x1000});
    b.loads.push_back({0x1'0000'0000, 0, bytes_of("high"), 0});
    MemorySource src(b.build());
    ElfDumpLayout l = read_elf_dump(src);
    CHECK(l.extended_numbering);
    CHECK(l.section_headers_first == sections_first);
    CHECK(l.program_headers == 70002);
    CHECK(l.loads.size() == 70001);
    std::vector<std::string> problems;
    NoteSummary s = summarize_notes(l.notes, problems);
    CHECK(s.qemu_cpu_count == 1);
    CHECK(s.cr3 == 0x5000u);
    CHECK(s.cr4 == 0x1000u);
    SegmentMap m(src, l.loads);
    CHECK(read_string(m, 0x1'0000'0000, 4) == "high");
    CHECK(read_string(m, 69999 * 0x1000, 2) == std::string(2, '\0'));
  }
}

TEST_CASE("ELF dump: overlapping segments resolve to one piece per byte") {
  std::vector<LoadSegment> loads{{0x1000, 0, 0, 0, 0x3000}, {0x2000, 0, 0, 0, 0x1000}, {0x3800, 0, 0, 0, 0x1000}};
  MemorySource src({});
  SegmentMap m(src, loads);
  REQUIRE(m.pieces().size() == 2);
  CHECK(m.pieces()[1].paddr == 0x4000);
  CHECK(m.pieces()[1].mem_size == 0x800);
  CHECK(m.ranges().size() == 1);
  CHECK(m.ranges()[0].size == 0x3800);
}

TEST_CASE("ELF dump: memory whose first copy was cut off is read from a second copy") {
  // As in /proc/vmcore: the kernel text PT_LOAD comes first in the file and
  // maps memory that a later RAM PT_LOAD maps again; the file ends inside the
  // RAM segment's data.
  std::vector<std::byte> file(0x3000);
  for (std::size_t i = 0; i < 0x1000; ++i) file[i] = std::byte{'t'};       // text copy of 0x5000..0x5fff
  for (std::size_t i = 0x1000; i < 0x3000; ++i) file[i] = std::byte{'r'};  // RAM 0x1000..0x2fff
  std::vector<LoadSegment> loads{{0x5000, 0, 0, 0x1000, 0x1000}, {0x1000, 0, 0x1000, 0x8000, 0x8000}};
  MemorySource src(file, "cut");
  SegmentMap m(src, loads);
  CHECK(read_string(m, 0x1000, 2) == "rr");
  CHECK(read_string(m, 0x5000, 4) == "tttt");  // past the cut in RAM, present in the text copy
  std::size_t got = 0;
  read_string(m, 0x2800, 0x4000, &got);  // 0x2800..0x2fff, then the cut at 0x3000
  CHECK(got == 0x800);
  CHECK(read_string(m, 0x4f00, 0x200, &got).empty());  // 0x4f00 is in neither copy
}

TEST_CASE("ELF dump: damage is reported, not fatal") {
  ElfVmcoreBuilder b;
  b.loads.push_back({0x1000, 0, filled(0x2000, 'x'), 0});
  b.notes.push_back(test::vmcoreinfo_note("A=1\n"));
  auto bytes = b.build();

  SUBCASE("truncated file: segment data past the end") {
    bytes.resize(bytes.size() - 0x1000);
    MemorySource src(bytes, "cut");
    ElfDumpLayout l = read_elf_dump(src);
    REQUIRE(l.problems.size() == 1);
    CHECK(l.problems[0].find("past the end of the file") != std::string::npos);
    SegmentMap m(src, l.loads);
    std::size_t got = 0;
    read_string(m, 0x1000, 0x2000, &got);
    CHECK(got == 0x1000);
  }
  SUBCASE("many segments cut off are summarized") {
    ElfVmcoreBuilder many;
    for (std::uint64_t i = 0; i < 20; ++i) many.loads.push_back({i * 0x1000, 0, filled(0x1000, 'm'), 0});
    auto cut = many.build();
    cut.resize(cut.size() - 15 * 0x1000 + 10);
    MemorySource src(cut);
    ElfDumpLayout l = read_elf_dump(src);
    REQUIRE(l.problems.size() == 9);
    CHECK(l.problems[8] == "and 7 more program headers with data past the end of the file");
  }
  SUBCASE("I/O error part way through a read") {
    MemorySource src(bytes);
    ElfDumpLayout l = read_elf_dump(src);
    src.fail_from(l.loads[0].file_offset + 10);
    SegmentMap m(src, l.loads);
    std::size_t got = 0;
    read_string(m, 0x1000, 100, &got);
    CHECK(got == 10);
  }
  SUBCASE("note sizes that run past the segment") {
    auto notes = test::serialize_notes({test::vmcoreinfo_note("A=1\n")});
    store_le<std::uint32_t>(notes, 4, 0xfffffff0u);
    std::vector<std::string> problems;
    CHECK(parse_elf_notes(notes, problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "note at offset 0 runs past the end of its segment (namesz 11, descsz 4294967280); later notes skipped");
  }
  SUBCASE("a lying program header count is capped by the file size") {
    store_le<std::uint16_t>(bytes, 56, 60000);
    MemorySource src(bytes);
    ElfDumpLayout l = read_elf_dump(src);
    CHECK(l.program_headers < 60000);
    REQUIRE_FALSE(l.problems.empty());
    CHECK(l.problems[0].find("announces 60000 program headers") != std::string::npos);
  }
  SUBCASE("not ELF, or an unreadable header, is an error") {
    struct Case {
      std::vector<std::byte> bytes;
      std::string message;
    };
    std::vector<Case> cases{
        {bytes_of("hello"), "f: not an ELF file or its header is unreadable"},
        {std::vector<std::byte>(bytes.begin(), bytes.begin() + 40), "f: not an ELF file or its header is unreadable"},
    };
    auto bad_class = bytes;
    bad_class[4] = std::byte{7};
    cases.push_back({bad_class, "f: unknown ELF class 7"});
    auto big_endian = bytes;
    big_endian[5] = std::byte{2};
    cases.push_back({big_endian, "f: only little-endian ELF dumps are supported"});
    for (auto& c : cases) {
      MemorySource src(c.bytes, "f");
      try {
        read_elf_dump(src);
        FAIL("no error: " << c.message);
      } catch (const DumpError& e) {
        CHECK(std::string(e.what()) == c.message);
      }
    }
  }
}

}  // namespace
}  // namespace kdump

namespace kdump {
namespace {

TEST_CASE("ELF dump: zeros past p_filesz fill only what no segment's file bytes cover") {
  // Segment 0 holds 0x1000..0x1fff in the file and claims zeros up to
  // 0x9000; segments 1 and 2 hold bytes inside that claim.
  std::vector<std::byte> file(0x3000);
  for (std::size_t i = 0; i < 0x1000; ++i) file[i] = std::byte{'a'};
  for (std::size_t i = 0x1000; i < 0x2000; ++i) file[i] = std::byte{'b'};
  for (std::size_t i = 0x2000; i < 0x3000; ++i) file[i] = std::byte{'c'};
  std::vector<LoadSegment> loads{{0x1000, 0, 0, 0x1000, 0x8000}, {0x4000, 0, 0x1000, 0x1000, 0x1000},
                                 {0x8800, 0, 0x2000, 0x1000, 0x1000}};
  MemorySource src(file, "vmcore");
  SegmentMap m(src, loads);
  CHECK(read_string(m, 0x1ffe, 4) == std::string("aa\0\0", 4));
  CHECK(read_string(m, 0x3ffe, 4) == std::string("\0\0bb", 4));
  CHECK(read_string(m, 0x4ffe, 4) == std::string("bb\0\0", 4));
  CHECK(read_string(m, 0x87fe, 4) == std::string("\0\0cc", 4));
  CHECK(read_string(m, 0x97fe, 4) == "cc");  // then the end of memory
  REQUIRE(m.ranges().size() == 1);
  CHECK(m.ranges()[0].start == 0x1000);
  CHECK(m.ranges()[0].size == 0x8800);
}

}  // namespace
}  // namespace kdump
