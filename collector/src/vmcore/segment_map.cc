#include "vmcore/segment_map.h"

// QEMU's paging dumps map one physical page from many program headers, so
// segments may overlap. They are sorted by physical address and clipped so
// that each byte belongs to one piece (the earliest-starting segment's); a
// look-up is then one binary search, skipped when the last piece still holds
// the address, which is the common case for sequential page reads. Reads
// allocate nothing: bytes past p_filesz are zero-filled in place. The clipped
// parts are kept too: when a truncated file lacks a piece's bytes, another
// segment holding the same memory may still have them.

#include <algorithm>
#include <cstring>

namespace kdump {

namespace {

// The parts of [start, end) that none of the sorted, disjoint `pieces` covers.
std::vector<std::pair<std::uint64_t, std::uint64_t>> uncovered(const std::vector<LoadSegment>& pieces,
                                                               std::uint64_t start, std::uint64_t end) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  auto it = std::upper_bound(pieces.begin(), pieces.end(), start,
                             [](std::uint64_t a, const LoadSegment& s) { return a < s.paddr + s.mem_size; });
  for (; start < end && it != pieces.end() && it->paddr < end; ++it) {
    if (it->paddr > start) out.emplace_back(start, it->paddr);
    start = std::max(start, it->paddr + it->mem_size);
  }
  if (start < end) out.emplace_back(start, end);
  return out;
}

}  // namespace

SegmentMap::SegmentMap(ByteSource& source, const std::vector<LoadSegment>& loads) : source_(source) {
  // Bytes the file holds are placed first, the earliest-starting segment
  // winning an overlap; the zeros a p_memsz beyond p_filesz implies then fill
  // only what no file bytes cover, so a damaged p_memsz cannot hide memory
  // another segment holds (the lab's mem_section lies in the last PT_LOAD).
  std::vector<LoadSegment> sorted = loads;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const LoadSegment& a, const LoadSegment& b) { return a.paddr < b.paddr; });
  std::uint64_t covered = 0;
  bool any = false;
  for (LoadSegment seg : sorted) {
    seg.file_size = std::min(seg.file_size, seg.mem_size);
    seg.mem_size = seg.file_size;
    if (seg.file_size == 0) continue;
    const std::uint64_t end = seg.paddr + seg.mem_size;
    if (any && seg.paddr < covered) {
      LoadSegment shadow = seg;
      shadow.mem_size = shadow.file_size = std::min(end, covered) - seg.paddr;
      shadowed_.push_back(shadow);
    }
    if (any && end <= covered) continue;
    if (any && seg.paddr < covered) {
      const std::uint64_t cut = covered - seg.paddr;
      seg.paddr = covered;
      seg.vaddr += cut;
      seg.mem_size -= cut;
      seg.file_offset += cut;
      seg.file_size -= cut;
    }
    pieces_.push_back(seg);
    covered = end;
    any = true;
  }
  // The zero parts, sorted by start (`sorted` is) but possibly overlapping
  // each other: each byte goes to the first that reaches it.
  std::vector<LoadSegment> zeros;
  std::uint64_t zeroed = 0;
  for (const LoadSegment& seg : sorted) {
    const std::uint64_t from = std::max(zeroed, seg.paddr + std::min(seg.file_size, seg.mem_size));
    const std::uint64_t to = seg.paddr + seg.mem_size;
    if (from >= to) continue;
    for (auto [start, end] : uncovered(pieces_, from, to))
      zeros.push_back({start, seg.vaddr == 0 ? 0 : seg.vaddr + (start - seg.paddr), 0, 0, end - start});
    zeroed = to;
  }
  pieces_.insert(pieces_.end(), zeros.begin(), zeros.end());
  std::sort(pieces_.begin(), pieces_.end(), [](const auto& a, const auto& b) { return a.paddr < b.paddr; });
}

const LoadSegment* SegmentMap::find(std::uint64_t paddr) {
  if (pieces_.empty()) return nullptr;
  const LoadSegment& cached = pieces_[last_.load(std::memory_order_relaxed)];
  if (paddr >= cached.paddr && paddr - cached.paddr < cached.mem_size) return &cached;
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), paddr,
                             [](std::uint64_t a, const LoadSegment& s) { return a < s.paddr; });
  if (it == pieces_.begin()) return nullptr;
  --it;
  if (paddr - it->paddr >= it->mem_size) return nullptr;
  last_.store(static_cast<std::size_t>(it - pieces_.begin()), std::memory_order_relaxed);
  return &*it;
}

std::size_t SegmentMap::read(std::uint64_t paddr, std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t addr = paddr + done;
    if (addr < paddr) break;  // wrapped past the top of the address space
    const LoadSegment* seg = find(addr);
    if (!seg) break;
    const std::uint64_t in_seg = addr - seg->paddr;
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, seg->mem_size - in_seg));
    std::size_t from_file = 0;
    if (in_seg < seg->file_size) {
      from_file = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, seg->file_size - in_seg));
      std::size_t n = source_.read_at(seg->file_offset + in_seg, out.subspan(done, from_file));
      if (n < from_file) n += read_elsewhere(addr + n, out.subspan(done + n, from_file - n));
      if (n < from_file) return done + n;
    }
    std::memset(out.data() + done + from_file, 0, chunk - from_file);
    done += chunk;
  }
  return done;
}

std::size_t SegmentMap::read_elsewhere(std::uint64_t paddr, std::span<std::byte> out) {
  // Only after a short read; QEMU paging dumps can shadow thousands of
  // segments, so look at the few nearest below paddr.
  constexpr std::size_t kLooked = 64;
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t addr = paddr + done;
    auto it = std::upper_bound(shadowed_.begin(), shadowed_.end(), addr,
                               [](std::uint64_t a, const LoadSegment& s) { return a < s.paddr; });
    std::size_t got = 0;
    for (std::size_t looked = 0; it != shadowed_.begin() && looked < kLooked && got == 0; ++looked) {
      --it;
      if (addr - it->paddr >= it->file_size) continue;
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, it->file_size - (addr - it->paddr)));
      got = source_.read_at(it->file_offset + (addr - it->paddr), out.subspan(done, want));
    }
    if (got == 0) break;
    done += got;
  }
  return done;
}

std::vector<PhysicalRange> SegmentMap::missing() const {
  const std::uint64_t file_end = source_.size();
  auto held = [&](const LoadSegment& s) {
    return s.file_offset >= file_end ? 0 : std::min(s.file_size, file_end - s.file_offset);
  };
  // The other copies that still have bytes, in address order, are carved out.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> copies;
  for (const auto& s : shadowed_)
    if (held(s) > 0) copies.emplace_back(s.paddr, s.paddr + held(s));
  std::sort(copies.begin(), copies.end());
  std::vector<PhysicalRange> out;
  for (const auto& p : pieces_) {
    const std::uint64_t have = held(p);
    if (have >= p.file_size) continue;
    std::uint64_t from = p.paddr + have;
    const std::uint64_t to = p.paddr + p.file_size;
    for (auto [start, end] : copies) {
      if (end <= from) continue;
      if (start >= to) break;
      if (start > from) out.push_back({from, start - from});
      from = std::max(from, end);
    }
    if (from < to) out.push_back({from, to - from});
  }
  return out;
}

std::vector<PhysicalRange> SegmentMap::ranges() const {
  std::vector<PhysicalRange> out;
  for (const auto& p : pieces_) {
    if (!out.empty() && out.back().start + out.back().size == p.paddr)
      out.back().size += p.mem_size;
    else
      out.push_back({p.paddr, p.mem_size});
  }
  return out;
}

}  // namespace kdump
