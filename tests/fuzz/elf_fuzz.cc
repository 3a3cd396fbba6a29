// Fuzz target: ELF crash dumps (headers, extended numbering, notes, PT_LOAD
// reads, x86_64 layout derivation and translation), and what the dump
// writers derive from the same headers: memory ranges, zero-filled tails,
// memory missing from a truncated file, and the page map built from them.
#include <cstdint>
#include <vector>

#include "fuzz_dump_reads.h"
#include "writer/elf_vmcore_page_source.h"
#include "writer/page_map.h"

namespace {

void derive_page_map(const std::uint8_t* data, std::size_t size) {
  kdump::MemorySource file = kdump::MemorySource::copy_of(data, size, "fuzz");
  try {
    kdump::ElfVmcorePageSource source(file);
    kdump::PageMap map(source.memory_ranges(), source.page_size(), nullptr);
    map.leave_out_known(source, true);
    std::vector<std::uint8_t> present(kdump::PageMap::kWindowBytes), dump(kdump::PageMap::kWindowBytes);
    for (std::uint64_t w = 0; w < map.windows() && w < 8; ++w) map.fill(w, present, dump);
  } catch (const kdump::DumpError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kdump::fuzz::open_and_read(data, size);
  derive_page_map(data, size);
  return 0;
}
