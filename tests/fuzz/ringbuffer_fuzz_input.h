#pragma once
// The input format of the ringbuffer fuzz target, shared with the unit test
// that writes and checks its seeds: a VMCOREINFO text, a NUL, then segments of
// kernel memory, each an 8-byte little-endian address, a 2-byte length and
// that many bytes. Anything malformed simply ends the list.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vmcore/kernel_memory.h"

namespace kdump::fuzz {

/// Kernel memory made of the segments of a fuzz input.
class SegmentMemory final : public KernelMemory {
 public:
  /// Decodes an input; never fails.
  explicit SegmentMemory(std::span<const std::uint8_t> input) {
    const auto* p = reinterpret_cast<const char*>(input.data());
    std::string_view all(p, input.size());
    const std::size_t nul = all.find('\0');
    info_ = VmcoreInfo::parse(all.substr(0, nul));
    if (nul == std::string_view::npos) return;
    std::size_t at = nul + 1;
    while (at + 10 <= input.size()) {
      std::uint64_t vaddr = 0;
      for (int i = 7; i >= 0; --i) vaddr = (vaddr << 8) | input[at + static_cast<std::size_t>(i)];
      const std::size_t len = input[at + 8] | (static_cast<std::size_t>(input[at + 9]) << 8);
      at += 10;
      if (len > input.size() - at) break;
      segments_.emplace_back(vaddr, std::string(p + at, len));
      at += len;
    }
  }

  /// Encodes VMCOREINFO text and segments (each at most 65535 bytes).
  static std::string encode(std::string_view vmcoreinfo,
                            const std::vector<std::pair<std::uint64_t, std::span<const std::byte>>>& segments) {
    std::string out(vmcoreinfo);
    out.push_back('\0');
    for (const auto& [vaddr, bytes] : segments) {
      for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((vaddr >> (8 * i)) & 0xff));
      out.push_back(static_cast<char>(bytes.size() & 0xff));
      out.push_back(static_cast<char>((bytes.size() >> 8) & 0xff));
      out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    return out;
  }

  // Reads byte runs from whichever segment holds each address (the first
  // listed wins where they overlap).
  std::size_t read_virtual(std::uint64_t vaddr, std::span<std::byte> out) override {
    std::size_t done = 0;
    while (done < out.size()) {
      const std::uint64_t addr = vaddr + done;
      if (addr < vaddr) break;
      const std::string* seg = nullptr;
      std::uint64_t start = 0;
      for (const auto& [base, bytes] : segments_)
        if (addr >= base && addr - base < bytes.size()) {
          seg = &bytes;
          start = base;
          break;
        }
      if (!seg) break;
      const std::size_t off = static_cast<std::size_t>(addr - start);
      const std::size_t n = std::min(out.size() - done, seg->size() - off);
      std::memcpy(out.data() + done, seg->data() + off, n);
      done += n;
    }
    return done;
  }
  std::size_t read_physical(std::uint64_t, std::span<std::byte>) override { return 0; }
  const VmcoreInfo& vmcoreinfo() const override { return info_; }

 private:
  VmcoreInfo info_;
  std::vector<std::pair<std::uint64_t, std::string>> segments_;
};

}  // namespace kdump::fuzz
