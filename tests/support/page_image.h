#pragma once
// A synthetic crashed machine for the writer tests: memory ranges with holes,
// pages whose content is a function of the pfn (text-like, random, or zero),
// chosen unreadable pages, and ELF notes with NT_PRSTATUS and VMCOREINFO.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "writer/page_source.h"

namespace kdump::test {

/// What a page of the image holds.
enum class PageKind { kText, kRandom, kZero };

/// A PageSource over generated pages.
class PageImage final : public PageSource {
 public:
  /// Ranges in pfns [first, end); `kind_of` picks each page's content.
  PageImage(std::vector<std::pair<std::uint64_t, std::uint64_t>> pfn_ranges,
            std::function<PageKind(std::uint64_t)> kind_of);

  std::size_t page_size() const override { return 4096; }
  std::vector<MemoryRange> memory_ranges() const override;
  bool read_page(std::uint64_t pfn, std::span<std::byte> out) override;
  bool concurrent_reads() const override { return concurrent_; }
  std::vector<std::byte> elf_notes() const override { return notes_; }
  std::string vmcoreinfo() const override { return vmcoreinfo_; }

  /// The content the image has at `pfn` (zeros outside the ranges).
  std::vector<std::byte> expected(std::uint64_t pfn) const;
  /// Makes read_page fail for `pfn`.
  void make_unreadable(std::uint64_t pfn) { unreadable_.insert(pfn); }
  void set_concurrent(bool c) { concurrent_ = c; }
  void set_vmcoreinfo(std::string text) { vmcoreinfo_ = std::move(text); }
  void set_notes(std::vector<std::byte> notes) { notes_ = std::move(notes); }
  /// Notes the image has by default: two NT_PRSTATUS ("CORE") and VMCOREINFO.
  static std::vector<std::byte> default_notes(const std::string& vmcoreinfo);
  static const std::string kVmcoreinfo;  ///< the default VMCOREINFO text
  /// Kernel virtual address of range i's start (direct map style).
  static std::uint64_t vaddr_of(std::uint64_t paddr) { return 0xffff888000000000ull + paddr; }

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
  std::function<PageKind(std::uint64_t)> kind_of_;
  std::set<std::uint64_t> unreadable_;
  bool concurrent_ = false;
  std::string vmcoreinfo_;
  std::vector<std::byte> notes_;
};

/// A PageFilter that leaves out the pfns a predicate names.
class PredicateFilter final : public PageFilter {
 public:
  explicit PredicateFilter(std::function<bool(std::uint64_t)> leave_out) : leave_out_(std::move(leave_out)) {}
  void exclude(std::uint64_t first_pfn, std::span<std::uint8_t> bits) override;

 private:
  std::function<bool(std::uint64_t)> leave_out_;
};

}  // namespace kdump::test
