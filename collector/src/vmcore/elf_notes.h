#pragma once
// ELF notes as crash dumps carry them: the kernel's per-CPU NT_PRSTATUS
// ("CORE"), VMCOREINFO ("VMCOREINFO"), and QEMU's CPU state ("QEMU").

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kdump {

/// One note: its name (without the NUL), type and descriptor bytes.
struct ElfNote {
  std::string name;
  std::uint32_t type = 0;
  std::vector<std::byte> desc;
};

/// Parses a run of notes (4-byte aligned, as Linux and QEMU write them).
/// Stops at zero padding; damage is described in `problems`.
std::vector<ElfNote> parse_elf_notes(std::span<const std::byte> bytes, std::vector<std::string>& problems);

/// What the notes tell about the CPUs and the kernel.
struct NoteSummary {
  unsigned prstatus_count = 0;              ///< NT_PRSTATUS notes: one per CPU that was saved
  unsigned qemu_cpu_count = 0;              ///< QEMU CPU state notes
  std::optional<std::uint64_t> cr3;         ///< from the first QEMU x86_64 CPU state
  std::optional<std::uint64_t> cr4;         ///< likewise
  std::optional<std::string> vmcoreinfo;    ///< text of the VMCOREINFO note, if any
};

/// Summarizes notes (first VMCOREINFO note wins; a later one is a problem).
NoteSummary summarize_notes(const std::vector<ElfNote>& notes, std::vector<std::string>& problems);

}  // namespace kdump
