#pragma once
// A quick test for pages that no codec can shrink (random bytes, or data that
// is already compressed or encrypted), so that a slow codec is not run on
// them: zlib (libdeflate) spends about 20 us on a 4 KiB page of random bytes
// before finding that it does not shrink, and the page is then stored raw
// anyway; the probe takes a few. Two tests, both needed to call a page incompressible: its bytes
// are spread almost evenly over all 256 values (no entropy coder gains), and
// LZO, which costs about 1 us on such a page, finds no repeats that shrink it
// (no match finder gains). A page that passes is stored raw, as it would have
// been; the rare page that passes yet would have shrunk a little (a few
// bytes of Huffman gain) costs only those bytes.

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "codec/codec.h"

namespace kdump {

/// Says whether a page is not worth compressing. Not thread-safe: one per thread.
class IncompressibleProbe {
 public:
  IncompressibleProbe();
  /// True if `page` would not shrink under zlib.
  bool incompressible(std::span<const std::byte> page);

 private:
  std::unique_ptr<Codec> lzo_;
  std::vector<std::byte> scratch_;
};

/// Whether a page's bytes are spread so evenly over the 256 values that an
/// entropy coder cannot shrink it: their order-2 Renyi entropy,
/// -log2(sum of squared byte frequencies), a lower bound of the Shannon
/// entropy, is at least 7.8 bits per byte.
bool evenly_spread_bytes(std::span<const std::byte> page);

}  // namespace kdump
