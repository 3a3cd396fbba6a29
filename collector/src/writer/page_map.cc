#include "writer/page_map.h"

// Ranges are merged once into sorted pfn intervals; filling a window sets bit
// runs for the intervals that meet it (found by binary search) and then lets
// the filter clear what it excludes.

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

namespace kdump {
namespace {

void set_bits(std::span<std::uint8_t> bits, std::uint64_t from, std::uint64_t to) {
  while (from < to && (from % 8) != 0) bits[from / 8] |= static_cast<std::uint8_t>(1u << (from % 8)), ++from;
  if (to - from >= 8) {
    std::memset(bits.data() + from / 8, 0xff, (to - from) / 8);
    from += (to - from) / 8 * 8;
  }
  while (from < to) bits[from / 8] |= static_cast<std::uint8_t>(1u << (from % 8)), ++from;
}

// Clears bits [from, to) and returns how many of them were set.
std::uint64_t clear_bits(std::span<std::uint8_t> bits, std::uint64_t from, std::uint64_t to) {
  std::uint64_t cleared = 0;
  for (; from < to && (from % 8) != 0; ++from) {
    const auto mask = static_cast<std::uint8_t>(1u << (from % 8));
    cleared += (bits[from / 8] & mask) != 0;
    bits[from / 8] &= static_cast<std::uint8_t>(~mask);
  }
  for (; to - from >= 8; from += 8) {
    cleared += static_cast<std::uint64_t>(std::popcount(bits[from / 8]));
    bits[from / 8] = 0;
  }
  for (; from < to; ++from) {
    const auto mask = static_cast<std::uint8_t>(1u << (from % 8));
    cleared += (bits[from / 8] & mask) != 0;
    bits[from / 8] &= static_cast<std::uint8_t>(~mask);
  }
  return cleared;
}

// Whole frames of `ranges` (rounded outward when `outward`, else inward), merged and sorted.
std::vector<std::pair<std::uint64_t, std::uint64_t>> pfn_intervals(const std::vector<MemoryRange>& ranges,
                                                                   std::size_t page_size, bool outward) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pfns;
  for (const auto& r : ranges) {
    if (r.size == 0) continue;
    const std::uint64_t start = outward ? r.paddr / page_size : (r.paddr + page_size - 1) / page_size;
    const std::uint64_t end = outward ? (r.paddr + r.size + page_size - 1) / page_size : (r.paddr + r.size) / page_size;
    if (end > start) pfns.emplace_back(start, end);
  }
  std::sort(pfns.begin(), pfns.end());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
  for (const auto& r : pfns) {
    if (!merged.empty() && r.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  }
  return merged;
}

// The intervals of `sorted` that meet [first, last), from the first one.
auto first_meeting(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& sorted, std::uint64_t first) {
  return std::upper_bound(sorted.begin(), sorted.end(), first,
                          [](std::uint64_t pfn, const auto& r) { return pfn < r.second; });
}

}  // namespace

PageMap::PageMap(const std::vector<MemoryRange>& ranges, std::size_t page_size, PageFilter* filter)
    : page_size_(page_size), filter_(filter) {
  pfn_ranges_ = pfn_intervals(ranges, page_size, true);
  if (!pfn_ranges_.empty()) max_pfn_ = pfn_ranges_.back().second;
  if (filter_ != nullptr && windows() <= kRememberBytes / kWindowBytes) answers_.resize(windows() * kWindowBytes);
}

void PageMap::leave_out_known(const PageSource& source, bool zero_pages) {
  missing_ranges_ = source.missing_ranges();
  missing_ = pfn_intervals(missing_ranges_, page_size_, true);
  if (!zero_pages) return;
  zero_ranges_ = source.zero_filled_ranges();
  zero_filled_ = pfn_intervals(zero_ranges_, page_size_, false);
}

PageMap::KnownOut PageMap::fill(std::uint64_t window, std::span<std::uint8_t> present, std::span<std::uint8_t> dump) const {
  std::memset(present.data(), 0, kWindowBytes);
  const std::uint64_t first = window * kWindowPfns, last = first + kWindowPfns;
  for (auto it = first_meeting(pfn_ranges_, first); it != pfn_ranges_.end() && it->first < last; ++it)
    set_bits(present, std::max(it->first, first) - first, std::min(it->second, last) - first);
  if (window < remembered_) {
    std::memcpy(dump.data(), answers_.data() + window * kWindowBytes, kWindowBytes);
  } else {
    std::memcpy(dump.data(), present.data(), kWindowBytes);
    if (filter_ != nullptr) {
      filter_->exclude(first, dump.first(kWindowBytes));
      for (std::size_t i = 0; i < kWindowBytes; ++i) dump[i] &= present[i];  // a filter cannot add pages
    }
    if (window == remembered_ && !answers_.empty()) {
      std::memcpy(answers_.data() + window * kWindowBytes, dump.data(), kWindowBytes);
      ++remembered_;
    }
  }
  KnownOut out;
  for (auto it = first_meeting(missing_, first); it != missing_.end() && it->first < last; ++it)
    out.missing += clear_bits(dump, std::max(it->first, first) - first, std::min(it->second, last) - first);
  for (auto it = first_meeting(zero_filled_, first); it != zero_filled_.end() && it->first < last; ++it)
    out.zero += clear_bits(dump, std::max(it->first, first) - first, std::min(it->second, last) - first);
  return out;
}

namespace {

// Names the largest of `ranges`: a damaged p_memsz shows there.
std::string zero_filled_note(std::uint64_t pages, const std::vector<MemoryRange>& ranges) {
  MemoryRange largest;
  for (const auto& r : ranges)
    if (r.size > largest.size) largest = r;
  char range[80];
  std::snprintf(range, sizeof range, "0x%llx-0x%llx", static_cast<unsigned long long>(largest.paddr),
                static_cast<unsigned long long>(largest.paddr + largest.size - 1));
  return std::to_string(pages) + " pages lie past the file bytes of their PT_LOAD (p_memsz beyond p_filesz): " +
         "they read as zeros and were left out as zero pages unread; the largest such range is physical " + range +
         " (a p_memsz that large may be damage)";
}

std::string missing_note(std::uint64_t pages, const std::vector<MemoryRange>& ranges) {
  char first[40];
  std::snprintf(first, sizeof first, "0x%llx", static_cast<unsigned long long>(ranges.empty() ? 0 : ranges[0].paddr));
  return std::to_string(pages) + " pages could not be read: their bytes lie past the end of the vmcore file " +
         "(first at physical " + first + "); they are left out of the dump, so readers report them as excluded";
}

}  // namespace

std::vector<std::string> PageMap::known_notes(const KnownOut& out) const {
  std::vector<std::string> notes;
  if (out.missing > 0) notes.push_back(missing_note(out.missing, missing_ranges_));
  if (out.zero > 0) notes.push_back(zero_filled_note(out.zero, zero_ranges_));
  return notes;
}

std::uint64_t count_bits(std::span<const std::uint8_t> bits) {
  std::uint64_t n = 0;
  for (auto b : bits) n += static_cast<std::uint64_t>(std::popcount(b));
  return n;
}

DumpablePfns::DumpablePfns(const PageMap& map)
    : map_(map), present_(PageMap::kWindowBytes), dump_(PageMap::kWindowBytes) {}

DumpablePfns::DumpablePfns(const PageMap& map, std::uint64_t first_pfn, std::uint64_t end_pfn)
    : DumpablePfns(map) {
  first_ = first_pfn;
  end_ = end_pfn;
  window_ = first_pfn / PageMap::kWindowPfns;
}

std::size_t DumpablePfns::next(std::span<std::uint64_t> out) {
  std::size_t n = 0;
  while (n < out.size()) {
    if (bit_ >= PageMap::kWindowPfns) {
      if (window_ >= map_.windows() || window_ * PageMap::kWindowPfns >= end_) break;
      map_.fill(window_, present_, dump_);
      bit_ = first_ > window_ * PageMap::kWindowPfns ? first_ - window_ * PageMap::kWindowPfns : 0;
      ++window_;
    }
    // Skip whole zero bytes quickly, then take set bits one by one.
    const std::uint64_t base = (window_ - 1) * PageMap::kWindowPfns;
    if (base + bit_ >= end_) {
      window_ = map_.windows();
      bit_ = PageMap::kWindowPfns;
      break;
    }
    while (bit_ < PageMap::kWindowPfns && n < out.size() && base + bit_ < end_) {
      std::uint8_t byte = dump_[bit_ / 8];
      if ((bit_ % 8) == 0 && byte == 0) {
        bit_ += 8;
        continue;
      }
      if (byte & (1u << (bit_ % 8))) out[n++] = base + bit_;
      ++bit_;
    }
    if (base + bit_ >= end_) bit_ = PageMap::kWindowPfns, window_ = map_.windows();
  }
  return n;
}

}  // namespace kdump
