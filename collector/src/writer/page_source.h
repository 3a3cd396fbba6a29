#pragma once
// What the dump writers need from a crashed kernel's memory: its page frames,
// where physical memory is, the ELF notes and VMCOREINFO. The vmcore readers
// (ELF /proc/vmcore, QEMU dumps, kdump-compressed) adapt to this in a few
// lines; the tests implement it over a synthetic page image. Which pages to
// leave out is a separate PageFilter, so a filter built from struct page
// (dump levels) plugs in without the writers knowing how it decides.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kdump {

/// A run of physical memory, as one PT_LOAD of /proc/vmcore describes it.
struct MemoryRange {
  std::uint64_t paddr = 0;  ///< page aligned
  std::uint64_t size = 0;   ///< bytes, a multiple of the page size
  std::uint64_t vaddr = 0;  ///< kernel virtual address of paddr, 0 if unknown (ELF output only)
};

/// The memory a dump is written from.
class PageSource {
 public:
  virtual ~PageSource() = default;
  /// The page size (and block size of kdump-compressed output), e.g. 4096.
  virtual std::size_t page_size() const = 0;
  /// Physical memory present, sorted by paddr; ranges may overlap (the
  /// kernel-text PT_LOAD of /proc/vmcore does): bitmaps take their union.
  virtual std::vector<MemoryRange> memory_ranges() const = 0;
  /// Memory the dump describes but holds no bytes for (an ELF PT_LOAD's
  /// p_memsz beyond its p_filesz): whole pages, sorted, that read as zeros.
  /// The writers leave them out without reading them where zero pages are
  /// excluded, so a damaged p_memsz of terabytes costs bitmap, not reads.
  virtual std::vector<MemoryRange> zero_filled_ranges() const { return {}; }
  /// Memory the dump describes but cannot be read because its bytes are not
  /// in the file (a truncated vmcore): the writers leave it out of the dump,
  /// so that readers report those pages as excluded instead of showing
  /// zeros that the crashed kernel never held.
  virtual std::vector<MemoryRange> missing_ranges() const { return {}; }
  /// Reads page frame `pfn` into `out` (page_size() bytes); false if it cannot be read.
  virtual bool read_page(std::uint64_t pfn, std::span<std::byte> out) = 0;
  /// Reads the consecutive frames first_pfn, first_pfn + 1, ... into `out` (a
  /// whole number of pages) and returns how many leading frames were read
  /// whole. Sources backed by a file override this with one large read, which
  /// is what makes the writers' reading cheap; the default goes page by page.
  virtual std::size_t read_pages(std::uint64_t first_pfn, std::span<std::byte> out) {
    const std::size_t size = page_size();
    std::size_t n = 0;
    while ((n + 1) * size <= out.size() && read_page(first_pfn + n, out.subspan(n * size, size))) ++n;
    return n;
  }
  /// True if read_page and read_pages may be called from several threads at
  /// once (pread on /proc/vmcore); the pipeline's workers then read their own
  /// pages when there are two or more of them.
  virtual bool concurrent_reads() const { return false; }
  /// The ELF notes of the crashed kernel (PT_NOTE contents: NT_PRSTATUS per
  /// CPU, VMCOREINFO, ...), copied into the dump as they are.
  virtual std::vector<std::byte> elf_notes() const = 0;
  /// VMCOREINFO text; the writer adds it as a note if elf_notes() lacks one.
  virtual std::string vmcoreinfo() const = 0;
  /// ELF e_machine of the crashed kernel (62 = x86_64).
  virtual std::uint16_t elf_machine() const { return 62; }
  /// The crashed kernel's struct new_utsname (sysname, nodename, release,
  /// version, machine, domainname), if the source can read it; otherwise the
  /// writers fill in what VMCOREINFO and elf_machine() tell.
  virtual std::vector<std::string> utsname() const { return {}; }
};

/// Leaves pages out of a dump (dump levels). The zero-page exclusion of dump
/// level bit 1 needs no kernel metadata and is done by the writers themselves.
class PageFilter {
 public:
  virtual ~PageFilter() = default;
  /// Clears in `bits` the pages to leave out. Bit i (byte i/8, LSB first)
  /// stands for pfn first_pfn + i; bits set on entry are pages present in
  /// memory. Called for windows in increasing pfn order, possibly twice for
  /// the same window: the answer must be the same each time.
  virtual void exclude(std::uint64_t first_pfn, std::span<std::uint8_t> bits) = 0;
};

}  // namespace kdump
