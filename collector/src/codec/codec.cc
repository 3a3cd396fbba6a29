#include "codec/codec.h"

// The codec table: names, format flags and factories side by side, so a new
// codec is one row here plus its own file. "none" lives here too; it is a
// plain copy and exists so that the writers need no special case.

#include <cstring>

#include "codec/codec_impl.h"

namespace kdump {
namespace {

class NoneCodec final : public Codec {
 public:
  CodecKind kind() const override { return CodecKind::kNone; }
  std::size_t max_compressed_size(std::size_t input_size) const override { return input_size; }
  std::optional<std::size_t> compress(std::span<const std::byte> in, std::span<std::byte> out) override {
    if (out.size() < in.size()) return std::nullopt;
    if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
    return in.size();
  }
  bool decompress(std::span<const std::byte> in, std::span<std::byte> out) override {
    if (in.size() != out.size()) return false;
    if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
    return true;
  }
};

std::unique_ptr<Codec> make_none_codec() { return std::make_unique<NoneCodec>(); }

struct CodecRow {
  CodecKind kind;
  std::string_view name;
  std::uint32_t flag;  // makedumpfile diskdump_mod.h: DUMP_DH_COMPRESSED_ZLIB/LZO/SNAPPY/ZSTD
  std::unique_ptr<Codec> (*make)();
};

constexpr CodecRow kCodecs[] = {
    {CodecKind::kNone, "none", 0x0, make_none_codec},
    {CodecKind::kZlib, "zlib", 0x1, make_zlib_codec},
    {CodecKind::kLzo, "lzo", 0x2, make_lzo_codec},
    {CodecKind::kSnappy, "snappy", 0x4, make_snappy_codec},
    {CodecKind::kZstd, "zstd", 0x20, make_zstd_codec},
};

const CodecRow& row(CodecKind kind) {
  for (const auto& r : kCodecs)
    if (r.kind == kind) return r;
  return kCodecs[0];
}

}  // namespace

std::unique_ptr<Codec> make_codec(CodecKind kind) { return row(kind).make(); }
std::uint32_t codec_flag(CodecKind kind) { return row(kind).flag; }
std::string_view codec_name(CodecKind kind) { return row(kind).name; }

std::optional<CodecKind> codec_from_name(std::string_view name) {
  for (const auto& r : kCodecs)
    if (r.name == name) return r.kind;
  return std::nullopt;
}

}  // namespace kdump
