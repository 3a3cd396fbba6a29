#include "vmcore/page_codec.h"

// Each codec's checked entry point is used (lzo1x_decompress_safe, zlib's
// inflate with a bounded output, ZSTD_decompressDCtx, snappy's length check
// before snappy_uncompress), so a corrupt page fails instead of overrunning
// `out`. A page counts only if it decodes to exactly one page. zlib's
// uncompress() would allocate and free its inflate state for every page; one
// stream is kept and reset instead.

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

namespace kdump {
namespace {

// page_desc flags (makedumpfile diskdump_mod.h: DUMP_DH_COMPRESSED_*).
constexpr std::uint32_t kZlib = 0x1;
constexpr std::uint32_t kLzo = 0x2;
constexpr std::uint32_t kSnappy = 0x4;
constexpr std::uint32_t kZstd = 0x20;

struct LzoInit {
  LzoInit() { ok = lzo_init() == LZO_E_OK; }
  bool ok;
};

}  // namespace

PageCodec codec_from_flags(std::uint32_t flags) {
  struct Entry {
    std::uint32_t flag;
    PageCodec codec;
  };
  static constexpr Entry kTable[] = {
      {kZlib, PageCodec::kZlib}, {kLzo, PageCodec::kLzo}, {kSnappy, PageCodec::kSnappy}, {kZstd, PageCodec::kZstd}};
  if (flags == 0) return PageCodec::kRaw;
  for (const auto& e : kTable)
    if (flags == e.flag) return e.codec;
  return PageCodec::kUnknown;
}

std::string_view codec_name(PageCodec codec) {
  switch (codec) {
    case PageCodec::kRaw: return "raw";
    case PageCodec::kZlib: return "zlib";
    case PageCodec::kLzo: return "lzo";
    case PageCodec::kSnappy: return "snappy";
    case PageCodec::kZstd: return "zstd";
    case PageCodec::kUnknown: break;
  }
  return "unknown";
}

PageDecompressor::PageDecompressor() : zstd_(ZSTD_createDCtx()), zlib_(new z_stream{}) {
  if (inflateInit(zlib_) != Z_OK) {
    delete zlib_;
    zlib_ = nullptr;
  }
}

PageDecompressor::~PageDecompressor() {
  ZSTD_freeDCtx(zstd_);
  if (zlib_) {
    inflateEnd(zlib_);
    delete zlib_;
  }
}

bool PageDecompressor::decompress(PageCodec codec, std::span<const std::byte> in, std::span<std::byte> out) {
  switch (codec) {
    case PageCodec::kRaw:
      if (in.size() != out.size()) return false;
      std::memcpy(out.data(), in.data(), in.size());
      return true;
    case PageCodec::kZlib: {
      if (!zlib_ || inflateReset(zlib_) != Z_OK) return false;
      zlib_->next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
      zlib_->avail_in = static_cast<uInt>(in.size());
      zlib_->next_out = reinterpret_cast<Bytef*>(out.data());
      zlib_->avail_out = static_cast<uInt>(out.size());
      return inflate(zlib_, Z_FINISH) == Z_STREAM_END && zlib_->total_out == out.size();
    }
    case PageCodec::kLzo: {
      static const LzoInit init;
      if (!init.ok) return false;
      lzo_uint len = out.size();
      int rc = lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                     reinterpret_cast<unsigned char*>(out.data()), &len, nullptr);
      return rc == LZO_E_OK && len == out.size();
    }
    case PageCodec::kZstd: {
      if (!zstd_) return false;
      std::size_t n = ZSTD_decompressDCtx(zstd_, out.data(), out.size(), in.data(), in.size());
      return !ZSTD_isError(n) && n == out.size();
    }
    case PageCodec::kSnappy: {
      std::size_t len = 0;
      const auto* src = reinterpret_cast<const char*>(in.data());
      if (snappy_uncompressed_length(src, in.size(), &len) != SNAPPY_OK || len != out.size()) return false;
      return snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out.data()), &len) == SNAPPY_OK &&
             len == out.size();
    }
    case PageCodec::kUnknown:
      break;
  }
  return false;
}

}  // namespace kdump
