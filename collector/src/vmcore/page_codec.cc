#include "vmcore/page_codec.h"

// Reading a kdump-compressed page is the writers' codec run backwards, so the
// decoding itself is theirs (codec/): each codec uses its library's checked
// entry point and keeps its state between pages, and a page counts only if it
// decodes to exactly one page. This file only maps page descriptor flags to
// codecs.

#include <exception>

namespace kdump {
namespace {

constexpr CodecKind kCompressed[] = {CodecKind::kZlib, CodecKind::kLzo, CodecKind::kSnappy, CodecKind::kZstd};

CodecKind kind_of(PageCodec codec) {
  switch (codec) {
    case PageCodec::kZlib: return CodecKind::kZlib;
    case PageCodec::kLzo: return CodecKind::kLzo;
    case PageCodec::kSnappy: return CodecKind::kSnappy;
    case PageCodec::kZstd: return CodecKind::kZstd;
    case PageCodec::kRaw:
    case PageCodec::kUnknown: break;
  }
  return CodecKind::kNone;
}

PageCodec page_codec_of(CodecKind kind) {
  switch (kind) {
    case CodecKind::kZlib: return PageCodec::kZlib;
    case CodecKind::kLzo: return PageCodec::kLzo;
    case CodecKind::kSnappy: return PageCodec::kSnappy;
    case CodecKind::kZstd: return PageCodec::kZstd;
    case CodecKind::kNone: break;
  }
  return PageCodec::kRaw;
}

}  // namespace

PageCodec codec_from_flags(std::uint32_t flags) {
  if (flags == 0) return PageCodec::kRaw;
  for (CodecKind kind : kCompressed)
    if (flags == codec_flag(kind)) return page_codec_of(kind);
  return PageCodec::kUnknown;
}

std::string_view codec_name(PageCodec codec) {
  if (codec == PageCodec::kUnknown) return "unknown";
  if (codec == PageCodec::kRaw) return "raw";
  return kdump::codec_name(kind_of(codec));
}

bool PageDecompressor::decompress(PageCodec codec, std::span<const std::byte> in, std::span<std::byte> out) {
  if (codec == PageCodec::kUnknown) return false;
  const CodecKind kind = kind_of(codec);
  auto& slot = codecs_[static_cast<std::size_t>(kind)];
  if (!slot) {
    try {
      slot = make_codec(kind);
    } catch (const std::exception&) {
      return false;  // a library that cannot start decodes nothing; the page is reported bad
    }
  }
  return slot->decompress(in, out);
}

}  // namespace kdump
