#include "writer/flattened_writer.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "sink/memory_sink.h"
#include "support/page_image.h"
#include "vmcore/dump_error.h"
#include "vmcore/le.h"
#include "writer/rearrange.h"
#include "writer/write_dump.h"

namespace kdump {
namespace {

using test::PageImage;
using test::PageKind;

std::vector<std::byte> be64(std::int64_t v) {
  std::vector<std::byte> b(8);
  for (int i = 7; i >= 0; --i, v = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) >> 8))
    b[i] = static_cast<std::byte>(v & 0xff);
  return b;
}

std::vector<std::byte> header(const char* signature = "makedumpfile", std::int64_t type = 1) {
  std::vector<std::byte> h(4096);
  std::memcpy(h.data(), signature, std::strlen(signature));
  auto t = be64(type), v = be64(1);
  std::copy(t.begin(), t.end(), h.begin() + 16);
  std::copy(v.begin(), v.end(), h.begin() + 24);
  return h;
}

void record(std::vector<std::byte>& out, std::int64_t offset, std::int64_t size, const std::string& data = {}) {
  auto o = be64(offset), s = be64(size);
  out.insert(out.end(), o.begin(), o.end());
  out.insert(out.end(), s.begin(), s.end());
  for (char c : data) out.push_back(static_cast<std::byte>(c));
}

TEST_CASE("the flattened writer emits makedumpfile's header, big-endian records and the end record") {
  MemoryOutputStream stream;
  FlattenedSink sink(stream);
  std::string a = "abc", b = "defgh";
  sink.write_at(0x1122334455, std::as_bytes(std::span(a.data(), a.size())));
  sink.write_at(7, {});
  sink.write_at(2, std::as_bytes(std::span(b.data(), b.size())));
  sink.finish();
  CHECK(sink.records() == 2);
  std::vector<std::byte> want = header();
  record(want, 0x1122334455, 3, "abc");
  record(want, 2, 5, "defgh");
  record(want, -1, -1);
  CHECK(stream.bytes() == want);
}

TEST_CASE("rearranging puts records at their offsets, in any order, overwriting earlier ones, and stops at the end record") {
  std::vector<std::byte> in = header();
  record(in, 4, 2, "EF");
  record(in, 0, 4, "abcd");
  record(in, 10, 1, "Z");
  record(in, 0, 1, "A");
  record(in, -1, -1);
  in.push_back(std::byte{'x'});
  MemoryInputStream stream(in, 3);  // a pipe that gives 3 bytes at a time
  MemorySink out;
  RearrangeReport r = rearrange_flattened(stream, out);
  std::string got(reinterpret_cast<const char*>(out.bytes().data()), out.bytes().size());
  CHECK(got == std::string("AbcdEF\0\0\0\0Z", 11));
  CHECK(r.records == 4);
  CHECK(r.bytes == 8);
  CHECK(r.dump_size == 11);
  CHECK(out.finishes() == 1);
  // What follows the end record (the rest of a raw device) is left unread.
  std::byte rest[8];
  CHECK(stream.read(rest) == 1);
}

struct BadCase {
  const char* what;
  std::vector<std::byte> input;
  std::string message;
};

std::vector<BadCase> bad_cases() {
  std::vector<BadCase> cases;
  cases.push_back({"empty", {}, "<memory stream>: flattened input: empty input"});
  auto h = header();
  cases.push_back({"short header", std::vector<std::byte>(h.begin(), h.begin() + 100),
                   "<memory stream>: flattened input: header ends after 100 of 4096 bytes"});
  cases.push_back({"kdump file", header("KDUMP   "),
                   "<memory stream>: flattened input: no \"makedumpfile\" signature (not a flattened dump)"});
  cases.push_back({"longer signature", header("makedumpfileX"),
                   "<memory stream>: flattened input: no \"makedumpfile\" signature (not a flattened dump)"});
  cases.push_back({"type", header("makedumpfile", 2), "<memory stream>: flattened input: header type 2, expected 1"});
  cases.push_back({"no end record", header(), "<memory stream>: flattened input: input ends at byte 4096 without the end record"});
  auto rec = header();
  record(rec, 0, 3, "abc");
  auto cut = rec;
  cut.pop_back();
  cases.push_back({"data cut", cut, "<memory stream>: flattened input: record 1 at byte 4096: data ends after 2 of 3 bytes"});
  auto half = rec;
  half.insert(half.end(), 9, std::byte{0});
  cases.push_back({"record header cut", half,
                   "<memory stream>: flattened input: record 2 at byte 4115: record header ends after 9 of 16 bytes"});
  auto neg = header();
  record(neg, -5, 3, "abc");
  cases.push_back({"negative offset", neg,
                   "<memory stream>: flattened input: record 1 at byte 4096: invalid offset -5 and size 3"});
  auto zero = header();
  record(zero, 5, 0);
  cases.push_back({"zero size", zero, "<memory stream>: flattened input: record 1 at byte 4096: invalid offset 5 and size 0"});
  auto half_end = header();
  record(half_end, -1, 5);
  cases.push_back({"half an end marker", half_end,
                   "<memory stream>: flattened input: record 1 at byte 4096: invalid offset -1 and size 5"});
  auto overflow = header();
  record(overflow, INT64_MAX - 1, 2, "ab");
  cases.push_back({"overflow", overflow,
                   "<memory stream>: flattened input: record 1 at byte 4096: offset 9223372036854775806 + size 2 "
                   "overflows"});
  return cases;
}

TEST_CASE("malformed flattened input is an error that says where") {
  for (const auto& c : bad_cases()) {
    CAPTURE(c.what);
    MemoryInputStream stream(c.input);
    MemorySink out;
    CHECK_THROWS_WITH_AS(rearrange_flattened(stream, out), c.message.c_str(), DumpError);
    CHECK(out.finishes() == 0);
  }
}

PageKind mixed(std::uint64_t pfn) {
  if (pfn % 9 == 0) return PageKind::kZero;
  return pfn % 4 == 0 ? PageKind::kRandom : PageKind::kText;
}

TEST_CASE("a flattened dump rearranged equals the dump written directly, byte for byte") {
  for (CodecKind codec : {CodecKind::kZlib, CodecKind::kLzo, CodecKind::kNone}) {
    for (DumpFormat format : {DumpFormat::kKdumpCompressed, DumpFormat::kElf}) {
      if (format == DumpFormat::kElf && codec != CodecKind::kNone) continue;
      CAPTURE(codec_name(codec));
      CAPTURE(static_cast<int>(format));
      WriteOptions o;
      o.format = format;
      o.codec = codec;
      o.batch_pages = 64;
      o.timestamp_sec = 1;
      PageImage image({{1, 700}, {1200, 1900}}, mixed);
      MemorySink direct;
      write_dump(image, nullptr, o, direct);
      MemoryOutputStream stream;
      FlattenedSink flat(stream);
      o.threads = 2;
      write_dump(image, nullptr, o, flat);
      MemoryInputStream in(stream.bytes(), 4000);
      MemorySink rebuilt;
      RearrangeReport r = rearrange_flattened(in, rebuilt);
      CHECK(r.records == flat.records());
      CHECK(r.dump_size == direct.bytes().size());
      CHECK(rebuilt.bytes() == direct.bytes());
    }
  }
}

TEST_CASE("every truncation of a real flattened dump is reported, never a crash") {
  PageImage image({{0, 300}}, mixed);
  WriteOptions o;
  o.batch_pages = 50;
  MemoryOutputStream stream;
  FlattenedSink flat(stream);
  write_dump(image, nullptr, o, flat);
  const auto& full = stream.bytes();
  for (std::size_t cut = 0; cut < full.size(); cut += (cut < 4200 ? 1 : 97)) {
    CAPTURE(cut);
    std::span<const std::byte> part(full.data(), cut);
    MemoryInputStream in(part);
    MemorySink out;
    CHECK_THROWS_AS(rearrange_flattened(in, out), DumpError);
  }
}

}  // namespace
}  // namespace kdump
