#include "filter/page_filter.h"

// The filter walks a cycle's present pfns in order, reading their struct
// pages in large batches (one read_virtual of up to a few MiB per batch,
// into a buffer sized once at construction) and asking the classifier about
// each. A class that covers several pages (a free block of order n, a
// compound page) is left out as one range and the walk jumps past it; a range
// that crosses the cycle's end is carried into the next cycle. This is
// makedumpfile's cyclic walk (makedumpfile.c, __exclude_unnecessary_pages and
// exclude_range), with two differences kept on purpose: pages whose metadata
// cannot be read or contradicts itself are kept and counted instead of
// failing the dump, and a free block whose order is impossible is kept.
//
// Only present pfns are classified and counted, as in makedumpfile, where a
// page outside every PT_LOAD is skipped and a bit already clear is not
// counted again.

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace kdump {
namespace {

constexpr std::uint64_t kMmuPage = 4096;  // granularity of a missing piece of vmemmap
constexpr std::size_t kMaxReportedUnreadable = 8;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::uint64_t PageCounts::excluded_total() const {
  std::uint64_t n = 0;
  for (auto c : excluded) n += c;
  return n;
}

bool is_zero_page(std::span<const std::byte> page) {
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 8 <= page.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, page.data() + i, 8);
    acc |= w;
    if ((i & 511) == 504 && acc) return false;
  }
  for (; i < page.size(); ++i) acc |= std::to_integer<std::uint64_t>(page[i]);
  return acc == 0;
}

DumpLevelFilter::DumpLevelFilter(KernelMemory& memory, DumpLevel level, std::vector<PfnRange> present,
                       DumpLevelFilterOptions options)
    : memory_(memory), level_(level), options_(options) {
  if (options_.batch_pages == 0) options_.batch_pages = 1;
  std::sort(present.begin(), present.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  std::uint64_t listed = 0;
  for (const auto& r : present) {
    if (r.end <= r.start) continue;
    listed += r.end - r.start;
    if (!present_.empty() && r.start <= present_.back().end) {
      present_.back().end = std::max(present_.back().end, r.end);
      continue;
    }
    present_.push_back(r);
  }
  for (const auto& r : present_) counts_.present += r.end - r.start;
  counts_.total = present_.empty() ? 0 : present_.back().end;
  counts_.hole = counts_.total - counts_.present;
  counts_.overlap = listed - counts_.present;

  try {
    classifier_ = std::make_unique<PageClassifier>(memory.vmcoreinfo());
    mem_map_ = std::make_unique<MemMap>(MemMap::load(memory));
  } catch (const std::exception& e) {
    classifier_.reset();
    mem_map_.reset();
    // The writers still leave out pages filled with zeros: they look at contents, not at struct pages.
    problems_.push_back(std::string(e.what()) + ": no page can be classified, so every page is kept" +
                        (level_.excludes(ExclusionClass::kZero) ? " but those filled with zeros" : "") +
                        (level_.needs_mem_map() ? "" : " (this level needs it only for hwpoison and offline pages)"));
    return;
  }
  for (const auto& line : classifier_->unavailable()) problems_.push_back(line);
  for (const auto& line : mem_map_->problems()) problems_.push_back(line);
  struct_page_ = classifier_->struct_page_size();
  if (mem_map_->struct_page_size() != struct_page_) {
    problems_.push_back("SIZE(page) disagrees between the section table and the classifier: every page is kept");
    classifier_.reset();
    return;
  }
  batch_.resize((options_.batch_pages + 1) * struct_page_);
  readable_.resize(options_.batch_pages + 1);
}

DumpLevelFilter::~DumpLevelFilter() = default;

std::vector<std::string> DumpLevelFilter::problems() const {
  std::vector<std::string> out = problems_;
  if (counts_.suspect_metadata > 0)
    out.push_back(std::to_string(counts_.suspect_metadata) +
                  " pages kept as they are because their struct page makes no sense (the first is pfn " +
                  hex(first_suspect_pfn_) + "): the memory map looks damaged");
  return out;
}

const PfnBitmap& DumpLevelFilter::run_cycle(std::uint64_t start, std::uint64_t end) {
  if (end < start) end = start;
  bitmap_.reset(start, end - start);
  for (const auto& r : present_) bitmap_.set_range(r.start, r.end);

  const bool continuation = started_ && start == next_pfn_;
  started_ = true;
  std::uint64_t first = start;
  if (!continuation) {
    pending_class_ = ExclusionClass::kNone;
    if (classifier_ && start > 0) first = resolve_crossing(start);
  } else if (pending_class_ != ExclusionClass::kNone) {
    ExclusionClass c = pending_class_;
    pending_class_ = ExclusionClass::kNone;
    exclude(c, start, pending_end_);
    first = std::max(first, pending_end_);
  }
  if (classifier_ && first < end) classify_range(first, end);
  next_pfn_ = end;
  counted_end_ = std::max(counted_end_, end);
  return bitmap_;
}

bool DumpLevelFilter::exclude_zero_page(std::uint64_t pfn) {
  if (!bitmap_.clear(pfn)) return false;
  ++counts_.excluded[static_cast<std::size_t>(ExclusionClass::kZero)];
  return true;
}

void DumpLevelFilter::exclude(ExclusionClass c, std::uint64_t first, std::uint64_t last) {
  // Pages a previous cycle decided are left out again but not counted again.
  std::uint64_t split = std::clamp(counted_end_, first, std::max(first, last));
  bitmap_.clear_range(first, split);
  counts_.excluded[static_cast<std::size_t>(c)] += bitmap_.clear_range(split, last);
  if (last > bitmap_.end()) {
    pending_class_ = c;
    pending_end_ = last;
  }
}

bool DumpLevelFilter::is_present(std::uint64_t pfn) const {
  auto it = std::upper_bound(present_.begin(), present_.end(), pfn,
                             [](std::uint64_t p, const PfnRange& r) { return p < r.end; });
  return it != present_.end() && it->start <= pfn;
}

std::size_t DumpLevelFilter::read_struct_pages(std::uint64_t pfn, std::span<std::byte> out) {
  std::size_t entries = 0;
  for (; entries * struct_page_ < out.size(); ++entries) {
    auto address = mem_map_->page_address(pfn + entries);
    if (!address) break;
    auto piece = out.subspan(entries * struct_page_, struct_page_);
    if (memory_.read_virtual(*address, piece) != piece.size()) break;
  }
  return entries;
}

std::uint64_t DumpLevelFilter::resolve_crossing(std::uint64_t start) {
  // Which free block or compound page, begun before `start`, covers it: a
  // compound tail names its head; a free block's head is the only buddy page
  // of the block and sits at an aligned pfn below. Both are judged as the walk
  // would have judged them, then left out from `start` on.
  std::array<std::byte, 2 * 1024> raw;
  if (2 * struct_page_ > raw.size()) return start;
  std::span<std::byte> two(raw.data(), 2 * struct_page_);
  auto judge = [&](std::uint64_t head) -> std::uint64_t {
    if (!is_present(head)) return start;
    std::size_t n = read_struct_pages(head, two);
    if (n == 0) return start;
    std::span<const std::byte> page = two.first(struct_page_);
    std::span<const std::byte> next = n > 1 ? two.subspan(struct_page_, struct_page_) : std::span<const std::byte>{};
    PageVerdict v = classifier_->classify(page, next, head, level_);
    if (v.tail || v.exclusion_class == ExclusionClass::kNone) return start;
    std::uint64_t end = head + (std::uint64_t{1} << v.order);
    if (end <= start) return start;
    exclude(v.exclusion_class, start, end);
    return end;
  };
  if (read_struct_pages(start, two.first(struct_page_)) == 1 && classifier_->compound_head_of(two.first(struct_page_))) {
    std::uint64_t head_address = *classifier_->compound_head_of(two.first(struct_page_));
    // The head lies at a lower pfn, in start's run or one just before it.
    const auto& runs = mem_map_->runs();
    std::size_t ri = std::min(mem_map_->run_at_or_after(start) + 1, runs.size());
    for (std::size_t tries = 0; ri-- > 0 && tries < 64; ++tries) {
      const MemMapRun& run = runs[ri];
      std::uint64_t span_bytes = (run.end_pfn - run.start_pfn) * struct_page_;
      if (head_address < run.first_page || head_address - run.first_page >= span_bytes) continue;
      if ((head_address - run.first_page) % struct_page_ != 0) break;
      std::uint64_t head = run.start_pfn + (head_address - run.first_page) / struct_page_;
      return head < start ? judge(head) : start;
    }
    return start;
  }
  for (unsigned k = 1; k <= classifier_->max_buddy_order(); ++k) {
    std::uint64_t head = start & ~((std::uint64_t{1} << k) - 1);
    if (head == start) continue;
    if (std::uint64_t end = judge(head); end > start) return end;
  }
  return start;
}

std::size_t DumpLevelFilter::load_batch(std::size_t run_index, std::uint64_t pfn, std::uint64_t last) {
  const MemMapRun& run = mem_map_->runs()[run_index];
  std::uint64_t count = std::min<std::uint64_t>({options_.batch_pages, run.end_pfn - pfn, last - pfn});
  std::uint64_t entries = count + (pfn + count < run.end_pfn ? 1 : 0);  // the next struct page, for compound heads
  std::uint64_t vaddr = run.first_page + (pfn - run.start_pfn) * struct_page_;
  std::uint64_t bytes = entries * struct_page_;
  std::fill(readable_.begin(), readable_.begin() + static_cast<std::ptrdiff_t>(entries), std::uint8_t{1});
  std::uint64_t off = 0;
  while (off < bytes) {
    std::span<std::byte> want(batch_.data() + off, bytes - off);
    off += memory_.read_virtual(vaddr + off, want);
    if (off >= bytes) break;
    // Skip the piece of the array that is not in the dump, a page at a time.
    std::uint64_t bad_end = std::min(bytes, ((vaddr + off) / kMmuPage + 1) * kMmuPage - vaddr);
    for (std::uint64_t e = off / struct_page_; e <= (bad_end - 1) / struct_page_; ++e) readable_[e] = 0;
    if (off / struct_page_ < count && counted(pfn + off / struct_page_) &&
        unreadable_reported_ < kMaxReportedUnreadable) {
      ++unreadable_reported_;
      problems_.push_back("struct pages of pfn " + hex(pfn + off / struct_page_) + " are unreadable at " +
                          hex(vaddr + off) + "; those pages are kept");
    }
    off = bad_end;
  }
  batch_start_ = pfn;
  batch_count_ = count;
  return static_cast<std::size_t>(entries);
}

void DumpLevelFilter::classify_range(std::uint64_t first, std::uint64_t last) {
  const auto& runs = mem_map_->runs();
  std::size_t entries = 0;
  batch_count_ = 0;
  std::uint64_t pfn = first;
  auto present_it = present_.begin();
  while (pfn < last) {
    // Skip to the next pfn the dump holds.
    while (present_it != present_.end() && present_it->end <= pfn) ++present_it;
    if (present_it == present_.end()) break;
    if (present_it->start > pfn) {
      pfn = present_it->start;
      continue;
    }
    std::uint64_t stop = std::min(present_it->end, last);
    std::size_t ri = mem_map_->run_at_or_after(pfn);
    if (ri == runs.size() || runs[ri].start_pfn > pfn) {
      std::uint64_t next = ri == runs.size() ? stop : std::min(stop, runs[ri].start_pfn);
      counts_.without_metadata += next - std::clamp(counted_end_, pfn, next);
      pfn = next;
      continue;
    }
    stop = std::min(stop, runs[ri].end_pfn);
    while (pfn < stop) {
      if (pfn < batch_start_ || pfn >= batch_start_ + batch_count_) entries = load_batch(ri, pfn, last);
      std::size_t i = static_cast<std::size_t>(pfn - batch_start_);
      if (!readable_[i]) {
        if (counted(pfn)) ++counts_.unreadable_metadata;
        ++pfn;
        continue;
      }
      std::span<const std::byte> page(batch_.data() + i * struct_page_, struct_page_);
      std::span<const std::byte> next;
      if (i + 1 < entries && readable_[i + 1]) next = {batch_.data() + (i + 1) * struct_page_, struct_page_};
      PageVerdict v = classifier_->classify(page, next, pfn, level_);
      if (v.suspect && counted(pfn) && counts_.suspect_metadata++ == 0) first_suspect_pfn_ = pfn;
      if (v.tail || v.exclusion_class == ExclusionClass::kNone) {
        ++pfn;
        continue;
      }
      std::uint64_t n = std::uint64_t{1} << v.order;
      exclude(v.exclusion_class, pfn, pfn + n);
      pfn += n;
    }
  }
  batch_count_ = 0;  // the next cycle reads afresh
}

}  // namespace kdump
