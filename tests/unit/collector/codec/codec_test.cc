#include "codec/codec.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace kdump {
namespace {

std::vector<std::byte> text_page() {
  std::string line = "Nov 22 00:00:00 kernel: BUG: unable to handle page fault\n";
  std::vector<std::byte> p(4096);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::byte>(line[i % line.size()]);
  return p;
}

std::vector<std::byte> random_page() {
  std::vector<std::byte> p(4096);
  std::uint64_t x = 88172645463325252ull;
  for (auto& b : p) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    b = static_cast<std::byte>(x);
  }
  return p;
}

struct Row {
  CodecKind kind;
  const char* name;
  std::uint32_t flag;
};
constexpr Row kRows[] = {{CodecKind::kNone, "none", 0},  {CodecKind::kZlib, "zlib", 1},   {CodecKind::kLzo, "lzo", 2},
                         {CodecKind::kSnappy, "snappy", 4}, {CodecKind::kZstd, "zstd", 0x20}};

TEST_CASE("codec names and makedumpfile flags") {
  for (const auto& r : kRows) {
    CAPTURE(r.name);
    CHECK(codec_name(r.kind) == r.name);
    CHECK(codec_flag(r.kind) == r.flag);
    CHECK(codec_from_name(r.name) == r.kind);
    CHECK(make_codec(r.kind)->kind() == r.kind);
  }
  CHECK_FALSE(codec_from_name("gzip").has_value());
  CHECK_FALSE(codec_from_name("ZLIB").has_value());
  CHECK_FALSE(codec_from_name("").has_value());
}

TEST_CASE("every codec round-trips text, random and zero pages") {
  const std::vector<std::vector<std::byte>> pages = {text_page(), random_page(), std::vector<std::byte>(4096)};
  for (const auto& r : kRows) {
    auto codec = make_codec(r.kind);
    for (std::size_t i = 0; i < pages.size(); ++i) {
      CAPTURE(r.name);
      CAPTURE(i);
      std::vector<std::byte> packed(codec->max_compressed_size(4096));
      auto n = codec->compress(pages[i], packed);
      REQUIRE(n.has_value());
      CHECK(*n <= packed.size());
      std::vector<std::byte> back(4096);
      CHECK(codec->decompress(std::span(packed).first(*n), back));
      CHECK(back == pages[i]);
      // Reusing the codec's state gives the same bytes again.
      std::vector<std::byte> again(packed.size());
      auto m = codec->compress(pages[i], again);
      REQUIRE(m == n);
      CHECK(std::equal(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(*n), again.begin()));
    }
  }
}

TEST_CASE("real codecs shrink a text page and a zero page") {
  for (const auto& r : kRows) {
    if (r.kind == CodecKind::kNone) continue;
    CAPTURE(r.name);
    auto codec = make_codec(r.kind);
    std::vector<std::byte> packed(codec->max_compressed_size(4096));
    CHECK(*codec->compress(text_page(), packed) < 1024);
    CHECK(*codec->compress(std::vector<std::byte>(4096), packed) < 256);
  }
}

TEST_CASE("decompression rejects corrupt data and wrong sizes") {
  for (const auto& r : kRows) {
    CAPTURE(r.name);
    auto codec = make_codec(r.kind);
    auto page = text_page();
    std::vector<std::byte> packed(codec->max_compressed_size(4096));
    std::size_t n = *codec->compress(page, packed);
    std::vector<std::byte> small(4095), back(4096);
    CHECK_FALSE(codec->decompress(std::span(packed).first(n), small));  // decodes to another size
    if (r.kind == CodecKind::kNone) continue;
    CHECK_FALSE(codec->decompress(std::span(packed).first(n / 2), back));  // truncated
    std::vector<std::byte> garbage(n, std::byte{0xff});
    CHECK_FALSE(codec->decompress(garbage, back));
  }
}

TEST_CASE("zlib pages are zlib streams: zlib itself reads ours, and we read compress2()'s") {
  // makedumpfile and crash decode -c pages with zlib's uncompress().
  auto codec = make_codec(CodecKind::kZlib);
  for (const auto& page : {text_page(), random_page(), std::vector<std::byte>(4096)}) {
    std::vector<std::byte> packed(codec->max_compressed_size(4096));
    auto n = codec->compress(page, packed);
    REQUIRE(n.has_value());
    CHECK(packed[0] == std::byte{0x78});  // deflate, 32 KiB window
    CHECK((std::to_integer<unsigned>(packed[0]) * 256 + std::to_integer<unsigned>(packed[1])) % 31 == 0);
    std::vector<std::byte> back(4096);
    uLongf back_size = back.size();
    REQUIRE(uncompress(reinterpret_cast<Bytef*>(back.data()), &back_size, reinterpret_cast<const Bytef*>(packed.data()),
                       *n) == Z_OK);
    CHECK(back_size == 4096);
    CHECK(back == page);

    std::vector<std::byte> theirs(compressBound(4096));
    uLongf theirs_size = theirs.size();
    REQUIRE(compress2(reinterpret_cast<Bytef*>(theirs.data()), &theirs_size, reinterpret_cast<const Bytef*>(page.data()),
                      page.size(), Z_BEST_SPEED) == Z_OK);
    std::vector<std::byte> ours(4096);
    CHECK(codec->decompress(std::span(theirs).first(theirs_size), ours));
    CHECK(ours == page);
  }
}

}  // namespace
}  // namespace kdump
