#pragma once
// Decompression of one kdump-compressed page, by the page descriptor's flag.

#include <cstdint>
#include <span>
#include <string_view>

struct ZSTD_DCtx_s;
struct z_stream_s;

namespace kdump {

/// How a page is stored (page_desc.flags in makedumpfile's diskdump_mod.h).
enum class PageCodec { kRaw, kZlib, kLzo, kSnappy, kZstd, kUnknown };

/// The codec a page descriptor's flags name.
PageCodec codec_from_flags(std::uint32_t flags);
/// "zlib", "lzo", "snappy", "zstd", "raw".
std::string_view codec_name(PageCodec codec);

/// Decompresses pages; keeps its decoder state (zlib, zstd) so a page costs no allocation.
class PageDecompressor {
 public:
  PageDecompressor();
  ~PageDecompressor();
  PageDecompressor(const PageDecompressor&) = delete;
  PageDecompressor& operator=(const PageDecompressor&) = delete;

  /// Decodes `in` into exactly out.size() bytes; false if the data is corrupt,
  /// decodes to another size, or the codec is unknown.
  bool decompress(PageCodec codec, std::span<const std::byte> in, std::span<std::byte> out);

 private:
  ZSTD_DCtx_s* zstd_ = nullptr;
  z_stream_s* zlib_ = nullptr;  // inflate state, reset per page instead of rebuilt
};

}  // namespace kdump
