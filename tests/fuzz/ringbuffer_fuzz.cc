// Fuzzes the kernel log readers (both ring buffer generations) and both text
// formats over kernel memory built from the input (see
// ringbuffer_fuzz_input.h). Seeds are real rings written by the unit tests'
// builders (tests/fuzz/corpus/ringbuffer). The readers must neither crash nor
// hang, whatever the rings claim.

#include <cstddef>
#include <cstdint>

#include "dmesg/kernel_log.h"
#include "ringbuffer_fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kdump::fuzz::SegmentMemory memory(std::span(data, size));
  try {
    const kdump::dmesg::KernelLog log = kdump::dmesg::read_kernel_log(memory);
    const std::string a = kdump::dmesg::format_vmcore_dmesg(log);
    const std::string b = kdump::dmesg::format_makedumpfile_dmesg(log);
    if (a.size() < log.records.size()) __builtin_trap();  // every record is at least a newline
    (void)b;
  } catch (const kdump::MissingVmcoreinfo&) {
    // A dump that does not describe its log buffer: a clean error.
  }
  return 0;
}
