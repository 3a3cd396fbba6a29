// Fuzz target: kdump-compressed dumps (header, sub-header, bitmaps, page
// descriptors, page codecs) and the flattened format around them.
#include <cstdint>

#include "fuzz_dump_reads.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kdump::fuzz::open_and_read(data, size);
  return 0;
}
