#include "writer/rearrange.h"

// A straight copy loop with a fixed 1 MiB buffer. Errors say where in the
// stream the problem is, because a flattened dump that arrived over a network
// is usually truncated, and the user wants to know how much arrived.

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "vmcore/dump_error.h"
#include "vmcore/le.h"
#include "writer/flattened_format.h"

namespace kdump {
namespace {

constexpr std::size_t kCopyBuffer = 1 << 20;

class Reader {
 public:
  explicit Reader(InputStream& in) : in_(in) {}
  /// Reads exactly out.size() bytes or returns how many arrived before the end.
  std::size_t read_fully(std::span<std::byte> out) {
    std::size_t got = 0;
    while (got < out.size()) {
      std::size_t n = in_.read(out.subspan(got));
      if (n == 0) break;
      got += n;
    }
    position_ += got;
    return got;
  }
  std::uint64_t position() const { return position_; }
  const InputStream& stream() const { return in_; }

 private:
  InputStream& in_;
  std::uint64_t position_ = 0;
};

[[noreturn]] void corrupt(const Reader& r, const std::string& what) {
  throw DumpError(r.stream().name() + ": flattened input: " + what);
}

}  // namespace

RearrangeReport rearrange_flattened(InputStream& in, ByteSink& out) {
  Reader reader(in);
  std::vector<std::byte> buffer(kCopyBuffer);
  std::span<std::byte> header(buffer.data(), flattened::kHeaderSize);
  std::size_t got = reader.read_fully(header);
  if (got < flattened::kHeaderSize) {
    if (got == 0) corrupt(reader, "empty input");
    corrupt(reader, "header ends after " + std::to_string(got) + " of " + std::to_string(flattened::kHeaderSize) +
                        " bytes");
  }
  // makedumpfile compares the signature with strcmp(): the NUL after it matters.
  if (std::memcmp(header.data(), flattened::kSignature, sizeof flattened::kSignature) != 0)
    corrupt(reader, "no \"makedumpfile\" signature (not a flattened dump)");
  auto type = static_cast<std::int64_t>(load_be<std::uint64_t>(header, flattened::kTypeAt));
  if (type != flattened::kType) corrupt(reader, "header type " + std::to_string(type) + ", expected 1");

  RearrangeReport report;
  for (;;) {
    std::array<std::byte, flattened::kRecordHeaderSize> record;
    std::uint64_t record_at = reader.position();
    std::string where = "record " + std::to_string(report.records + 1) + " at byte " + std::to_string(record_at);
    got = reader.read_fully(record);
    if (got == 0) corrupt(reader, "input ends at byte " + std::to_string(record_at) + " without the end record");
    if (got < record.size())
      corrupt(reader, where + ": record header ends after " + std::to_string(got) + " of 16 bytes");
    auto offset = static_cast<std::int64_t>(load_be<std::uint64_t>(record, 0));
    auto size = static_cast<std::int64_t>(load_be<std::uint64_t>(record, 8));
    if (offset == flattened::kEndMarker && size == flattened::kEndMarker) break;
    if (offset < 0 || size <= 0)
      corrupt(reader, where + ": invalid offset " + std::to_string(offset) + " and size " + std::to_string(size));
    if (size > INT64_MAX - offset)
      corrupt(reader, where + ": offset " + std::to_string(offset) + " + size " + std::to_string(size) +
                          " overflows");
    std::uint64_t left = static_cast<std::uint64_t>(size);
    std::uint64_t at = static_cast<std::uint64_t>(offset);
    while (left > 0) {
      std::size_t chunk = left < buffer.size() ? static_cast<std::size_t>(left) : buffer.size();
      got = reader.read_fully({buffer.data(), chunk});
      if (got > 0) out.write_at(at, {buffer.data(), got});
      if (got < chunk)
        corrupt(reader, where + ": data ends after " + std::to_string(static_cast<std::uint64_t>(size) - left + got) +
                            " of " + std::to_string(size) + " bytes");
      at += got;
      left -= got;
    }
    ++report.records;
    report.bytes += static_cast<std::uint64_t>(size);
    if (at > report.dump_size) report.dump_size = at;
  }
  // Nothing after the end record is read: a raw dump target is read whole
  // (-R < /dev/sdb1), and what follows the stream is the rest of the device.
  out.finish();
  return report;
}

}  // namespace kdump
