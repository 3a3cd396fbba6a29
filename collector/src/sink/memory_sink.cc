#include "sink/memory_sink.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace kdump {

void MemorySink::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  ++writes_;
  if (offset > limit_ || bytes.size() > limit_ - offset)
    throw std::system_error(EFBIG, std::generic_category(), "cannot write past the memory sink's limit");
  std::uint64_t end = offset + bytes.size();
  if (end > bytes_.size()) bytes_.resize(end);
  if (!bytes.empty()) std::memcpy(bytes_.data() + offset, bytes.data(), bytes.size());
}

std::size_t MemoryInputStream::read(std::span<std::byte> out) {
  std::size_t n = std::min({out.size(), chunk_, bytes_.size() - at_});
  if (n > 0) std::memcpy(out.data(), bytes_.data() + at_, n);
  at_ += n;
  return n;
}

}  // namespace kdump
