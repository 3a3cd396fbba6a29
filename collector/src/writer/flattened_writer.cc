#include "writer/flattened_writer.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <system_error>
#include <vector>

#include "writer/flattened_format.h"

namespace kdump {
namespace {

void store_be64(std::byte* at, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    at[i] = static_cast<std::byte>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace

FlattenedSink::FlattenedSink(OutputStream& out) : out_(out) {
  std::vector<std::byte> header(flattened::kHeaderSize);
  std::memcpy(header.data(), flattened::kSignature, sizeof flattened::kSignature - 1);
  store_be64(header.data() + flattened::kTypeAt, flattened::kType);
  store_be64(header.data() + flattened::kVersionAt, flattened::kVersion);
  out_.write(header);
}

void FlattenedSink::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (offset > kMax || bytes.size() > kMax - offset)
    throw std::system_error(EFBIG, std::generic_category(), "flattened record past 2^63 for " + name());
  std::array<std::byte, flattened::kRecordHeaderSize> record;
  store_be64(record.data(), offset);
  store_be64(record.data() + 8, bytes.size());
  out_.write(record);
  out_.write(bytes);
  ++records_;
}

void FlattenedSink::finish() {
  std::array<std::byte, flattened::kRecordHeaderSize> end;
  store_be64(end.data(), static_cast<std::uint64_t>(flattened::kEndMarker));
  store_be64(end.data() + 8, static_cast<std::uint64_t>(flattened::kEndMarker));
  out_.write(end);
  out_.flush();
}

}  // namespace kdump
