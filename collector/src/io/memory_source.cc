#include "io/memory_source.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace kdump {

MemorySource::MemorySource(std::vector<std::byte> bytes, std::string name)
    : bytes_(std::move(bytes)), name_(std::move(name)) {}

MemorySource MemorySource::copy_of(const std::uint8_t* data, std::size_t size, std::string name) {
  std::vector<std::byte> bytes(size);
  if (size > 0) std::memcpy(bytes.data(), data, size);
  return MemorySource(std::move(bytes), std::move(name));
}

MemorySource::MemorySource(MemorySource&& other) noexcept
    : bytes_(std::move(other.bytes_)),
      name_(std::move(other.name_)),
      fail_from_(other.fail_from_),
      claimed_size_(other.claimed_size_),
      reads_(other.reads_.load(std::memory_order_relaxed)) {}

MemorySource& MemorySource::operator=(MemorySource&& other) noexcept {
  bytes_ = std::move(other.bytes_);
  name_ = std::move(other.name_);
  fail_from_ = other.fail_from_;
  claimed_size_ = other.claimed_size_;
  reads_.store(other.reads_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  return *this;
}

std::uint64_t MemorySource::size() const { return claimed_size_.value_or(bytes_.size()); }

std::size_t MemorySource::read_at(std::uint64_t offset, std::span<std::byte> out) {
  reads_.fetch_add(1, std::memory_order_relaxed);
  std::uint64_t end = bytes_.size();
  if (fail_from_) end = std::min(end, *fail_from_);
  if (offset >= end || out.empty()) return 0;
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), end - offset));
  std::memcpy(out.data(), bytes_.data() + offset, n);
  return n;
}

}  // namespace kdump
