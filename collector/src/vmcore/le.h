#pragma once
// Fixed-width integer loads from byte buffers: dump headers are declared as
// offsets into a byte array and read with memcpy, never by casting a pointer
// to a struct (alignment and padding of the writer's compiler do not matter).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace kdump {

/// Little-endian unsigned load of sizeof(T) bytes at `at`; 0 if out of range.
template <typename T>
T load_le(std::span<const std::byte> bytes, std::size_t at) {
  if (at > bytes.size() || bytes.size() - at < sizeof(T)) return 0;
  std::uint64_t v = 0;
  for (std::size_t i = sizeof(T); i-- > 0;)
    v = (v << 8) | std::to_integer<std::uint8_t>(bytes[at + i]);
  return static_cast<T>(v);
}

/// Big-endian unsigned load (the flattened format's record headers).
template <typename T>
T load_be(std::span<const std::byte> bytes, std::size_t at) {
  if (at > bytes.size() || bytes.size() - at < sizeof(T)) return 0;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | std::to_integer<std::uint8_t>(bytes[at + i]);
  return static_cast<T>(v);
}

/// A NUL-terminated (or full-width) string field of `width` bytes at `at`.
inline std::string load_cstr(std::span<const std::byte> bytes, std::size_t at, std::size_t width) {
  std::string s;
  for (std::size_t i = 0; i < width && at + i < bytes.size(); ++i) {
    char c = static_cast<char>(bytes[at + i]);
    if (c == '\0') break;
    s.push_back(c);
  }
  return s;
}

/// Stores v little-endian at `at` (for builders); the caller sizes the buffer.
template <typename T>
void store_le(std::span<std::byte> bytes, std::size_t at, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    bytes[at + i] = static_cast<std::byte>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
}

}  // namespace kdump
