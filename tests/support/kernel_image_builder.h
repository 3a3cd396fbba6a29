#pragma once
// A synthetic crashed kernel for the tests: sparse pages of kernel virtual
// memory plus a VMCOREINFO text, implementing KernelMemory. Pages can be made
// unreadable to stand for holes in a dump.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vmcore/kernel_memory.h"

namespace kdump::test {

/// Sparse kernel memory with a VMCOREINFO; a builder and the KernelMemory at once.
class KernelImageBuilder final : public KernelMemory {
 public:
  static constexpr std::uint64_t kPageSize = 4096;
  /// Where allocate() starts handing out addresses (a direct-map address).
  static constexpr std::uint64_t kHeapBase = 0xffff888000100000;
  /// Physical addresses are virtual ones minus this (the x86_64 direct map).
  static constexpr std::uint64_t kDirectMap = 0xffff888000000000;

  /// Writes bytes at a virtual address, creating pages as needed.
  KernelImageBuilder& write(std::uint64_t vaddr, std::span<const std::byte> bytes);
  /// Writes a little-endian integer of `width` bytes.
  KernelImageBuilder& write_le(std::uint64_t vaddr, std::uint64_t value, std::size_t width);
  /// Writes text bytes as they are.
  KernelImageBuilder& write_text(std::uint64_t vaddr, std::string_view text);
  /// Moves where allocate() continues (e.g. below 4 GiB for a 32-bit kernel).
  KernelImageBuilder& set_heap(std::uint64_t vaddr) {
    heap_ = vaddr;
    return *this;
  }
  /// Reserves `size` fresh zeroed bytes aligned to `align`; returns the address.
  std::uint64_t allocate(std::uint64_t size, std::uint64_t align = 8);
  /// Makes every page touching [vaddr, vaddr + size) unreadable.
  KernelImageBuilder& make_unreadable(std::uint64_t vaddr, std::uint64_t size);
  /// Appends a VMCOREINFO line ("KEY=value").
  KernelImageBuilder& vmcoreinfo_line(std::string_view line);
  /// Replaces the whole VMCOREINFO text.
  KernelImageBuilder& set_vmcoreinfo(std::string text);

  /// Readable pages, in address order (for writing fuzz seeds).
  std::vector<std::pair<std::uint64_t, std::span<const std::byte>>> readable_pages() const;

  std::size_t read_virtual(std::uint64_t vaddr, std::span<std::byte> out) override;
  std::size_t read_physical(std::uint64_t paddr, std::span<std::byte> out) override;
  const VmcoreInfo& vmcoreinfo() const override;

 private:
  using Page = std::vector<std::byte>;
  Page& page(std::uint64_t index);

  std::map<std::uint64_t, Page> pages_;  // by page index
  std::set<std::uint64_t> unreadable_;
  std::uint64_t heap_ = kHeapBase;
  std::string vmcoreinfo_text_;
  mutable std::unique_ptr<VmcoreInfo> parsed_;
};

}  // namespace kdump::test
