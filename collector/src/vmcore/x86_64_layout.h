#pragma once
// Finding the x86_64 address-space facts of a crashed kernel from whatever the
// dump offers: VMCOREINFO, the ELF program headers' virtual addresses, the
// kdump sub-header, QEMU's saved CR3/CR4.

#include <cstdint>
#include <optional>
#include <vector>

#include "vmcore/elf_dump.h"
#include "vmcore/vmcoreinfo.h"
#include "vmcore/x86_64_translator.h"

namespace kdump {

/// The clues; any may be missing.
struct LayoutClues {
  const VmcoreInfo* vmcoreinfo = nullptr;               ///< may be empty
  const std::vector<LoadSegment>* loads = nullptr;      ///< ELF dumps only
  std::optional<std::uint64_t> header_phys_base;        ///< kdump sub-header
  std::optional<std::uint64_t> cr3, cr4;                ///< QEMU CPU state
};

/// Derives the layout; reads kernel variables (page_offset_base) through `memory`.
X86_64Layout derive_x86_64_layout(const LayoutClues& clues, PhysicalMemory& memory);

}  // namespace kdump
