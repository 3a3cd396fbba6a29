#pragma once
// A synthetic crashed kernel for the page filter's tests: VMCOREINFO with the
// struct page layout of Debian's 6.1 x86_64 kernel, a SPARSEMEM_EXTREME
// section table and a vmemmap array of struct pages whose fields a test sets
// page by page. Pieces of virtual memory can be made unreadable, to play a
// dump that lacks part of its mem_map.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "vmcore/kernel_memory.h"

namespace kdump::test {

/// Memory readable by virtual and physical address, with holes.
class FakeKernelMemory : public KernelMemory {
 public:
  explicit FakeKernelMemory(std::string vmcoreinfo) : info_(VmcoreInfo::parse(vmcoreinfo)) {}
  std::size_t read_virtual(std::uint64_t vaddr, std::span<std::byte> out) override;
  std::size_t read_physical(std::uint64_t paddr, std::span<std::byte> out) override;
  const VmcoreInfo& vmcoreinfo() const override { return info_; }

  /// Maps bytes at a virtual address.
  void map_virtual(std::uint64_t vaddr, std::vector<std::byte> bytes) { virt_[vaddr] = std::move(bytes); }
  /// Maps bytes at a physical address.
  void map_physical(std::uint64_t paddr, std::vector<std::byte> bytes) { phys_[paddr] = std::move(bytes); }
  /// Physical memory below `limit` that no region maps reads as zeros.
  void zero_physical_below(std::uint64_t limit) { zero_limit_ = limit; }
  /// Makes the 4 KiB virtual page holding vaddr unreadable.
  void hide_virtual_page(std::uint64_t vaddr) { hidden_.insert(vaddr / 4096); }
  /// How many read_virtual calls were made (to check batching).
  std::uint64_t virtual_reads() const { return virtual_reads_; }

 private:
  using Regions = std::map<std::uint64_t, std::vector<std::byte>>;
  std::size_t read(const Regions& regions, bool virt, std::uint64_t addr, std::span<std::byte> out) const;
  VmcoreInfo info_;
  Regions virt_, phys_;
  std::set<std::uint64_t> hidden_;
  std::uint64_t virtual_reads_ = 0;
  std::uint64_t zero_limit_ = 0;
};

/// Struct page field values of one pfn (Debian 6.1 layout, 64 bytes).
struct FakePage {
  std::uint64_t flags = 0;
  std::uint64_t mapping = 0;
  std::uint64_t private_ = 0;
  std::int32_t mapcount = -1;  // _mapcount of an unmapped page
  std::uint64_t compound_head = 0;
  std::uint8_t compound_dtor = 0;
  std::uint8_t compound_order = 0;
};

/// Builds a FakeKernelMemory with `pfns` page frames of struct pages.
class FilterMemMapBuilder {
 public:
  // Flag bits and magic values written into VMCOREINFO (kernel 6.1,
  // include/linux/page-flags.h; only their consistency matters here).
  static constexpr unsigned kPgLru = 4, kPgSlab = 9, kPgSwapcache = 10, kPgPrivate = 13, kPgHead = 16,
                            kPgSwapbacked = 19, kPgHwpoison = 22;
  static constexpr std::int32_t kBuddy = -129, kOffline = -257;
  static constexpr std::uint8_t kHugetlbDtor = 2;
  static constexpr std::uint64_t kVmemmap = 0xffffea0000000000ull;
  static constexpr std::uint64_t kAnonMapping = 0xffff888012345001ull;
  static constexpr std::uint64_t kFileMapping = 0xffff888012346000ull;

  explicit FilterMemMapBuilder(std::uint64_t pfns);

  FakePage& page(std::uint64_t pfn) { return pages_.at(pfn); }
  /// A free buddy block of 2^order pages at pfn.
  void free_block(std::uint64_t pfn, unsigned order);
  /// A compound page of 2^order pages at pfn; the head gets `head`'s fields.
  void compound(std::uint64_t pfn, unsigned order, FakePage head, std::uint8_t dtor = 1);
  /// A page-cache page (on the LRU), with or without PG_private.
  void cache(std::uint64_t pfn, bool with_private);
  /// An anonymous page.
  void anon(std::uint64_t pfn);
  /// Leaves a VMCOREINFO line out ("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)").
  void drop_key(const std::string& key) { dropped_.insert(key); }
  /// Replaces a VMCOREINFO value.
  void set_key(const std::string& key, const std::string& value) { overrides_[key] = value; }
  /// Makes the struct pages of [first, last) unreadable (whole 4 KiB pages of vmemmap).
  void hide_struct_pages(std::uint64_t first, std::uint64_t last);
  /// Marks section nr as absent from the section table.
  void drop_section(std::uint64_t nr) { dropped_sections_.insert(nr); }
  /// Fills physical page pfn with `byte` (pages are all zeros otherwise).
  void fill_page(std::uint64_t pfn, std::byte byte) { filled_[pfn] = byte; }

  /// The VMCOREINFO text it would write.
  std::string vmcoreinfo() const;
  std::unique_ptr<FakeKernelMemory> build() const;

 private:
  std::vector<FakePage> pages_;
  std::set<std::string> dropped_;
  std::map<std::string, std::string> overrides_;
  std::set<std::uint64_t> dropped_sections_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> hidden_;
  std::map<std::uint64_t, std::byte> filled_;
};

}  // namespace kdump::test
