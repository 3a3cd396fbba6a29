#pragma once
// The ELF notes a dump carries: copied from the crashed kernel as they are,
// with a VMCOREINFO note added if they have none, and the facts the headers
// need (where the VMCOREINFO text is, how many CPUs saved registers).

#include <cstdint>
#include <string>
#include <vector>

namespace kdump {

/// Notes ready to be written, with what the headers need to know about them.
struct NoteBlob {
  std::vector<std::byte> bytes;
  std::uint64_t vmcoreinfo_offset = 0;  ///< of the VMCOREINFO text within `bytes`
  std::uint64_t vmcoreinfo_size = 0;    ///< 0 if there is none
  std::uint32_t prstatus_count = 0;     ///< NT_PRSTATUS notes (one per CPU)
};

/// Walks `notes` (4-byte aligned Elf64_Nhdr records, as Linux writes them);
/// stops at zero padding or a note that runs past the end. Appends a
/// VMCOREINFO note made of `vmcoreinfo` when the notes have none and it is non-empty.
NoteBlob prepare_notes(std::vector<std::byte> notes, const std::string& vmcoreinfo);

/// Encodes one ELF note (name NUL-terminated, name and desc padded to 4 bytes).
std::vector<std::byte> encode_note(const std::string& name, std::uint32_t type, const std::vector<std::byte>& desc);

}  // namespace kdump
