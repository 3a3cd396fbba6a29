#pragma once
// Where the crashed kernel keeps the struct page of each page frame, found
// through its SPARSEMEM section table (include/linux/mmzone.h): the table
// named by SYMBOL(mem_section), LENGTH(mem_section) roots of
// PAGESIZE / SIZE(mem_section) sections each (SPARSEMEM_EXTREME), or one flat
// array when LENGTH equals the number of sections. Each present section holds
// the address of its struct pages, coded as that address minus the section's
// first pfn times SIZE(page), with flags in the low bits.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vmcore/kernel_memory.h"

namespace kdump {

/// Pfns [start_pfn, end_pfn) whose struct pages lie one after another from
/// `first_page` on (kernel virtual address of start_pfn's struct page).
struct MemMapRun {
  std::uint64_t start_pfn = 0;
  std::uint64_t end_pfn = 0;
  std::uint64_t first_page = 0;
};

/// The struct page array of a crashed kernel, as runs of pfns.
class MemMap {
 public:
  /// Reads the section table. Throws MissingVmcoreinfo naming the first key
  /// it needs and lacks; damaged sections are left out and named in problems().
  static MemMap load(KernelMemory& memory);
  /// Builds a map from known runs (tests, other memory models).
  MemMap(std::uint64_t struct_page_size, std::vector<MemMapRun> runs);

  /// SIZE(page).
  std::uint64_t struct_page_size() const { return page_size_; }
  /// The runs, sorted by pfn and not overlapping.
  const std::vector<MemMapRun>& runs() const { return runs_; }
  /// The address of pfn's struct page, if a present section holds it.
  std::optional<std::uint64_t> page_address(std::uint64_t pfn) const;
  /// Index of the run holding pfn, or of the first run after it (runs().size() if none).
  std::size_t run_at_or_after(std::uint64_t pfn) const;
  /// Sections that were present with a struct page array.
  std::uint64_t sections() const { return sections_; }
  /// What was damaged in the table, one line each.
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  MemMap() = default;
  std::uint64_t page_size_ = 0;
  std::uint64_t sections_ = 0;
  std::vector<MemMapRun> runs_;
  std::vector<std::string> problems_;
};

}  // namespace kdump
