// Fuzz target: VMCOREINFO text and the layout derived from it.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "io/memory_source.h"
#include "vmcore/segment_map.h"
#include "vmcore/vmcoreinfo.h"
#include "vmcore/x86_64_layout.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kdump;
  const VmcoreInfo vi = VmcoreInfo::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& [key, value] : vi.entries()) {
    (void)vi.symbol(key);
    (void)vi.number(key);
  }
  (void)vi.osrelease();
  (void)vi.page_size();
  (void)vi.crash_time();
  (void)vi.kernel_offset();
  try {
    vi.require_symbol("prb");
  } catch (const MissingVmcoreinfo&) {
  }
  // The input doubles as 64 KiB of physical memory for the derivation's reads.
  MemorySource mem = MemorySource::copy_of(data, size);
  SegmentMap map(mem, {{0, 0, 0, std::min<std::uint64_t>(size, 0x10000), 0x10000}});
  LayoutClues clues{&vi, nullptr, std::nullopt, std::nullopt, std::nullopt};
  X86_64Translator t(map, derive_x86_64_layout(clues, map));
  (void)t.translate(0xffffffff81000000ull);
  (void)t.translate(0xffff888000000000ull);
  return 0;
}
