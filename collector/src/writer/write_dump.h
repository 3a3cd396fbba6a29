#pragma once
// The dump writers' API: write the memory of a PageSource, less what a
// PageFilter leaves out, as a kdump-compressed or ELF dump into a ByteSink.
// The flattened format (-F) is the kdump-compressed writer on a FlattenedSink;
// -R is rearrange_flattened() in writer/rearrange.h.
//
//   FileSink file("/var/crash/.../vmcore");            // or: FdOutputStream out(1, "<stdout>");
//                                                      //     FlattenedSink file(out);
//   WriteOptions o; o.codec = CodecKind::kLzo; o.threads = 2; o.dump_level = 31;
//   WriteReport r = write_dump(source, &filter, o, file);  // finishes the sink

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codec/codec.h"
#include "sink/byte_sink.h"
#include "writer/page_source.h"

namespace kdump {

/// The dump file formats.
enum class DumpFormat { kKdumpCompressed, kElf };

/// makedumpfile's dump level bit for pages filled with zeros (-d 1).
inline constexpr unsigned kDumpLevelExcludeZero = 1;

/// How to write a dump.
struct WriteOptions {
  DumpFormat format = DumpFormat::kKdumpCompressed;
  CodecKind codec = CodecKind::kZlib;  ///< kdump-compressed only; ELF requires kNone
  unsigned threads = 1;                ///< compression threads; 0 = on the writing thread
  /// Recorded in the header; bit 1 (zero pages) is applied by the writer, the
  /// other bits are the PageFilter's business.
  unsigned dump_level = kDumpLevelExcludeZero;
  /// Pages per pipeline batch (memory: 4 x batch x page size). 512 rather
  /// than 1024: 8 MiB less to fault in (costly in a VM), and -l -d 31 on the
  /// 4 GiB lab ran 0.21 s instead of 0.23 s; -d 1 was unchanged.
  std::size_t batch_pages = 512;
  std::optional<std::int64_t> timestamp_sec;   ///< header time stamp; now if unset
  /// Called after each batch with pages done and pages to do.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

/// What was written.
struct WriteReport {
  std::uint64_t max_pfn = 0;           ///< frames the bitmaps cover
  std::uint64_t pages_present = 0;     ///< frames in memory ranges
  std::uint64_t pages_filtered = 0;    ///< left out by the PageFilter
  std::uint64_t pages_zero = 0;        ///< left out (or shared) as zero-filled
  std::uint64_t pages_unreadable = 0;  ///< could not be read; written as zero pages
  std::uint64_t pages_stored = 0;      ///< written with their data
  std::uint64_t pages_compressed = 0;  ///< of those, compressed
  std::uint64_t bytes_in = 0;          ///< page bytes read from the source
  std::uint64_t bytes_out = 0;         ///< size of the dump
  double seconds = 0;
  std::vector<std::string> problems;   ///< what was odd but did not stop the dump
};

/// Writes the dump and finishes the sink. `filter` may be null. Throws
/// std::system_error for I/O errors (a kdump-compressed dump cut short keeps
/// its incomplete flag) and std::invalid_argument for impossible options.
WriteReport write_dump(PageSource& source, PageFilter* filter, const WriteOptions& options, ByteSink& sink);

}  // namespace kdump
