#pragma once
// The layout of an ELF core dump (/proc/vmcore, QEMU's dump-guest-memory):
// its PT_LOAD segments and its notes.

#include <cstdint>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "vmcore/elf_notes.h"

namespace kdump {

/// One PT_LOAD: physical and virtual start, where its bytes are in the file.
struct LoadSegment {
  std::uint64_t paddr = 0;
  std::uint64_t vaddr = 0;
  std::uint64_t file_offset = 0;
  std::uint64_t file_size = 0;  ///< bytes present in the file; the rest of mem_size reads as zeros
  std::uint64_t mem_size = 0;
};

/// What the ELF headers of a dump describe.
struct ElfDumpLayout {
  int elf_class = 64;                 ///< 32 or 64
  std::uint16_t machine = 0;          ///< e_machine (62 = x86_64, 3 = i386)
  std::uint64_t program_headers = 0;  ///< the real count, after extended numbering
  bool extended_numbering = false;    ///< e_phnum was PN_XNUM
  bool section_headers_first = false; ///< section header table before the program headers (QEMU)
  std::vector<LoadSegment> loads;     ///< in file order
  std::vector<ElfNote> notes;         ///< from every PT_NOTE, in order
  std::vector<std::string> problems;  ///< what was damaged or skipped
};

/// True if the bytes start with the ELF magic.
bool is_elf(std::span<const std::byte> head);

/// Reads the headers and notes; throws DumpError if they cannot be read at all.
ElfDumpLayout read_elf_dump(ByteSource& source);

}  // namespace kdump
