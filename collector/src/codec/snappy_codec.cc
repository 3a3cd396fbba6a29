#include "codec/codec_impl.h"

// Snappy through its C API (snappy-c.h), which makedumpfile uses for -p. The
// C API keeps no state between calls and allocates nothing for a page.

#include <snappy-c.h>

namespace kdump {
namespace {

class SnappyCodec final : public Codec {
 public:
  CodecKind kind() const override { return CodecKind::kSnappy; }
  std::size_t max_compressed_size(std::size_t n) const override { return snappy_max_compressed_length(n); }

  std::optional<std::size_t> compress(std::span<const std::byte> in, std::span<std::byte> out) override {
    std::size_t out_len = out.size();
    if (snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(), reinterpret_cast<char*>(out.data()),
                        &out_len) != SNAPPY_OK)
      return std::nullopt;
    return out_len;
  }

  bool decompress(std::span<const std::byte> in, std::span<std::byte> out) override {
    std::size_t length = 0;
    if (snappy_uncompressed_length(reinterpret_cast<const char*>(in.data()), in.size(), &length) != SNAPPY_OK ||
        length != out.size())
      return false;
    std::size_t out_len = out.size();
    return snappy_uncompress(reinterpret_cast<const char*>(in.data()), in.size(), reinterpret_cast<char*>(out.data()),
                             &out_len) == SNAPPY_OK &&
           out_len == out.size();
  }
};

}  // namespace

std::unique_ptr<Codec> make_snappy_codec() { return std::make_unique<SnappyCodec>(); }

}  // namespace kdump
