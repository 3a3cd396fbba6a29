#include "writer/elf_vmcore_page_source.h"

#include <doctest/doctest.h>

#include <vector>

#include "io/memory_source.h"
#include "sink/memory_sink.h"
#include "vmcore/kdump_compressed.h"
#include "writer/kdump_compressed_writer.h"
#include "support/elf_vmcore_builder.h"

namespace kdump {
namespace {

using test::ElfVmcoreBuilder;

// Page p of the image holds the byte p + 1 everywhere.
std::vector<std::byte> pages(std::uint64_t first, std::uint64_t count) {
  std::vector<std::byte> out;
  for (std::uint64_t p = first; p < first + count; ++p) out.insert(out.end(), 4096, static_cast<std::byte>(p + 1));
  return out;
}

std::vector<std::byte> vmcore() {
  ElfVmcoreBuilder b;
  b.loads.push_back({0x10000, 0, pages(0x10, 8), 0});             // pfns 0x10..0x17
  b.loads.push_back({0x18000, 0, pages(0x18, 2), 4 * 4096});      // 0x18..0x1b, the last two zero-filled
  b.notes.push_back(test::prstatus_note());
  b.notes.push_back(test::vmcoreinfo_note("PAGESIZE=4096\n"));
  return b.build();
}

TEST_CASE("read_pages reads a run across PT_LOADs, zero-fills past the file bytes, and stops at a hole") {
  MemorySource file(vmcore(), "vmcore");
  ElfVmcorePageSource source(file);
  std::vector<std::byte> out(16 * 4096);
  // 0x14..0x1b: four pages of the first PT_LOAD, two of the second, two zero-filled; 0x1c is a hole.
  CHECK(source.read_pages(0x14, out) == 8);
  for (std::uint64_t i = 0; i < 8; ++i) {
    const std::uint64_t pfn = 0x14 + i;
    const auto want = pfn < 0x1a ? static_cast<std::byte>(pfn + 1) : std::byte{0};
    CAPTURE(pfn);
    CHECK(out[i * 4096] == want);
    CHECK(out[i * 4096 + 4095] == want);
  }
  CHECK(source.read_pages(0x1c, std::span(out).first(4096)) == 0);
  CHECK(source.read_pages(0x0f, std::span(out).first(2 * 4096)) == 0);  // starts in a hole
  // A partial page at the end of `out` is not read.
  CHECK(source.read_pages(0x10, std::span(out).first(4096 + 100)) == 1);
}

TEST_CASE("read_pages counts only whole pages before an I/O error") {
  auto bytes = vmcore();
  MemorySource probe(bytes, "vmcore");
  ElfVmcorePageSource locate(probe);
  const std::uint64_t offset_of_0x12 = locate.layout().loads[0].file_offset + 2 * 4096;
  MemorySource file(bytes, "vmcore");
  file.fail_from(offset_of_0x12 + 100);  // inside pfn 0x12
  ElfVmcorePageSource source(file);
  std::vector<std::byte> out(6 * 4096);
  CHECK(source.read_pages(0x10, out) == 2);
  CHECK_FALSE(source.read_page(0x12, std::span(out).first(4096)));
  CHECK(source.read_page(0x11, std::span(out).first(4096)));
}

}  // namespace
}  // namespace kdump

namespace kdump {
namespace {

TEST_CASE("memory past p_filesz is zero-filled, and never hides another segment's bytes") {
  ElfVmcoreBuilder b;
  constexpr std::uint64_t kTail = std::uint64_t{16} << 30;      // a p_memsz grown by 16 GiB, as by a flipped bit
  b.loads.push_back({0x10000, 0, pages(0x10, 2), 2 * 4096 + kTail});
  b.loads.push_back({0x20000, 0, pages(0x20, 1), 0});            // inside that tail, with its own bytes
  b.notes.push_back(test::prstatus_note());
  b.notes.push_back(test::vmcoreinfo_note("PAGESIZE=4096\n"));
  MemorySource file(b.build(), "vmcore");
  ElfVmcorePageSource source(file);

  std::vector<std::byte> out(4096);
  REQUIRE(source.read_page(0x20, out));
  CHECK(out[0] == std::byte{0x21});
  REQUIRE(source.read_page(0x30, out));
  CHECK(out[0] == std::byte{0});
  const auto zeros = source.zero_filled_ranges();
  REQUIRE(zeros.size() == 2);
  CHECK(zeros[0].paddr == 0x12000);
  CHECK(zeros[0].size == 0x20000 - 0x12000);
  CHECK(zeros[1].paddr == 0x21000);
  CHECK(zeros[1].paddr + zeros[1].size == 0x12000 + kTail);

  // Left out unread at dump level 1, counted as zero pages; the three pages
  // with bytes are written.
  MemorySink sink;
  WriteOptions options;
  options.codec = CodecKind::kZlib;
  WriteReport r = write_kdump_compressed(source, nullptr, options, sink);
  CHECK(r.pages_stored == 3);
  CHECK(r.pages_zero == kTail / 4096 - 1);
  CHECK(r.pages_filtered == 0);
  CHECK(r.bytes_in == 3 * 4096);
  MemorySource written(sink.bytes(), "dump");
  KdumpCompressed dump(written);
  std::vector<std::byte> page(4096);
  REQUIRE(dump.read(0x20 * 4096, page) == page.size());
  CHECK(page[4095] == std::byte{0x21});
}

TEST_CASE("memory past the end of a truncated file is left out of the dump, not written as zeros") {
  ElfVmcoreBuilder b;
  b.loads.push_back({0x10000, 0, pages(0x10, 4), 0});
  b.notes.push_back(test::prstatus_note());
  b.notes.push_back(test::vmcoreinfo_note("PAGESIZE=4096\n"));
  auto bytes = b.build();
  bytes.resize(bytes.size() - (2 * 4096 + 100));  // pfn 0x11 loses its last 100 bytes, 0x12 and 0x13 all
  MemorySource file(bytes, "cut");
  ElfVmcorePageSource source(file);
  const auto missing = source.missing_ranges();
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].paddr == 0x12000 - 100);
  CHECK(missing[0].paddr + missing[0].size == 0x14000);

  MemorySink sink;
  WriteReport r = write_kdump_compressed(source, nullptr, WriteOptions{}, sink);
  CHECK(r.pages_stored == 1);
  CHECK(r.pages_unreadable == 3);
  CHECK(r.pages_filtered == 0);
  MemorySource written(sink.bytes(), "dump");
  KdumpCompressed dump(written);
  std::vector<std::byte> page(4096);
  CHECK(dump.read(0x10 * 4096, page) == page.size());
  CHECK(page[0] == std::byte{0x11});
  CHECK(dump.read(0x12 * 4096, page) == 0);  // excluded, as readers report it
}

TEST_CASE("workers that read their own pages write the same dump as one reader") {
  // Three PT_LOADs, the middle one holding pages the source fails to read.
  ElfVmcoreBuilder b;
  b.loads.push_back({0x100000, 0, pages(0x100, 700), 0});
  b.loads.push_back({0x400000, 0, pages(0x400, 900), 0});
  b.loads.push_back({0x800000, 0, pages(0x800, 650), 0});
  b.notes.push_back(test::prstatus_note());
  b.notes.push_back(test::vmcoreinfo_note("PAGESIZE=4096\n"));
  const auto bytes = b.build();
  MemorySource probe(bytes, "vmcore");
  ElfVmcorePageSource locate(probe);
  const std::uint64_t fail_at = locate.layout().loads[1].file_offset + 300 * 4096 + 10;

  std::vector<std::vector<std::byte>> dumps;
  std::vector<std::uint64_t> unreadable;
  for (unsigned threads : {1u, 2u, 3u}) {
    CAPTURE(threads);
    MemorySource file(bytes, "vmcore");
    file.fail_from(fail_at);
    ElfVmcorePageSource source(file);
    CHECK(source.concurrent_reads());
    MemorySink sink;
    WriteOptions options;
    options.codec = CodecKind::kLzo;
    options.threads = threads;
    options.batch_pages = 100;
    options.timestamp_sec = 1700000000;
    WriteReport r = write_kdump_compressed(source, nullptr, options, sink);
    dumps.push_back(sink.bytes());
    unreadable.push_back(r.pages_unreadable);
  }
  CHECK(unreadable[0] == 600 + 650);  // from pfn 0x400 + 300 on, whatever segment
  CHECK(dumps[1] == dumps[0]);
  CHECK(dumps[2] == dumps[0]);
}

}  // namespace
}  // namespace kdump

