#include "writer/elf_writer.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "io/memory_source.h"
#include "sink/memory_sink.h"
#include "support/page_image.h"
#include "vmcore/elf_dump.h"
#include "vmcore/le.h"

namespace kdump {
namespace {

using test::PageImage;
using test::PageKind;
using test::PredicateFilter;

// Reads physical memory the way an ELF reader does: p_filesz from the file, zeros up to p_memsz.
std::optional<std::vector<std::byte>> read_page(const ElfDumpLayout& l, std::span<const std::byte> file, std::uint64_t pfn) {
  const std::uint64_t paddr = pfn * 4096;
  for (const auto& s : l.loads) {
    if (paddr < s.paddr || paddr + 4096 > s.paddr + s.mem_size) continue;
    std::vector<std::byte> page(4096);
    const std::uint64_t in = paddr - s.paddr;
    if (in < s.file_size) std::copy_n(file.begin() + static_cast<std::ptrdiff_t>(s.file_offset + in), 4096, page.begin());
    return page;
  }
  return std::nullopt;
}

PageKind kinds(std::uint64_t pfn) {
  if (pfn >= 100 && pfn < 500) return PageKind::kZero;  // a long zero run: a hole
  if (pfn >= 600 && pfn < 610) return PageKind::kZero;  // a short one: written as zeros
  if (pfn >= 1990) return PageKind::kZero;              // a tail: p_memsz > p_filesz
  return pfn % 3 ? PageKind::kText : PageKind::kRandom;
}

WriteOptions elf_options() {
  WriteOptions o;
  o.format = DumpFormat::kElf;
  o.codec = CodecKind::kNone;
  o.batch_pages = 64;
  return o;
}

TEST_CASE("an ELF dump has a PT_NOTE and PT_LOADs that read back as the memory") {
  PageImage image({{0, 1000}, {1500, 2000}}, kinds);
  MemorySink sink;
  WriteReport r = write_elf(image, nullptr, elf_options(), sink);
  CHECK(sink.finishes() == 1);
  MemorySource src(sink.bytes(), "dump.elf");
  ElfDumpLayout l = read_elf_dump(src);
  CHECK(l.problems.empty());
  CHECK(l.machine == 62);
  CHECK(load_le<std::uint32_t>(sink.bytes(), 48) == 0);  // e_flags: complete
  REQUIRE(l.loads.size() == 3);
  CHECK(l.loads[0].paddr == 0);
  CHECK(l.loads[0].file_size == 100 * 4096);
  CHECK(l.loads[0].mem_size == 500 * 4096);  // the zero run is a hole at the end of segment 1
  CHECK(l.loads[0].vaddr == PageImage::vaddr_of(0));
  CHECK(l.loads[1].paddr == 500 * 4096);
  CHECK(l.loads[1].vaddr == PageImage::vaddr_of(500 * 4096));
  CHECK(l.loads[1].file_size == 500 * 4096);  // 600..609 are written as zeros inside
  CHECK(l.loads[1].mem_size == 500 * 4096);
  CHECK(l.loads[2].paddr == 1500 * 4096);
  CHECK(l.loads[2].file_size == 490 * 4096);
  CHECK(l.loads[2].mem_size == 500 * 4096);
  CHECK(l.loads[0].file_offset % 4096 == 0);
  REQUIRE(l.notes.size() == 3);
  CHECK(l.notes[2].name == "VMCOREINFO");
  CHECK(r.pages_zero == 400 + 10 + 10);
  CHECK(r.pages_stored == 1500 - 420);
  for (std::uint64_t pfn = 0; pfn < 2100; ++pfn) {
    CAPTURE(pfn);
    bool present = pfn < 1000 || (pfn >= 1500 && pfn < 2000);
    auto page = read_page(l, sink.bytes(), pfn);
    REQUIRE(page.has_value() == present);
    if (present) REQUIRE(*page == image.expected(pfn));
  }
}

TEST_CASE("an ELF dump without dump level 1 stores zero pages, and filtered pages leave holes") {
  PageImage image({{0, 1000}}, kinds);
  PredicateFilter filter([](std::uint64_t pfn) { return pfn >= 700 && pfn < 990; });
  WriteOptions o = elf_options();
  o.dump_level = 0;
  MemorySink sink;
  WriteReport r = write_elf(image, &filter, o, sink);
  CHECK(r.pages_filtered == 290);
  CHECK(r.pages_zero == 0);
  MemorySource src(sink.bytes(), "dump.elf");
  ElfDumpLayout l = read_elf_dump(src);
  REQUIRE(l.loads.size() == 2);
  CHECK(l.loads[0].file_size == 700 * 4096);
  CHECK(l.loads[0].mem_size == 990 * 4096);
  CHECK(l.loads[1].paddr == 990 * 4096);
  CHECK(l.loads[1].mem_size == 10 * 4096);
}

TEST_CASE("ELF output cannot be compressed") {
  PageImage image({{0, 10}}, kinds);
  MemorySink sink;
  WriteOptions o = elf_options();
  o.codec = CodecKind::kZlib;
  CHECK_THROWS_WITH_AS(write_dump(image, nullptr, o, sink), "an ELF dump cannot be compressed (codec zlib)",
                       std::invalid_argument);
}

TEST_CASE("ELF output is the same with one thread or several") {
  PageImage image({{0, 1000}, {1500, 2000}}, kinds);
  MemorySink one, many;
  WriteOptions o = elf_options();
  o.threads = 0;
  write_elf(image, nullptr, o, one);
  o.threads = 3;
  o.batch_pages = 7;
  write_elf(image, nullptr, o, many);
  CHECK(one.bytes() == many.bytes());
}

}  // namespace
}  // namespace kdump
