#include "vmcore/elf_notes.h"

// Note layout: namesz, descsz, type (4 bytes each), then the name and the
// descriptor, each padded to 4 bytes (Linux's fs/proc/vmcore.c and QEMU's
// dump.c both use 4-byte padding even in ELF64). Every size is checked
// against what is left of the buffer before it is used.

#include "vmcore/le.h"

namespace kdump {
namespace {

constexpr std::uint32_t kNtPrstatus = 1;  // include/uapi/linux/elf.h
// QEMUCPUState (QEMU target/i386/arch_dump.c): version, size, 18 general
// registers, 10 segment descriptors of 24 bytes, then cr[0..4].
constexpr std::size_t kQemuCrOffset = 8 + 18 * 8 + 10 * 24;

std::size_t pad4(std::uint64_t n) { return static_cast<std::size_t>((n + 3) & ~std::uint64_t{3}); }

}  // namespace

std::vector<ElfNote> parse_elf_notes(std::span<const std::byte> bytes, std::vector<std::string>& problems) {
  std::vector<ElfNote> notes;
  std::size_t pos = 0;
  while (bytes.size() - pos >= 12) {
    std::uint32_t namesz = load_le<std::uint32_t>(bytes, pos);
    std::uint32_t descsz = load_le<std::uint32_t>(bytes, pos + 4);
    std::uint32_t type = load_le<std::uint32_t>(bytes, pos + 8);
    if (namesz == 0 && descsz == 0 && type == 0) break;  // padding after the last note
    std::size_t left = bytes.size() - pos - 12;
    if (pad4(namesz) > left || pad4(descsz) > left - pad4(namesz)) {
      problems.push_back("note at offset " + std::to_string(pos) + " runs past the end of its segment (namesz " +
                         std::to_string(namesz) + ", descsz " + std::to_string(descsz) + "); later notes skipped");
      break;
    }
    ElfNote note;
    note.type = type;
    std::size_t name_at = pos + 12;
    for (std::size_t i = 0; i < namesz; ++i) {
      char c = static_cast<char>(bytes[name_at + i]);
      if (c == '\0') break;
      note.name.push_back(c);
    }
    std::size_t desc_at = name_at + pad4(namesz);
    note.desc.assign(bytes.begin() + static_cast<std::ptrdiff_t>(desc_at),
                     bytes.begin() + static_cast<std::ptrdiff_t>(desc_at + descsz));
    notes.push_back(std::move(note));
    pos = desc_at + pad4(descsz);
  }
  return notes;
}

NoteSummary summarize_notes(const std::vector<ElfNote>& notes, std::vector<std::string>& problems) {
  NoteSummary s;
  for (const auto& note : notes) {
    if (note.name == "CORE" && note.type == kNtPrstatus) {
      ++s.prstatus_count;
    } else if (note.name == "QEMU") {
      ++s.qemu_cpu_count;
      std::span<const std::byte> d(note.desc);
      // Only the 64-bit layout has cr[] at this offset; its size field says which.
      if (!s.cr3 && d.size() >= kQemuCrOffset + 5 * 8 && load_le<std::uint32_t>(d, 4) >= kQemuCrOffset + 5 * 8) {
        s.cr3 = load_le<std::uint64_t>(d, kQemuCrOffset + 3 * 8);
        s.cr4 = load_le<std::uint64_t>(d, kQemuCrOffset + 4 * 8);
      }
    } else if (note.name == "VMCOREINFO") {
      std::string text(reinterpret_cast<const char*>(note.desc.data()), note.desc.size());
      if (!s.vmcoreinfo) {
        s.vmcoreinfo = std::move(text);
      } else if (text != *s.vmcoreinfo) {
        problems.push_back("a second, different VMCOREINFO note was ignored");
      }
    }
  }
  return s;
}

}  // namespace kdump
