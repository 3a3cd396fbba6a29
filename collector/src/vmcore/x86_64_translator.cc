#include "vmcore/x86_64_translator.h"

// Facts from the kernel's arch/x86 headers (pgtable_64_types.h,
// page_64_types.h, pgtable_types.h): 9 index bits per level from bit 12 up;
// bit 0 present, bit 7 page size at the PUD (1 GiB) and PMD (2 MiB) levels;
// the frame address is bits 12-51, from which the SME encryption bit must be
// removed (bit 63, NX, is outside the mask). The walk has a fixed number of
// steps, so garbage tables end in a failed look-up, never a loop. The direct
// map spans 2^46 bytes with 4-level paging and 2^55 with 5-level.

#include <array>

namespace kdump {
namespace {

constexpr std::uint64_t kPresent = 1;
constexpr std::uint64_t kPageSize = 1 << 7;
constexpr std::uint64_t kFrameMask = 0x000ffffffffff000ull;

bool canonical(std::uint64_t va, bool five_level) {
  const unsigned bits = five_level ? 57 : 48;
  const auto high = static_cast<std::int64_t>(va) >> (bits - 1);
  return high == 0 || high == -1;
}

}  // namespace

std::optional<Translation> X86_64Translator::translate(std::uint64_t vaddr) {
  const X86_64Layout& l = layout_;
  if (l.phys_base && vaddr >= kStartKernelMap && vaddr - kStartKernelMap < l.kernel_image_size) {
    return Translation{vaddr - kStartKernelMap + *l.phys_base, kStartKernelMap + l.kernel_image_size - vaddr};
  }
  if (l.page_offset && vaddr >= *l.page_offset) {
    const std::uint64_t span = l.five_level ? (1ull << 55) : (1ull << 46);
    if (vaddr - *l.page_offset < span) return Translation{vaddr - *l.page_offset, *l.page_offset + span - vaddr};
  }
  return walk(vaddr);
}

std::optional<Translation> X86_64Translator::walk(std::uint64_t vaddr) {
  const X86_64Layout& l = layout_;
  if (cached_size_ && (vaddr & ~(cached_size_ - 1)) == cached_va_) {
    const std::uint64_t in_page = vaddr & (cached_size_ - 1);
    return Translation{cached_pa_ + in_page, cached_size_ - in_page};
  }
  if (!l.top_table || !canonical(vaddr, l.five_level)) return std::nullopt;
  const std::uint64_t frame_mask = kFrameMask & ~l.sme_mask;
  std::uint64_t table = *l.top_table & frame_mask;
  // Levels from the top: shift of the index; whether a large page may end the walk there.
  int level = l.five_level ? 5 : 4;
  for (; level >= 1; --level) {
    const unsigned shift = 12 + 9 * static_cast<unsigned>(level - 1);
    const std::uint64_t index = (vaddr >> shift) & 0x1ff;
    std::array<std::byte, 8> raw{};
    if (memory_.read(table + index * 8, raw) < raw.size()) return std::nullopt;
    std::uint64_t entry = 0;
    for (int i = 7; i >= 0; --i) entry = (entry << 8) | std::to_integer<std::uint64_t>(raw[static_cast<std::size_t>(i)]);
    if (!(entry & kPresent)) return std::nullopt;
    const bool large = (level == 2 || level == 3) && (entry & kPageSize);
    if (large || level == 1) {
      const std::uint64_t page = std::uint64_t{1} << shift;
      const std::uint64_t base = entry & frame_mask & ~(page - 1);
      const std::uint64_t in_page = vaddr & (page - 1);
      cached_va_ = vaddr & ~(page - 1);
      cached_pa_ = base;
      cached_size_ = page;
      return Translation{base + in_page, page - in_page};
    }
    table = entry & frame_mask;
  }
  return std::nullopt;
}

}  // namespace kdump
