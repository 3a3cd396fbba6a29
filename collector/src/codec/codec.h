#pragma once
// Page compression for the dump writers. A Codec compresses one page at a time
// into a caller's buffer and keeps its own working state (zlib stream, LZO
// dictionary, zstd context), so compressing a page allocates nothing. A Codec
// is not thread-safe: each compression thread makes its own.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace kdump {

/// The compressions a kdump-compressed dump can carry.
enum class CodecKind { kNone, kZlib, kLzo, kSnappy, kZstd };

/// Compresses and decompresses single pages.
class Codec {
 public:
  virtual ~Codec() = default;
  virtual CodecKind kind() const = 0;
  /// Largest output compress() may produce for `input_size` bytes.
  virtual std::size_t max_compressed_size(std::size_t input_size) const = 0;
  /// Compresses `in` into `out` (sized at least max_compressed_size(in.size()));
  /// returns the compressed size, or nullopt if the library failed.
  virtual std::optional<std::size_t> compress(std::span<const std::byte> in, std::span<std::byte> out) = 0;
  /// Decompresses `in` into exactly out.size() bytes; false if corrupt or of another size.
  virtual bool decompress(std::span<const std::byte> in, std::span<std::byte> out) = 0;
};

/// A new codec of that kind (each thread needs its own).
std::unique_ptr<Codec> make_codec(CodecKind kind);

/// page_desc.flags and header status bit for pages of this codec (0 for none).
/// Values: makedumpfile diskdump_mod.h, DUMP_DH_COMPRESSED_*.
std::uint32_t codec_flag(CodecKind kind);
/// "none", "zlib", "lzo", "snappy", "zstd".
std::string_view codec_name(CodecKind kind);
/// The codec named so (as codec_name spells it); nullopt for anything else.
std::optional<CodecKind> codec_from_name(std::string_view name);

}  // namespace kdump
