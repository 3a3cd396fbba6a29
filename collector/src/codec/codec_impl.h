#pragma once
// Factories of the concrete codecs, one file each; only codec.cc calls them.

#include <memory>

#include "codec/codec.h"

namespace kdump {

std::unique_ptr<Codec> make_zlib_codec();
std::unique_ptr<Codec> make_lzo_codec();
std::unique_ptr<Codec> make_snappy_codec();
std::unique_ptr<Codec> make_zstd_codec();

}  // namespace kdump
