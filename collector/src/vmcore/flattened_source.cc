#include "vmcore/flattened_source.h"

// Layout (makedumpfile's IMPLEMENTATION and makedumpfile.h; QEMU's dump.h has
// the same constants): header of MAX_SIZE_MDF_HEADER = 4096 bytes starting with
// "makedumpfile" and big-endian type = 1, version = 1; then records, each a
// big-endian {int64 offset, int64 size} followed by size bytes; offset -1 ends
// the stream. Records can rewrite earlier ones, so the index keeps
// non-overlapping pieces and a later record wins, as it would when replayed
// with `makedumpfile -R`. Gaps read as zeros, like the holes of a sparse file.
// One pass reads only the 16-byte record headers; the index size is bounded by
// the file size (each record costs at least 16 bytes of file).

#include <algorithm>
#include <array>
#include <cstring>

#include "vmcore/dump_error.h"
#include "vmcore/le.h"

namespace kdump {
namespace {

constexpr std::uint64_t kHeaderSize = 4096;
constexpr char kSignature[] = "makedumpfile";

}  // namespace

bool FlattenedSource::detect(std::span<const std::byte> head) {
  const std::size_t n = sizeof(kSignature);  // including the NUL
  if (head.size() < n) return false;
  return std::memcmp(head.data(), kSignature, n) == 0;
}

FlattenedSource::FlattenedSource(ByteSource& file) : file_(file) {
  std::array<std::byte, 32> head{};
  if (file.read_at(0, head) < head.size() || !detect(head))
    throw DumpError(file.name() + ": not a flattened makedumpfile stream");
  const auto type = load_be<std::uint64_t>(head, 16);
  const auto version = load_be<std::uint64_t>(head, 24);
  if (type != 1) throw DumpError(file.name() + ": flattened header has unknown type " + std::to_string(type));
  if (version != 1) problems_.push_back("flattened header version " + std::to_string(version) + " (expected 1)");

  const std::uint64_t file_size = file.size();
  std::uint64_t pos = kHeaderSize;
  bool ended = false;
  while (pos < file_size) {
    std::array<std::byte, 16> rec{};
    if (file.read_at(pos, rec) < rec.size()) {
      problems_.push_back("record header at offset " + std::to_string(pos) + " is truncated");
      break;
    }
    const auto offset = static_cast<std::int64_t>(load_be<std::uint64_t>(rec, 0));
    const auto length = static_cast<std::int64_t>(load_be<std::uint64_t>(rec, 8));
    if (offset == -1) {
      ended = true;
      break;
    }
    if (offset < 0 || length < 0) {
      problems_.push_back("record at offset " + std::to_string(pos) + " has a negative offset or size; stopped there");
      break;
    }
    const std::uint64_t data = pos + 16;
    std::uint64_t len = static_cast<std::uint64_t>(length);
    const auto start = static_cast<std::uint64_t>(offset);
    if (len > file_size - data) {
      problems_.push_back("record at offset " + std::to_string(pos) + " announces " + std::to_string(len) +
                          " bytes but the file ends after " + std::to_string(file_size - data));
      len = file_size - data;
    }
    if (start + len < start) {
      problems_.push_back("record at offset " + std::to_string(pos) + " wraps around; stopped there");
      break;
    }
    if (len > 0) insert(start, len, data);
    ++records_;
    size_ = std::max(size_, start + len);
    pos = data + len;
  }
  if (!ended) problems_.push_back("the flattened stream has no end marker (truncated?)");
}

void FlattenedSource::insert(std::uint64_t start, std::uint64_t length, std::uint64_t file_offset) {
  const std::uint64_t end = start + length;
  // Trim a piece that begins before `start` and reaches into the new one.
  auto it = pieces_.lower_bound(start);
  if (it != pieces_.begin()) {
    auto prev = std::prev(it);
    const std::uint64_t prev_end = prev->first + prev->second.length;
    if (prev_end > start) {
      if (prev_end > end) {  // the old piece also continues after the new one
        pieces_[end] = Piece{prev_end - end, prev->second.file_offset + (end - prev->first)};
      }
      prev->second.length = start - prev->first;
    }
  }
  // Drop or trim pieces that begin inside the new one.
  it = pieces_.lower_bound(start);
  while (it != pieces_.end() && it->first < end) {
    const std::uint64_t it_end = it->first + it->second.length;
    if (it_end > end) {
      Piece rest{it_end - end, it->second.file_offset + (end - it->first)};
      pieces_.erase(it);
      pieces_[end] = rest;
      break;
    }
    it = pieces_.erase(it);
  }
  pieces_[start] = Piece{length, file_offset};
}

std::size_t FlattenedSource::read_at(std::uint64_t offset, std::span<std::byte> out) {
  if (offset >= size_) return 0;
  const std::size_t total = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
  std::size_t done = 0;
  auto it = pieces_.upper_bound(offset);
  if (it != pieces_.begin()) --it;
  while (done < total) {
    const std::uint64_t at = offset + done;
    while (it != pieces_.end() && it->first + it->second.length <= at) ++it;
    if (it == pieces_.end() || it->first > at) {  // a gap: zeros up to the next piece
      const std::uint64_t gap_end = it == pieces_.end() ? size_ : it->first;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(total - done, gap_end - at));
      std::memset(out.data() + done, 0, n);
      done += n;
      continue;
    }
    const std::uint64_t in_piece = at - it->first;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(total - done, it->second.length - in_piece));
    const std::size_t got = file_.read_at(it->second.file_offset + in_piece, out.subspan(done, n));
    done += got;
    if (got < n) break;
  }
  return done;
}

}  // namespace kdump
