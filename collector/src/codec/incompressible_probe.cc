#include "codec/incompressible_probe.h"

// The byte histogram runs first because it is the cheaper test and rejects
// most compressible pages (text, kernel data) at once; LZO runs only on pages
// whose bytes look random. The histogram counts into four tables, so that
// consecutive bytes do not wait on one counter, from 8-byte loads. A random
// 4 KiB page has sum(c^2) of about n^2/256 + n (69,600), with a standard
// deviation of about 2,100; the 7.8-bit bound (sum(c^2) <= 0.00449 n^2,
// 75,300) is 2.6 deviations above that, so nearly every random page passes.

#include <cstdint>
#include <cstring>

namespace kdump {

namespace {

using Counts = std::uint16_t[4][256];

// Adds the bytes of [begin, end) (a multiple of 8 long) to the counts.
void count_bytes(Counts& counts, const std::byte* begin, const std::byte* end) {
  for (const std::byte* p = begin; p + 8 <= end; p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    ++counts[0][w & 255], ++counts[1][(w >> 8) & 255], ++counts[2][(w >> 16) & 255], ++counts[3][(w >> 24) & 255];
    ++counts[0][(w >> 32) & 255], ++counts[1][(w >> 40) & 255], ++counts[2][(w >> 48) & 255], ++counts[3][w >> 56];
  }
}

std::uint64_t sum_of_squares(const Counts& counts) {
  std::uint64_t squares = 0;
  for (int b = 0; b < 256; ++b) {
    const std::uint64_t c = std::uint64_t{counts[0][b]} + counts[1][b] + counts[2][b] + counts[3][b];
    squares += c * c;
  }
  return squares;
}

}  // namespace

bool evenly_spread_bytes(std::span<const std::byte> page) {
  const std::uint64_t n = page.size();
  if (n < 256) return false;
  Counts counts;
  std::memset(counts, 0, sizeof counts);
  const std::size_t whole = page.size() / 8 * 8;
  // Most pages given to the probe are kernel data or text, far from random:
  // their first KiB already shows it (sum(c^2) over 1024 random bytes is
  // about 5,100 with a deviation of about 100; twice that is never random),
  // which saves three quarters of the counting on them.
  constexpr std::size_t kPrefix = 1024;
  std::size_t counted = 0;
  if (whole > 2 * kPrefix) {
    count_bytes(counts, page.data(), page.data() + kPrefix);
    if (sum_of_squares(counts) > 2 * (kPrefix * kPrefix / 256 + kPrefix)) return false;
    counted = kPrefix;
  }
  count_bytes(counts, page.data() + counted, page.data() + whole);
  for (std::size_t i = whole; i < page.size(); ++i) ++counts[0][std::to_integer<std::uint8_t>(page[i])];
  // Up to 64 KiB pages: a count fits 16 bits per table (each sees a quarter of the page).
  // 2^-7.8 = 0.004487
  return sum_of_squares(counts) * 100000 <= 449 * n * n;
}

IncompressibleProbe::IncompressibleProbe() : lzo_(make_codec(CodecKind::kLzo)) {}

bool IncompressibleProbe::incompressible(std::span<const std::byte> page) {
  if (page.size() > 65536 || !evenly_spread_bytes(page)) return false;
  scratch_.resize(lzo_->max_compressed_size(page.size()));
  auto n = lzo_->compress(page, scratch_);
  return n && *n >= page.size();
}

}  // namespace kdump
