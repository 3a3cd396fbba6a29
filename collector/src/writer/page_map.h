#pragma once
// Which page frames exist and which go into the dump, computed one window of
// 32768 frames (4 KiB of bitmap) at a time, so that memory stays bounded
// whatever the size of the crashed machine (a 1 TiB guest has 256 Mi frames:
// 32 MiB per bitmap if held whole). Both passes of a writer (bitmaps and
// counts first, pages second) walk the same windows and get the same answer.
// The filter's answers are remembered when the whole dump bitmap fits in
// kRememberBytes (a 256 GiB machine), so the second pass does not read the
// crashed kernel's struct pages again; larger machines ask the filter again.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "writer/page_source.h"

namespace kdump {

/// The present (1st bitmap) and dumpable (2nd bitmap) page frames.
class PageMap {
 public:
  using PfnRanges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
  /// Frames per window; a multiple of 8 and of 4096 bytes of bitmap.
  static constexpr std::uint64_t kWindowPfns = 32768;
  static constexpr std::size_t kWindowBytes = kWindowPfns / 8;
  /// Most bytes of filter answers kept for a second pass (8 MiB: 64 Mi frames).
  static constexpr std::size_t kRememberBytes = std::size_t{8} << 20;

  /// `filter` may be null (keep every present page); both are borrowed.
  PageMap(const std::vector<MemoryRange>& ranges, std::size_t page_size, PageFilter* filter);

  /// Leaves out of the dump bitmap, without reading them, every frame that
  /// `source` cannot read (PageSource::missing_ranges()) and, when
  /// `zero_pages` (dump level bit 1), the whole frames it knows to be zero
  /// (PageSource::zero_filled_ranges()).
  void leave_out_known(const PageSource& source, bool zero_pages);

  /// Frames the filter kept that fill() left out as known zero or missing.
  struct KnownOut {
    std::uint64_t zero = 0, missing = 0;
    KnownOut& operator+=(const KnownOut& o) {
      zero += o.zero, missing += o.missing;
      return *this;
    }
  };

  /// One past the highest present frame (max_mapnr).
  std::uint64_t max_pfn() const { return max_pfn_; }
  /// Number of windows covering [0, max_pfn()).
  std::uint64_t windows() const { return (max_pfn_ + kWindowPfns - 1) / kWindowPfns; }
  /// Fills both bitmaps (kWindowBytes each; bit i = pfn window*kWindowPfns + i,
  /// LSB first) for window number `window`. Not thread-safe (it may remember).
  /// Returns the frames the filter kept that leave_out_known() left out.
  KnownOut fill(std::uint64_t window, std::span<std::uint8_t> present, std::span<std::uint8_t> dump) const;
  /// The writers' warnings for what leave_out_known() left out, given the
  /// sum of fill()'s answers over every window.
  std::vector<std::string> known_notes(const KnownOut& out) const;
  /// Present frames, merged and sorted, as [start, end) pfn pairs.
  const PfnRanges& pfn_ranges() const { return pfn_ranges_; }

 private:
  PfnRanges pfn_ranges_;
  std::vector<MemoryRange> zero_ranges_, missing_ranges_;  // as the source gave them, for the notes
  PfnRanges zero_filled_;  // merged, sorted [start, end) pfns
  PfnRanges missing_;      // the same
  std::size_t page_size_;
  std::uint64_t max_pfn_ = 0;
  PageFilter* filter_;
  // The filter's answers for windows [0, remembered_), in order; empty when
  // they would not fit in kRememberBytes.
  mutable std::vector<std::uint8_t> answers_;
  mutable std::uint64_t remembered_ = 0;
};


/// Counts the set bits of a bitmap.
std::uint64_t count_bits(std::span<const std::uint8_t> bits);

/// The dumpable frames in increasing order, window by window, into a caller's array.
class DumpablePfns {
 public:
  explicit DumpablePfns(const PageMap& map);
  /// Only the frames in [first_pfn, end_pfn).
  DumpablePfns(const PageMap& map, std::uint64_t first_pfn, std::uint64_t end_pfn);
  /// Fills `out` with the next frames; returns how many (0 at the end).
  std::size_t next(std::span<std::uint64_t> out);

 private:
  const PageMap& map_;
  std::vector<std::uint8_t> present_, dump_;
  std::uint64_t window_ = 0;
  std::uint64_t bit_ = PageMap::kWindowPfns;  // position in the current window; past end = load next
  std::uint64_t first_ = 0, end_ = ~std::uint64_t{0};
};

}  // namespace kdump
