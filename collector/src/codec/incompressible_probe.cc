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

bool evenly_spread_bytes(std::span<const std::byte> page) {
  const std::uint64_t n = page.size();
  if (n < 256) return false;
  std::uint16_t counts[4][256];
  std::memset(counts, 0, sizeof counts);
  std::size_t i = 0;
  for (; i + 8 <= page.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, page.data() + i, 8);
    ++counts[0][w & 255], ++counts[1][(w >> 8) & 255], ++counts[2][(w >> 16) & 255], ++counts[3][(w >> 24) & 255];
    ++counts[0][(w >> 32) & 255], ++counts[1][(w >> 40) & 255], ++counts[2][(w >> 48) & 255], ++counts[3][w >> 56];
  }
  for (; i < page.size(); ++i) ++counts[0][std::to_integer<std::uint8_t>(page[i])];
  // Up to 64 KiB pages: a count fits 16 bits per table (each sees a quarter of the page).
  std::uint64_t squares = 0;
  for (int b = 0; b < 256; ++b) {
    const std::uint64_t c = std::uint64_t{counts[0][b]} + counts[1][b] + counts[2][b] + counts[3][b];
    squares += c * c;
  }
  // 2^-7.8 = 0.004487
  return squares * 100000 <= 449 * n * n;
}

IncompressibleProbe::IncompressibleProbe() : lzo_(make_codec(CodecKind::kLzo)) {}

bool IncompressibleProbe::incompressible(std::span<const std::byte> page) {
  if (page.size() > 65536 || !evenly_spread_bytes(page)) return false;
  scratch_.resize(lzo_->max_compressed_size(page.size()));
  auto n = lzo_->compress(page, scratch_);
  return n && *n >= page.size();
}

}  // namespace kdump
