// Fuzz target: ELF crash dumps (headers, extended numbering, notes, PT_LOAD
// reads, x86_64 layout derivation and translation).
#include <cstdint>

#include "fuzz_dump_reads.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kdump::fuzz::open_and_read(data, size);
  return 0;
}
