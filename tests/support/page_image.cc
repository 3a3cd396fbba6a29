#include "support/page_image.h"

#include <cstring>

#include "writer/note_blob.h"

namespace kdump::test {

const std::string PageImage::kVmcoreinfo =
    "OSRELEASE=6.1.0-test-amd64\nPAGESIZE=4096\nNUMBER(phys_base)=16777216\nSYMBOL(init_uts_ns)=ffffffff82a13d40\n";

PageImage::PageImage(std::vector<std::pair<std::uint64_t, std::uint64_t>> pfn_ranges,
                     std::function<PageKind(std::uint64_t)> kind_of)
    : ranges_(std::move(pfn_ranges)), kind_of_(std::move(kind_of)), vmcoreinfo_(kVmcoreinfo),
      notes_(default_notes(kVmcoreinfo)) {}

std::vector<std::byte> PageImage::default_notes(const std::string& vmcoreinfo) {
  std::vector<std::byte> notes;
  for (int cpu = 0; cpu < 2; ++cpu) {
    auto n = encode_note("CORE", 1, std::vector<std::byte>(336, std::byte(cpu + 1)));
    notes.insert(notes.end(), n.begin(), n.end());
  }
  std::vector<std::byte> text(vmcoreinfo.size());
  std::memcpy(text.data(), vmcoreinfo.data(), text.size());
  auto v = encode_note("VMCOREINFO", 0, text);
  notes.insert(notes.end(), v.begin(), v.end());
  return notes;
}

std::vector<MemoryRange> PageImage::memory_ranges() const {
  std::vector<MemoryRange> out;
  for (auto [first, end] : ranges_) out.push_back({first * 4096, (end - first) * 4096, vaddr_of(first * 4096)});
  return out;
}

std::vector<std::byte> PageImage::expected(std::uint64_t pfn) const {
  std::vector<std::byte> page(4096);
  bool present = false;
  for (auto [first, end] : ranges_) present |= pfn >= first && pfn < end;
  if (!present) return page;
  switch (kind_of_(pfn)) {
    case PageKind::kZero:
      break;
    case PageKind::kText: {
      std::string line = "pfn " + std::to_string(pfn) + ": the quick brown fox jumps over the lazy dog\n";
      for (std::size_t i = 0; i < page.size(); ++i) page[i] = static_cast<std::byte>(line[i % line.size()]);
      break;
    }
    case PageKind::kRandom: {
      std::uint64_t x = pfn * 0x9e3779b97f4a7c15ull + 1;
      for (auto& b : page) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        b = static_cast<std::byte>(x >> 24);
      }
      break;
    }
  }
  return page;
}

bool PageImage::read_page(std::uint64_t pfn, std::span<std::byte> out) {
  if (unreadable_.count(pfn)) return false;
  auto page = expected(pfn);
  std::memcpy(out.data(), page.data(), out.size());
  return true;
}

void PredicateFilter::exclude(std::uint64_t first_pfn, std::span<std::uint8_t> bits) {
  for (std::size_t i = 0; i < bits.size() * 8; ++i)
    if ((bits[i / 8] >> (i % 8) & 1) && leave_out_(first_pfn + i)) bits[i / 8] &= static_cast<std::uint8_t>(~(1u << (i % 8)));
}

}  // namespace kdump::test
