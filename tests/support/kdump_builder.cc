#include "support/kdump_builder.h"

// Lays a dump out as makedumpfile does (diskdump_mod.h): header block, one
// sub-header block, the two bitmaps, the descriptor table, then page data
// and the VMCOREINFO/notes blobs the sub-header points at.

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "vmcore/le.h"

namespace kdump::test {
namespace {

std::vector<std::byte> encode(StoreAs how, const std::vector<std::byte>& page, std::uint32_t& flags) {
  std::vector<std::byte> out(page.size() * 2 + 64);
  switch (how) {
    case StoreAs::kRaw:
      flags = 0;
      return page;
    case StoreAs::kZlib:
    case StoreAs::kGarbageZlib: {
      flags = 0x1;
      uLongf len = out.size();
      if (compress2(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(page.data()), page.size(), 6) != Z_OK)
        throw std::runtime_error("zlib");
      out.resize(len);
      if (how == StoreAs::kGarbageZlib) out[out.size() / 2] ^= std::byte{0x5a};
      return out;
    }
    case StoreAs::kLzo: {
      flags = 0x2;
      if (lzo_init() != LZO_E_OK) throw std::runtime_error("lzo");
      std::vector<unsigned char> wrk(LZO1X_1_MEM_COMPRESS);
      lzo_uint len = out.size();
      lzo1x_1_compress(reinterpret_cast<const unsigned char*>(page.data()), page.size(),
                       reinterpret_cast<unsigned char*>(out.data()), &len, wrk.data());
      out.resize(len);
      return out;
    }
    case StoreAs::kZstd: {
      flags = 0x20;
      std::size_t n = ZSTD_compress(out.data(), out.size(), page.data(), page.size(), 1);
      if (ZSTD_isError(n)) throw std::runtime_error("zstd");
      out.resize(n);
      return out;
    }
    case StoreAs::kSnappy: {
      flags = 0x4;
      std::size_t len = out.size();
      if (snappy_compress(reinterpret_cast<const char*>(page.data()), page.size(), reinterpret_cast<char*>(out.data()),
                          &len) != SNAPPY_OK)
        throw std::runtime_error("snappy");
      out.resize(len);
      return out;
    }
    case StoreAs::kSnappyGarbage:
      flags = 0x4;
      out.assign(16, std::byte{0x11});
      return out;
    case StoreAs::kUnknownFlag:
      flags = 0x40;
      return page;
  }
  return out;
}

}  // namespace

std::vector<std::byte> KdumpBuilder::build() const {
  const std::uint64_t bs = block_size;
  const std::uint64_t bitmap_bytes = (max_mapnr + 7) / 8;
  const std::uint64_t bitmap_blocks = 2 * ((bitmap_bytes + bs - 1) / bs);
  const std::uint64_t bitmap_off = 2 * bs;
  const std::uint64_t desc_off = bitmap_off + bitmap_blocks * bs;
  std::uint64_t pos = desc_off + pages.size() * 24;
  std::vector<std::byte> out(pos);
  auto grow_put = [&](const std::vector<std::byte>& blob) {
    const std::uint64_t at = out.size();
    out.insert(out.end(), blob.begin(), blob.end());
    return at;
  };
  std::span<std::byte> o(out);
  // Descriptors and page data.
  std::size_t i = 0;
  for (const auto& [pfn, page] : pages) {
    std::uint32_t flags = 0;
    auto it = store_override.find(pfn);
    auto blob = encode(it == store_override.end() ? store : it->second, page, flags);
    std::uint64_t data_at = grow_put(blob);
    o = out;
    store_le<std::uint64_t>(o, desc_off + i * 24, data_at);
    store_le<std::uint32_t>(o, desc_off + i * 24 + 8, static_cast<std::uint32_t>(blob.size()));
    store_le<std::uint32_t>(o, desc_off + i * 24 + 12, flags);
    ++i;
  }
  std::uint64_t vi_at = 0, vi_size = 0, note_at = 0;
  if (vmcoreinfo) {
    std::vector<std::byte> v(vmcoreinfo->size());
    std::memcpy(v.data(), vmcoreinfo->data(), v.size());
    vi_at = grow_put(v);
    vi_size = v.size();
  }
  if (!notes.empty()) note_at = grow_put(notes);
  o = out;
  // Header.
  std::memcpy(out.data(), "KDUMP   ", 8);
  store_le<std::uint32_t>(o, 8, 6);
  std::memcpy(out.data() + 12, "Linux", 5);
  std::memcpy(out.data() + 12 + 2 * 65, release.data(), std::min<std::size_t>(release.size(), 64));
  std::memcpy(out.data() + 12 + 4 * 65, machine.data(), std::min<std::size_t>(machine.size(), 64));
  store_le<std::uint64_t>(o, 408, static_cast<std::uint64_t>(timestamp));
  store_le<std::uint32_t>(o, 428, block_size);
  store_le<std::uint32_t>(o, 432, 1);
  store_le<std::uint32_t>(o, 436, static_cast<std::uint32_t>(bitmap_blocks));
  store_le<std::uint32_t>(o, 440, static_cast<std::uint32_t>(std::min<std::uint64_t>(max_mapnr, 0xffffffff)));
  store_le<std::uint32_t>(o, 460, static_cast<std::uint32_t>(nr_cpus));
  // Sub-header.
  store_le<std::uint64_t>(o, bs + 0, phys_base);
  store_le<std::uint32_t>(o, bs + 8, 31);
  store_le<std::uint64_t>(o, bs + 32, vi_at);
  store_le<std::uint64_t>(o, bs + 40, vi_size);
  store_le<std::uint64_t>(o, bs + 48, note_at);
  store_le<std::uint64_t>(o, bs + 56, notes.size());
  store_le<std::uint64_t>(o, bs + 88, max_mapnr);
  store_le<std::uint64_t>(o, bs + 96, max_mapnr);
  // Bitmaps.
  auto set_bit = [&](std::uint64_t base, std::uint64_t pfn) {
    out[base + pfn / 8] |= std::byte{static_cast<unsigned char>(1u << (pfn % 8))};
  };
  const std::uint64_t half = bitmap_blocks * bs / 2;
  for (const auto& [pfn, page] : pages) {
    set_bit(bitmap_off, pfn);
    set_bit(bitmap_off + half, pfn);
  }
  for (auto pfn : ram_only) set_bit(bitmap_off, pfn);
  return out;
}

std::vector<std::byte> flatten(const std::vector<std::byte>& file, std::size_t record_size, bool reverse,
                               bool rewrite_first) {
  std::vector<std::byte> out(4096);
  std::memcpy(out.data(), "makedumpfile", 12);
  auto put_be = [&](std::uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
  };
  out[16 + 7] = std::byte{1};
  out[24 + 7] = std::byte{1};
  std::vector<std::pair<std::uint64_t, std::uint64_t>> recs;
  for (std::uint64_t at = 0; at < file.size(); at += record_size)
    recs.emplace_back(at, std::min<std::uint64_t>(record_size, file.size() - at));
  if (reverse) std::reverse(recs.begin(), recs.end());
  if (rewrite_first && !recs.empty()) {
    put_be(recs.front().first);
    put_be(recs.front().second);
    out.insert(out.end(), recs.front().second, std::byte{0xee});
  }
  for (auto [at, n] : recs) {
    put_be(at);
    put_be(n);
    out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(at), file.begin() + static_cast<std::ptrdiff_t>(at + n));
  }
  put_be(~std::uint64_t{0});
  put_be(~std::uint64_t{0});
  return out;
}

}  // namespace kdump::test
