#include "codec/codec_impl.h"

// zlib at level 1 (Z_BEST_SPEED), the level makedumpfile passes to compress2()
// for -c. compress2() sets up and tears down a deflate stream on every call,
// which allocates about 256 KiB per page; we keep one stream per codec and
// deflateReset() it instead. The output is the same zlib format (header and
// Adler-32 trailer) that uncompress() in makedumpfile and crash expects.

#include <zlib.h>

#include <new>

namespace kdump {
namespace {

class ZlibCodec final : public Codec {
 public:
  ZlibCodec() {
    if (deflateInit(&deflate_, Z_BEST_SPEED) != Z_OK) throw std::bad_alloc();
    if (inflateInit(&inflate_) != Z_OK) {
      deflateEnd(&deflate_);
      throw std::bad_alloc();
    }
  }
  ~ZlibCodec() override {
    deflateEnd(&deflate_);
    inflateEnd(&inflate_);
  }
  ZlibCodec(const ZlibCodec&) = delete;
  ZlibCodec& operator=(const ZlibCodec&) = delete;

  CodecKind kind() const override { return CodecKind::kZlib; }
  std::size_t max_compressed_size(std::size_t input_size) const override {
    return compressBound(static_cast<uLong>(input_size));
  }

  std::optional<std::size_t> compress(std::span<const std::byte> in, std::span<std::byte> out) override {
    if (deflateReset(&deflate_) != Z_OK) return std::nullopt;
    deflate_.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(in.data()));
    deflate_.avail_in = static_cast<uInt>(in.size());
    deflate_.next_out = reinterpret_cast<Bytef*>(out.data());
    deflate_.avail_out = static_cast<uInt>(out.size());
    if (deflate(&deflate_, Z_FINISH) != Z_STREAM_END) return std::nullopt;
    return out.size() - deflate_.avail_out;
  }

  bool decompress(std::span<const std::byte> in, std::span<std::byte> out) override {
    if (inflateReset(&inflate_) != Z_OK) return false;
    inflate_.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(in.data()));
    inflate_.avail_in = static_cast<uInt>(in.size());
    inflate_.next_out = reinterpret_cast<Bytef*>(out.data());
    inflate_.avail_out = static_cast<uInt>(out.size());
    return inflate(&inflate_, Z_FINISH) == Z_STREAM_END && inflate_.avail_out == 0;
  }

 private:
  z_stream deflate_{};
  z_stream inflate_{};
};

}  // namespace

std::unique_ptr<Codec> make_zlib_codec() { return std::make_unique<ZlibCodec>(); }

}  // namespace kdump
