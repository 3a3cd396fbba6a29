#pragma once
// Decompression of one kdump-compressed page, by the page descriptor's flag.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "codec/codec.h"

namespace kdump {

/// How a page is stored (page_desc.flags in makedumpfile's diskdump_mod.h).
enum class PageCodec { kRaw, kZlib, kLzo, kSnappy, kZstd, kUnknown };

/// The codec a page descriptor's flags name.
PageCodec codec_from_flags(std::uint32_t flags);
/// "zlib", "lzo", "snappy", "zstd", "raw".
std::string_view codec_name(PageCodec codec);

/// Decompresses pages through the writers' codecs (codec/codec.h), one per
/// kind made on first use and kept, so a page costs no allocation.
class PageDecompressor {
 public:
  /// Decodes `in` into exactly out.size() bytes; false if the data is corrupt,
  /// decodes to another size, or the codec is unknown.
  bool decompress(PageCodec codec, std::span<const std::byte> in, std::span<std::byte> out);

 private:
  std::array<std::unique_ptr<Codec>, 5> codecs_;  // by CodecKind
};

}  // namespace kdump
