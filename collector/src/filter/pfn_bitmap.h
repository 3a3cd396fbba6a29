#pragma once
// The page filter's answer for one cycle: one bit per page frame of a pfn
// range, set when the page goes into the dump. 128 KiB of bitmap covers 4 GiB
// of memory, so a cycle's bitmap stays small whatever the machine.

#include <cstdint>
#include <vector>

namespace kdump {

/// A set of pfns within [start, start + size), stored as bits.
class PfnBitmap {
 public:
  /// An empty bitmap.
  PfnBitmap() = default;
  /// Reserves room for `capacity` pfns, so that reset() up to that size
  /// does not allocate.
  explicit PfnBitmap(std::uint64_t capacity) { words_.reserve((capacity + 63) / 64); }

  /// Covers [start, start + size), every bit clear.
  void reset(std::uint64_t start, std::uint64_t size);
  /// The first pfn covered.
  std::uint64_t start() const { return start_; }
  /// How many pfns are covered.
  std::uint64_t size() const { return size_; }
  /// One past the last pfn covered.
  std::uint64_t end() const { return start_ + size_; }

  /// Whether pfn is in the set; false outside the range.
  bool test(std::uint64_t pfn) const {
    if (pfn < start_ || pfn - start_ >= size_) return false;
    std::uint64_t i = pfn - start_;
    return (words_[i / 64] >> (i % 64)) & 1;
  }
  /// Adds pfn (ignored outside the range).
  void set(std::uint64_t pfn) {
    if (pfn < start_ || pfn - start_ >= size_) return;
    std::uint64_t i = pfn - start_;
    words_[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  /// Removes pfn; returns whether it was in the set.
  bool clear(std::uint64_t pfn) {
    if (pfn < start_ || pfn - start_ >= size_) return false;
    std::uint64_t i = pfn - start_;
    std::uint64_t mask = std::uint64_t{1} << (i % 64);
    bool was = words_[i / 64] & mask;
    words_[i / 64] &= ~mask;
    return was;
  }
  /// Adds every pfn of [first, last) that is inside the range.
  void set_range(std::uint64_t first, std::uint64_t last);
  /// Removes every pfn of [first, last); returns how many were in the set.
  std::uint64_t clear_range(std::uint64_t first, std::uint64_t last);
  /// How many pfns are in the set.
  std::uint64_t count() const;
  /// The raw words, bit i of word w standing for pfn start + 64 * w + i.
  const std::vector<std::uint64_t>& words() const { return words_; }

 private:
  std::uint64_t start_ = 0;
  std::uint64_t size_ = 0;
  std::vector<std::uint64_t> words_;
};

}  // namespace kdump
