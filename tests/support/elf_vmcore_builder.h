#pragma once
// Builders for synthetic crash dumps: an ELF vmcore with chosen PT_LOADs and
// notes, a physical memory image with x86_64 page tables in it, and the
// bytes of the notes the kernel and QEMU write.

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <string>
#include <vector>

namespace kdump::test {

/// Bytes of a string (for note names and page contents).
std::vector<std::byte> bytes_of(std::string_view s);

/// A sparse physical memory image, addressed from 0, grown on demand.
class PhysImage {
 public:
  void put(std::uint64_t paddr, std::span<const std::byte> data);
  void put_u64(std::uint64_t paddr, std::uint64_t v);
  void put_string(std::uint64_t paddr, std::string_view s) { put(paddr, bytes_of(s)); }
  /// The bytes from `start` to `start + size` (zeros where nothing was put).
  std::vector<std::byte> slice(std::uint64_t start, std::uint64_t size) const;

 private:
  std::map<std::uint64_t, std::vector<std::byte>> pages_;  // 4 KiB pages by page number
};

/// Writes x86_64 page tables into a PhysImage, allocating table pages upward from `next_free`.
class PageTableBuilder {
 public:
  PageTableBuilder(PhysImage& image, bool five_level, std::uint64_t next_free, std::uint64_t entry_extra_bits = 0);
  std::uint64_t root() const { return root_; }
  void map_4k(std::uint64_t vaddr, std::uint64_t paddr);
  void map_2m(std::uint64_t vaddr, std::uint64_t paddr);
  void map_1g(std::uint64_t vaddr, std::uint64_t paddr);
  /// Writes a raw entry at a level (5..1) for vaddr, creating tables above it.
  void set_entry(std::uint64_t vaddr, int level, std::uint64_t entry);

 private:
  std::uint64_t table_for(std::uint64_t vaddr, int level);
  std::uint64_t alloc();

  PhysImage& image_;
  bool five_level_;
  std::uint64_t next_free_;
  std::uint64_t extra_;  // bits added to every entry (NX, an SME bit)
  std::uint64_t root_;
  std::map<std::pair<int, std::uint64_t>, std::uint64_t> tables_;  // (level, vaddr prefix) -> table paddr
};

/// One note for a builder.
struct NoteSpec {
  std::string name;
  std::uint32_t type = 0;
  std::vector<std::byte> desc;
};

/// An NT_PRSTATUS note ("CORE", type 1) of x86_64 size (336 bytes).
NoteSpec prstatus_note();
/// A QEMU x86_64 CPU state note with the given CR3 and CR4.
NoteSpec qemu_cpu_note(std::uint64_t cr3, std::uint64_t cr4);
/// A VMCOREINFO note with the given text.
NoteSpec vmcoreinfo_note(std::string_view text);
/// Notes serialized as Linux writes them (4-byte padding).
std::vector<std::byte> serialize_notes(const std::vector<NoteSpec>& notes);

/// One PT_LOAD for the builder: file bytes are `data`; mem_size >= data.size().
struct LoadSpec {
  std::uint64_t paddr = 0;
  std::uint64_t vaddr = 0;
  std::vector<std::byte> data;
  std::uint64_t mem_size = 0;  ///< 0 means data.size()
};

/// Builds an ELF core file.
struct ElfVmcoreBuilder {
  int elf_class = 64;
  std::uint16_t machine = 62;
  std::vector<LoadSpec> loads;
  std::vector<NoteSpec> notes;
  bool sections_first = false;        ///< QEMU's layout: section headers right after the ELF header
  bool force_xnum = false;            ///< use PN_XNUM even for few program headers
  bool note_per_segment = false;      ///< one PT_NOTE per note instead of one for all
  std::uint64_t extra_phdrs = 0;      ///< empty PT_NULL program headers to add (for > 65535)

  std::vector<std::byte> build() const;
};

}  // namespace kdump::test
