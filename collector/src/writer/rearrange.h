#pragma once
// `-R`: rebuild a dump file from makedumpfile's flattened format read from a
// stream (stdin). The input is untrusted: every malformed header, negative or
// overflowing offset, and truncation is a DumpError naming the record and the
// stream position; nothing is allocated in proportion to what the input claims.

#include <cstdint>

#include "sink/byte_sink.h"
#include "sink/byte_stream.h"

namespace kdump {

/// What a rearrangement did.
struct RearrangeReport {
  std::uint64_t records = 0;      ///< data records copied
  std::uint64_t bytes = 0;        ///< data bytes copied
  std::uint64_t dump_size = 0;    ///< largest offset + size written
};

/// Copies every record of the flattened stream `in` to `out` at its offset,
/// then calls out.finish(); reads nothing after the end record. Throws
/// DumpError for malformed input (out is then left unfinished) and
/// std::system_error for I/O errors.
RearrangeReport rearrange_flattened(InputStream& in, ByteSink& out);

}  // namespace kdump
