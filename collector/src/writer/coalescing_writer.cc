#include "writer/coalescing_writer.h"

#include <algorithm>

namespace kdump {

void CoalescingWriter::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  if (!buffer_.empty() && offset != start_ + buffer_.size()) flush();
  while (!bytes.empty()) {
    if (buffer_.empty()) start_ = offset;
    std::size_t room = buffer_.capacity() - buffer_.size();
    if (room == 0) {
      flush();
      start_ = offset;
      room = buffer_.capacity();
    }
    std::size_t n = std::min(room, bytes.size());
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    bytes = bytes.subspan(n);
    offset += n;
  }
}

void CoalescingWriter::zeros_at(std::uint64_t offset, std::uint64_t count) {
  static const std::byte kZeros[4096] = {};
  while (count > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(count, sizeof kZeros));
    write_at(offset, {kZeros, n});
    offset += n;
    count -= n;
  }
}

void CoalescingWriter::flush() {
  if (buffer_.empty()) return;
  sink_.write_at(start_, buffer_);
  buffer_.clear();
}

}  // namespace kdump
