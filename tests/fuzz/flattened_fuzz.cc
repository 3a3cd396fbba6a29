// Fuzz target: the -R rearranger on arbitrary bytes. Malformed input must end
// in DumpError, never in a crash, a hang or an allocation the input decides;
// well-formed input must rebuild exactly what its records say.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <system_error>

#include "sink/memory_sink.h"
#include "vmcore/dump_error.h"
#include "writer/rearrange.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  // Pipes hand out odd chunk sizes; take one from the input's length.
  kdump::MemoryInputStream in(bytes, 1 + size % 4099);
  // Records may point anywhere; the memory sink refuses offsets past 16 MiB.
  kdump::MemorySink out(std::uint64_t{16} << 20);
  try {
    kdump::RearrangeReport r = kdump::rearrange_flattened(in, out);
    if (out.finishes() != 1) std::abort();
    if (r.dump_size != out.bytes().size()) std::abort();
  } catch (const kdump::DumpError&) {
  } catch (const std::system_error& e) {
    if (e.code().value() != EFBIG) std::abort();
  }
  return 0;
}
