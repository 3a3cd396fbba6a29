#include "writer/dump_level_page_filter.h"

namespace kdump {

DumpLevelPageFilter::DumpLevelPageFilter(KernelMemory& memory, DumpLevel level, std::vector<PfnRange> present)
    : memory_(memory), level_(level), present_(std::move(present)) {}

void DumpLevelPageFilter::exclude(std::uint64_t first_pfn, std::span<std::uint8_t> bits) {
  if (!filter_ || first_pfn < next_pfn_) filter_ = std::make_unique<DumpLevelFilter>(memory_, level_, present_);
  const std::uint64_t n = bits.size() * 8;
  const PfnBitmap& keep = filter_->run_cycle(first_pfn, first_pfn + n);
  next_pfn_ = first_pfn + n;
  const auto& words = keep.words();
  for (std::size_t i = 0; i < bits.size(); ++i) {
    const std::size_t w = i / 8;
    const auto k = w < words.size() ? static_cast<std::uint8_t>(words[w] >> (8 * (i % 8))) : std::uint8_t{0};
    bits[i] &= k;
  }
}

std::vector<PfnRange> pfn_ranges_of(const PageSource& source) {
  std::vector<PfnRange> out;
  const std::uint64_t ps = source.page_size();
  for (const auto& r : source.memory_ranges()) out.push_back({r.paddr / ps, (r.paddr + r.size + ps - 1) / ps});
  return out;
}

}  // namespace kdump
