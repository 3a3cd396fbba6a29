#pragma once
// Kernel virtual to physical addresses on x86_64: arithmetic for the kernel
// text mapping and the direct map when their bases are known, a 4- or 5-level
// page-table walk otherwise.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vmcore/physical_memory.h"

namespace kdump {

/// What translation knows about the crashed kernel's address space, and where
/// each fact came from (shown by `info`).
struct X86_64Layout {
  std::optional<std::uint64_t> phys_base;    ///< text mapping: pa = va - __START_KERNEL_map + phys_base
  std::uint64_t kernel_image_size = 512ull << 20;
  std::optional<std::uint64_t> page_offset;  ///< direct map: pa = va - page_offset
  std::optional<std::uint64_t> top_table;    ///< physical address of the top-level page table
  std::optional<std::uint64_t> vmemmap_base;
  bool five_level = false;
  std::uint64_t sme_mask = 0;                ///< memory-encryption bit to strip from table entries
  std::string phys_base_from, page_offset_from, top_table_from, levels_from;
  std::vector<std::string> problems;         ///< clues that disagreed, and which one won
};

/// Kernel virtual address space start of the text mapping (arch/x86/include/asm/page_64_types.h).
inline constexpr std::uint64_t kStartKernelMap = 0xffffffff80000000ull;

/// One translated address: the physical address and how many bytes after it
/// stay physically contiguous under the same mapping.
struct Translation {
  std::uint64_t paddr = 0;
  std::uint64_t contiguous = 0;
};

/// Translates with the layout; reads page tables through `memory` (borrowed).
class X86_64Translator {
 public:
  X86_64Translator(PhysicalMemory& memory, X86_64Layout layout) : memory_(memory), layout_(std::move(layout)) {}

  /// Arithmetic where possible, else the page walk; nullopt if unmapped or unknown.
  std::optional<Translation> translate(std::uint64_t vaddr);
  /// The page walk alone (tests use it to check the arithmetic). The last
  /// page found is remembered, so sequential reads walk once per page.
  std::optional<Translation> walk(std::uint64_t vaddr);
  const X86_64Layout& layout() const { return layout_; }

 private:
  PhysicalMemory& memory_;
  X86_64Layout layout_;
  std::uint64_t cached_va_ = 1, cached_pa_ = 0, cached_size_ = 0;  // one-entry TLB; va 1 never matches
};

}  // namespace kdump
