#include "filter/pfn_bitmap.h"

// Range operations work a word at a time: free pages come in blocks of up to
// 1024 pfns and whole PT_LOADs are set at once, so bit-by-bit loops would be
// the filter's hot spot.

#include <algorithm>
#include <bit>

namespace kdump {
namespace {

// Bits [lo, hi) of a word, 0 <= lo < hi <= 64.
std::uint64_t bits(unsigned lo, unsigned hi) {
  std::uint64_t upper = hi == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << hi) - 1;
  return upper & ~((std::uint64_t{1} << lo) - 1);
}

}  // namespace

void PfnBitmap::reset(std::uint64_t start, std::uint64_t size) {
  start_ = start;
  size_ = size;
  words_.assign((size + 63) / 64, 0);
}

void PfnBitmap::set_range(std::uint64_t first, std::uint64_t last) {
  first = std::max(first, start_);
  last = std::min(last, end());
  for (std::uint64_t i = first - start_, e = last - start_; first < last && i < e;) {
    unsigned lo = i % 64;
    unsigned hi = static_cast<unsigned>(std::min<std::uint64_t>(64, lo + (e - i)));
    words_[i / 64] |= bits(lo, hi);
    i += hi - lo;
  }
}

std::uint64_t PfnBitmap::clear_range(std::uint64_t first, std::uint64_t last) {
  first = std::max(first, start_);
  last = std::min(last, end());
  std::uint64_t cleared = 0;
  for (std::uint64_t i = first - start_, e = last - start_; first < last && i < e;) {
    unsigned lo = i % 64;
    unsigned hi = static_cast<unsigned>(std::min<std::uint64_t>(64, lo + (e - i)));
    std::uint64_t m = bits(lo, hi);
    cleared += std::popcount(words_[i / 64] & m);
    words_[i / 64] &= ~m;
    i += hi - lo;
  }
  return cleared;
}

std::uint64_t PfnBitmap::count() const {
  std::uint64_t n = 0;
  for (auto w : words_) n += std::popcount(w);
  return n;
}

}  // namespace kdump
