#pragma once
// A PageSource over an ELF vmcore (/proc/vmcore, a saved copy of it, or a QEMU
// ELF dump): PT_LOADs become the memory ranges (with their kernel virtual
// addresses, for ELF output), PT_NOTEs are passed on re-encoded as they came.
// Only whole pages count as memory: a PT_LOAD ending inside a page (x86_64's
// first one ends at 0x9fc00) loses that page, as in makedumpfile's bitmaps.

#include <memory>

#include "io/byte_source.h"
#include "vmcore/elf_dump.h"
#include "vmcore/kernel_memory.h"
#include "vmcore/segment_map.h"
#include "writer/page_source.h"

namespace kdump {

/// Pages of an ELF core file.
class ElfVmcorePageSource final : public PageSource {
 public:
  /// Reads the ELF headers and notes of `file` (borrowed); throws DumpError if
  /// it is not an ELF core. Damage found is in layout().problems.
  explicit ElfVmcorePageSource(ByteSource& file);

  std::size_t page_size() const override { return page_size_; }
  std::vector<MemoryRange> memory_ranges() const override;
  std::vector<MemoryRange> zero_filled_ranges() const override;
  std::vector<MemoryRange> missing_ranges() const override;
  bool read_page(std::uint64_t pfn, std::span<std::byte> out) override;
  std::size_t read_pages(std::uint64_t first_pfn, std::span<std::byte> out) override;
  bool concurrent_reads() const override { return map_->concurrent_reads(); }
  std::vector<std::byte> elf_notes() const override;
  std::string vmcoreinfo() const override { return vmcoreinfo_; }
  std::uint16_t elf_machine() const override { return layout_.machine; }
  /// From init_uts_ns, when set_kernel_memory() gave a way to read it.
  std::vector<std::string> utsname() const override;
  /// Lets utsname() read the crashed kernel's init_uts_ns (borrowed).
  void set_kernel_memory(KernelMemory& memory) { kernel_ = &memory; }
  const ElfDumpLayout& layout() const { return layout_; }

 private:
  ElfDumpLayout layout_;
  std::unique_ptr<SegmentMap> map_;
  std::string vmcoreinfo_;
  std::size_t page_size_ = 4096;
  KernelMemory* kernel_ = nullptr;
};

}  // namespace kdump
