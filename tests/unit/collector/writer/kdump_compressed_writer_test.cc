#include "writer/kdump_compressed_writer.h"

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <optional>
#include <system_error>

#include "io/memory_source.h"
#include "sink/memory_sink.h"
#include "support/page_image.h"
#include "vmcore/kdump_compressed.h"
#include "vmcore/le.h"
#include "writer/diskdump_format.h"

namespace kdump {
namespace {

using test::PageImage;
using test::PageKind;
using test::PredicateFilter;

PageKind mixed(std::uint64_t pfn) {
  if (pfn % 13 == 0) return PageKind::kZero;
  if (pfn % 5 == 0) return PageKind::kRandom;
  return PageKind::kText;
}

// Two ranges with a hole, not starting at 0, one ending mid-window.
PageImage make_image() { return PageImage({{16, 1000}, {40000, 41234}}, mixed); }

WriteOptions options(CodecKind codec, unsigned threads = 2) {
  WriteOptions o;
  o.codec = codec;
  o.threads = threads;
  o.batch_pages = 100;
  o.timestamp_sec = 1700000000;
  return o;
}

bool bit(std::span<const std::byte> file, std::uint64_t offset, std::uint64_t pfn) {
  return (std::to_integer<unsigned>(file[offset + pfn / 8]) >> (pfn % 8)) & 1;
}

// Reads a page the simple way: rank in the 2nd bitmap, descriptor, our own codec.
std::optional<std::vector<std::byte>> read_back(std::span<const std::byte> file, std::uint64_t pfn) {
  const std::uint64_t max = load_le<std::uint64_t>(file, 4096 + diskdump::kMaxMapnr64At);
  const std::uint64_t notes = load_le<std::uint64_t>(file, 4096 + diskdump::kSizeNoteAt);
  auto l = diskdump::layout(4096, max, notes, 0);
  if (pfn >= max || !bit(file, l.bitmap2_offset, pfn)) return std::nullopt;
  std::uint64_t index = 0;
  for (std::uint64_t p = 0; p < pfn; ++p) index += bit(file, l.bitmap2_offset, p);
  const std::uint64_t d = l.descs_offset + index * diskdump::kDescSize;
  const auto offset = load_le<std::uint64_t>(file, d);
  const auto size = load_le<std::uint32_t>(file, d + 8);
  const auto flags = load_le<std::uint32_t>(file, d + 12);
  std::vector<std::byte> page(4096);
  auto stored = file.subspan(offset, size);
  for (CodecKind k : {CodecKind::kNone, CodecKind::kZlib, CodecKind::kLzo, CodecKind::kSnappy, CodecKind::kZstd})
    if (codec_flag(k) == flags && make_codec(k)->decompress(stored, page)) return page;
  return std::nullopt;
}

TEST_CASE("snappy dumps read back through the descriptors") {
  // The vmcore reader has no snappy; decode by hand.
  PageImage image = make_image();
  MemorySink sink;
  write_kdump_compressed(image, nullptr, options(CodecKind::kSnappy), sink);
  CHECK(load_le<std::uint32_t>(sink.bytes(), diskdump::kStatusAt) == 4);
  std::uint64_t snappy_pages = 0;
  for (std::uint64_t pfn : {0ull, 15ull, 16ull, 17ull, 26ull, 25ull, 999ull, 1000ull, 40000ull, 41233ull, 41234ull}) {
    CAPTURE(pfn);
    bool present = (pfn >= 16 && pfn < 1000) || (pfn >= 40000 && pfn < 41234);
    auto page = read_back(sink.bytes(), pfn);
    REQUIRE(page.has_value() == present);
    if (present) CHECK(*page == image.expected(pfn));
    snappy_pages += present && mixed(pfn) == PageKind::kText;
  }
  CHECK(snappy_pages == 4);
}

TEST_CASE("kdump-compressed dumps read back page for page with every codec") {
  for (CodecKind codec : {CodecKind::kNone, CodecKind::kZlib, CodecKind::kLzo, CodecKind::kZstd}) {
    CAPTURE(codec_name(codec));
    PageImage image = make_image();
    MemorySink sink;
    WriteReport r = write_kdump_compressed(image, nullptr, options(codec), sink);
    CHECK(sink.finishes() == 1);
    CHECK(r.max_pfn == 41234);
    CHECK(r.pages_present == (1000 - 16) + (41234 - 40000));
    CHECK(r.pages_filtered == 0);
    CHECK(r.bytes_out == sink.bytes().size());
    CHECK(r.problems.empty());

    MemorySource file(sink.bytes(), "dump");
    KdumpCompressed dump(file);
    CHECK(dump.problems().empty());
    CHECK(dump.header().header_version == 6);
    CHECK(dump.header().status == codec_flag(codec));
    CHECK(dump.header().block_size == 4096);
    CHECK(dump.header().max_mapnr == 41234);
    CHECK(dump.header().release == "6.1.0-test-amd64");
    CHECK(dump.header().machine == "x86_64");
    CHECK(dump.header().sysname == "Linux");
    CHECK(dump.header().nr_cpus == 2);
    CHECK(dump.header().phys_base == 16777216);
    CHECK(dump.header().dump_level == 1);
    CHECK(dump.header().timestamp_sec == 1700000000);
    CHECK(dump.vmcoreinfo_text() == PageImage::kVmcoreinfo);
    CHECK(dump.notes().size() == 3);
    CHECK(dump.dumped_pages() == r.pages_present);
    std::vector<std::byte> page(4096);
    for (std::uint64_t pfn : {0ull, 15ull, 16ull, 17ull, 26ull, 25ull, 999ull, 1000ull, 39999ull, 40000ull, 41233ull,
                              41234ull}) {
      CAPTURE(pfn);
      bool present = (pfn >= 16 && pfn < 1000) || (pfn >= 40000 && pfn < 41234);
      std::size_t got = dump.read(pfn * 4096, page);
      CHECK(got == (present ? 4096u : 0u));
      if (present) CHECK(page == image.expected(pfn));
    }
    for (std::uint64_t pfn = 16; pfn < 1000; ++pfn) {
      REQUIRE(dump.read(pfn * 4096, page) == 4096);
      REQUIRE(page == image.expected(pfn));
    }
    CHECK(dump.bad_pages() == 0);
  }
}

TEST_CASE("zero pages share one descriptor, counts match the page kinds") {
  PageImage image = make_image();
  MemorySink sink;
  WriteReport r = write_kdump_compressed(image, nullptr, options(CodecKind::kZlib), sink);
  std::uint64_t zero = 0, random = 0;
  for (std::uint64_t p = 16; p < 1000; ++p) zero += mixed(p) == PageKind::kZero, random += mixed(p) == PageKind::kRandom;
  for (std::uint64_t p = 40000; p < 41234; ++p)
    zero += mixed(p) == PageKind::kZero, random += mixed(p) == PageKind::kRandom;
  CHECK(r.pages_zero == zero);
  CHECK(r.pages_stored == r.pages_present - zero);
  CHECK(r.pages_compressed == r.pages_stored - random);
  CHECK(r.bytes_in == r.pages_present * 4096);

  auto file = std::span<const std::byte>(sink.bytes());
  auto l = diskdump::layout(4096, 41234, load_le<std::uint64_t>(file, 4096 + diskdump::kSizeNoteAt), r.pages_present);
  CHECK(load_le<std::uint32_t>(file, diskdump::kBitmapBlocksAt) == 4);  // 2 x ceil(41234 / 8 / 4096)
  // Page 26 (zero) and page 39 (zero) point at the same data, the zero page at the start of the data.
  auto desc_of = [&](std::uint64_t index) { return l.descs_offset + index * diskdump::kDescSize; };
  const std::uint64_t i26 = 26 - 16, i39 = 39 - 16, i17 = 17 - 16;
  CHECK(load_le<std::uint64_t>(file, desc_of(i26)) == l.data_offset);
  CHECK(load_le<std::uint64_t>(file, desc_of(i39)) == l.data_offset);
  CHECK(load_le<std::uint32_t>(file, desc_of(i26) + 8) == 4096);
  CHECK(load_le<std::uint32_t>(file, desc_of(i26) + 12) == 0);
  CHECK(load_le<std::uint64_t>(file, desc_of(0)) == l.data_offset + 4096);  // pfn 16, the first stored page
  CHECK(load_le<std::uint32_t>(file, desc_of(i17) + 12) == 1);
  for (std::size_t i = 0; i < 4096; ++i) REQUIRE(file[l.data_offset + i] == std::byte{0});
}

TEST_CASE("without dump level 1, zero pages are stored like any other") {
  PageImage image = make_image();
  MemorySink sink;
  WriteOptions o = options(CodecKind::kLzo);
  o.dump_level = 0;
  WriteReport r = write_kdump_compressed(image, nullptr, o, sink);
  CHECK(r.pages_zero == 0);
  CHECK(r.pages_stored == r.pages_present);
  MemorySource file(sink.bytes(), "dump");
  KdumpCompressed dump(file);
  CHECK(dump.header().dump_level == 0);
  std::vector<std::byte> page(4096);
  CHECK(dump.read(26 * 4096, page) == 4096);
  CHECK(page == std::vector<std::byte>(4096));
}

TEST_CASE("the bitmaps: 1st is memory, 2nd is what the filter keeps") {
  PageImage image = make_image();
  PredicateFilter filter([](std::uint64_t pfn) { return pfn % 3 == 0 || pfn == 5; });  // 5 is a hole anyway
  MemorySink sink;
  WriteOptions o = options(CodecKind::kZstd);
  o.dump_level = 31;
  WriteReport r = write_kdump_compressed(image, &filter, o, sink);
  std::uint64_t kept = 0;
  for (std::uint64_t p = 16; p < 1000; ++p) kept += p % 3 != 0;
  for (std::uint64_t p = 40000; p < 41234; ++p) kept += p % 3 != 0;
  CHECK(r.pages_filtered == r.pages_present - kept);

  auto file = std::span<const std::byte>(sink.bytes());
  auto l = diskdump::layout(4096, 41234, load_le<std::uint64_t>(file, 4096 + diskdump::kSizeNoteAt), kept);
  for (std::uint64_t pfn = 0; pfn < 45056; ++pfn) {
    bool present = (pfn >= 16 && pfn < 1000) || (pfn >= 40000 && pfn < 41234);
    REQUIRE(bit(file, l.bitmap1_offset, pfn) == present);
    REQUIRE(bit(file, l.bitmap2_offset, pfn) == (present && pfn % 3 != 0));
  }
  MemorySource src(sink.bytes(), "dump");
  KdumpCompressed dump(src);
  CHECK(dump.header().dump_level == 31);
  CHECK(dump.dumped_pages() == kept);
  std::vector<std::byte> page(4096);
  CHECK(dump.read(18 * 4096, page) == 0);  // filtered out
  CHECK(dump.read(19 * 4096, page) == 4096);
  CHECK(page == image.expected(19));
}

TEST_CASE("unreadable pages become zero pages and are reported") {
  PageImage image = make_image();
  image.make_unreadable(17);
  image.make_unreadable(40001);
  MemorySink sink;
  WriteReport r = write_kdump_compressed(image, nullptr, options(CodecKind::kZlib), sink);
  CHECK(r.pages_unreadable == 2);
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0] == "2 pages could not be read (first pfn 17); written as zero pages");
  MemorySource src(sink.bytes(), "dump");
  KdumpCompressed dump(src);
  std::vector<std::byte> page(4096);
  CHECK(dump.read(17 * 4096, page) == 4096);
  CHECK(page == std::vector<std::byte>(4096));
  CHECK(dump.read(18 * 4096, page) == 4096);
  CHECK(page == image.expected(18));
}

TEST_CASE("VMCOREINFO is added as a note when the source's notes lack it") {
  PageImage image = make_image();
  image.set_notes({});
  MemorySink sink;
  write_kdump_compressed(image, nullptr, options(CodecKind::kZlib), sink);
  MemorySource src(sink.bytes(), "dump");
  KdumpCompressed dump(src);
  CHECK(dump.vmcoreinfo_text() == PageImage::kVmcoreinfo);
  REQUIRE(dump.notes().size() == 1);
  CHECK(dump.notes()[0].name == "VMCOREINFO");
  CHECK(dump.header().nr_cpus == 0);
}

class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(int fail_at) : fail_at_(fail_at) {}
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override {
    if (++writes_ >= fail_at_) throw std::system_error(ENOSPC, std::generic_category(), "cannot write to vmcore");
    mem.write_at(offset, bytes);
  }
  void finish() override { ++finishes; }
  std::string name() const override { return "failing"; }
  MemorySink mem;
  int finishes = 0;

 private:
  int fail_at_, writes_ = 0;
};

TEST_CASE("a dump cut short keeps the incomplete flag and is not finished") {
  PageImage image = make_image();
  FailingSink sink(12);  // after the bitmaps and headers, among the pages
  CHECK_THROWS_WITH_AS(write_kdump_compressed(image, nullptr, options(CodecKind::kZlib), sink),
                       "cannot write to vmcore: No space left on device", std::system_error);
  CHECK(sink.finishes == 0);
  REQUIRE(sink.mem.bytes().size() >= diskdump::kHeaderSize);
  CHECK(load_le<std::uint32_t>(sink.mem.bytes(), diskdump::kStatusAt) == (1u | diskdump::kStatusIncomplete));
}

TEST_CASE("output is identical for any number of threads and batch size") {
  PageImage image = make_image();
  MemorySink ref;
  write_kdump_compressed(image, nullptr, options(CodecKind::kZlib, 0), ref);
  for (unsigned threads : {1u, 2u, 4u}) {
    for (std::size_t batch : {1u, 33u, 2048u}) {
      PageImage again = make_image();
      again.set_concurrent(threads == 4);
      MemorySink sink;
      WriteOptions o = options(CodecKind::kZlib, threads);
      o.batch_pages = batch;
      write_kdump_compressed(again, nullptr, o, sink);
      CAPTURE(threads);
      CAPTURE(batch);
      CHECK(sink.bytes() == ref.bytes());
    }
  }
}

// Counts the windows it is asked about, passing them on to a PredicateFilter.
class CountingFilter final : public PageFilter {
 public:
  explicit CountingFilter(PageFilter& inner) : inner_(inner) {}
  void exclude(std::uint64_t first_pfn, std::span<std::uint8_t> bits) override {
    ++asked[first_pfn];
    inner_.exclude(first_pfn, bits);
  }
  std::map<std::uint64_t, int> asked;

 private:
  PageFilter& inner_;
};

TEST_CASE("the filter is asked about each window once, the pages pass reuses its answers") {
  PageImage image = make_image();
  PredicateFilter leave_out([](std::uint64_t pfn) { return pfn % 3 == 0; });
  CountingFilter filter(leave_out);
  MemorySink sink;
  WriteReport r = write_kdump_compressed(image, &filter, options(CodecKind::kLzo), sink);
  CHECK(r.pages_filtered > 0);
  REQUIRE(filter.asked.size() == 2);  // windows of 32768 frames: pfns 16.. and 40000..
  for (const auto& [first, times] : filter.asked) {
    CAPTURE(first);
    CHECK(times == 1);
  }
  MemorySource src(sink.bytes(), "dump");
  KdumpCompressed dump(src);
  std::vector<std::byte> page(4096);
  CHECK(dump.read(40001 * 4096, page) == 4096);
  CHECK(page == image.expected(40001));
  CHECK(dump.read(40002 * 4096, page) == 0);  // a multiple of 3
}

TEST_CASE("a source with no memory gives a dump with no pages") {
  PageImage image({}, mixed);
  MemorySink sink;
  WriteReport r = write_kdump_compressed(image, nullptr, options(CodecKind::kZlib), sink);
  CHECK(r.max_pfn == 0);
  CHECK(r.pages_stored == 0);
  MemorySource src(sink.bytes(), "dump");
  KdumpCompressed dump(src);
  CHECK(dump.dumped_pages() == 0);
}

}  // namespace
}  // namespace kdump
