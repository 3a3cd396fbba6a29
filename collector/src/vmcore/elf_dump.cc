#include "vmcore/elf_dump.h"

// Reads ELF32 and ELF64 core headers (System V gABI; field offsets below are
// the gABI's). Counts come from a crashed or hostile file, so each is capped
// by what the file can hold before anything is allocated, and program headers
// are read in bounded chunks. Extended numbering (e_phnum == PN_XNUM, real
// count in section header 0's sh_info) is what QEMU uses with paging: true.
// A damaged program header or note is reported and skipped; only an
// unreadable ELF header makes the whole file unreadable.

#include <algorithm>
#include <array>

#include "vmcore/dump_error.h"
#include "vmcore/le.h"

namespace kdump {
namespace {

constexpr std::uint32_t kPtLoad = 1;
constexpr std::uint32_t kPtNote = 4;
constexpr std::uint16_t kPnXnum = 0xffff;
constexpr std::uint16_t kEtCore = 4;
constexpr std::uint64_t kMaxNoteBytes = 64ull << 20;  // far above any real dump's notes
constexpr std::uint64_t kMaxListed = 8;                // problems of one kind listed one by one

// Where the fields sit in each class (gABI).
struct ClassLayout {
  std::size_t ehdr_size, phoff, shoff, phentsize, phnum, shentsize, shnum;
  std::size_t phdr_size, p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
  std::size_t shdr_size, sh_info;
  bool wide;  // addresses are 8 bytes
};
constexpr ClassLayout kElf64{64, 32, 40, 54, 56, 58, 60, 56, 0, 8, 16, 24, 32, 40, 64, 44, true};
constexpr ClassLayout kElf32{52, 28, 32, 42, 44, 46, 48, 32, 0, 4, 8, 12, 16, 20, 40, 28, false};

std::uint64_t load_addr(std::span<const std::byte> b, std::size_t at, bool wide) {
  return wide ? load_le<std::uint64_t>(b, at) : load_le<std::uint32_t>(b, at);
}

std::string hex(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 15]);
    v >>= 4;
  } while (v);
  return "0x" + s;
}

}  // namespace

bool is_elf(std::span<const std::byte> head) {
  static constexpr std::array<char, 4> kMagic{'\x7f', 'E', 'L', 'F'};
  if (head.size() < 4) return false;
  for (std::size_t i = 0; i < 4; ++i)
    if (static_cast<char>(head[i]) != kMagic[i]) return false;
  return true;
}

ElfDumpLayout read_elf_dump(ByteSource& source) {
  const std::string name = source.name();
  std::array<std::byte, 64> ehdr{};
  std::size_t got = source.read_at(0, ehdr);
  if (got < 52 || !is_elf(ehdr)) throw DumpError(name + ": not an ELF file or its header is unreadable");
  ElfDumpLayout out;
  const auto ei_class = std::to_integer<int>(ehdr[4]);
  const auto ei_data = std::to_integer<int>(ehdr[5]);
  if (ei_class != 1 && ei_class != 2) throw DumpError(name + ": unknown ELF class " + std::to_string(ei_class));
  if (ei_data != 1) throw DumpError(name + ": only little-endian ELF dumps are supported");
  const ClassLayout& L = ei_class == 2 ? kElf64 : kElf32;
  out.elf_class = ei_class == 2 ? 64 : 32;
  if (got < L.ehdr_size) throw DumpError(name + ": ELF header is truncated");
  std::span<const std::byte> eh(ehdr.data(), got);
  if (load_le<std::uint16_t>(eh, 16) != kEtCore) out.problems.push_back("ELF type is not ET_CORE; reading it anyway");
  out.machine = load_le<std::uint16_t>(eh, 18);
  const std::uint64_t phoff = load_addr(eh, L.phoff, L.wide);
  const std::uint64_t shoff = load_addr(eh, L.shoff, L.wide);
  const std::uint16_t phentsize = load_le<std::uint16_t>(eh, L.phentsize);
  std::uint64_t phnum = load_le<std::uint16_t>(eh, L.phnum);
  const std::uint16_t shnum = load_le<std::uint16_t>(eh, L.shnum);
  const std::uint64_t file_size = source.size();
  const std::uint64_t stored = std::min(file_size, source.stored_size());  // caps counts and allocations

  if (phnum == kPnXnum) {
    out.extended_numbering = true;
    std::array<std::byte, 64> sh0{};
    if (shoff == 0 || source.read_at(shoff, std::span(sh0.data(), L.shdr_size)) < L.shdr_size)
      throw DumpError(name + ": e_phnum is PN_XNUM but section header 0 is unreadable");
    phnum = load_le<std::uint32_t>(sh0, L.sh_info);
  }
  if (phentsize < L.phdr_size)
    throw DumpError(name + ": program header size " + std::to_string(phentsize) + " is too small");
  if (shoff != 0 && (shnum > 0 || out.extended_numbering) && shoff < phoff) out.section_headers_first = true;
  // Cap the count by what the file can hold before trusting it.
  const std::uint64_t room = phoff < stored ? (stored - phoff) / phentsize : 0;
  if (phnum > room) {
    out.problems.push_back("the header announces " + std::to_string(phnum) + " program headers but the file holds " +
                           std::to_string(room) + "; the rest were skipped");
    phnum = room;
  }
  out.program_headers = phnum;

  std::vector<std::pair<std::uint64_t, std::uint64_t>> note_ranges;
  std::uint64_t beyond_end = 0;  // segments whose data the file does not hold; the first few are listed
  constexpr std::uint64_t kChunk = 1024;
  std::vector<std::byte> buf(static_cast<std::size_t>(std::min<std::uint64_t>(phnum, kChunk) * phentsize));
  for (std::uint64_t first = 0; first < phnum; first += kChunk) {
    const std::uint64_t count = std::min(kChunk, phnum - first);
    const std::size_t want = static_cast<std::size_t>(count * phentsize);
    const std::size_t n = source.read_at(phoff + first * phentsize, std::span(buf.data(), want));
    const std::uint64_t complete = n / phentsize;
    for (std::uint64_t i = 0; i < complete; ++i) {
      std::span<const std::byte> ph(buf.data() + i * phentsize, L.phdr_size);
      const std::uint32_t type = load_le<std::uint32_t>(ph, L.p_type);
      const std::uint64_t offset = load_addr(ph, L.p_offset, L.wide);
      const std::uint64_t filesz = load_addr(ph, L.p_filesz, L.wide);
      const std::string which = "program header " + std::to_string(first + i);
      if (type == kPtLoad) {
        LoadSegment seg{load_addr(ph, L.p_paddr, L.wide), load_addr(ph, L.p_vaddr, L.wide), offset, filesz,
                        load_addr(ph, L.p_memsz, L.wide)};
        if (seg.mem_size == 0) continue;
        if (seg.file_size > seg.mem_size) {
          out.problems.push_back(which + ": p_filesz exceeds p_memsz; using p_memsz");
          seg.file_size = seg.mem_size;
        }
        if (seg.paddr + seg.mem_size < seg.paddr || seg.file_offset + seg.file_size < seg.file_offset) {
          out.problems.push_back(which + ": addresses wrap around; skipped");
          continue;
        }
        if (seg.file_size > 0 && seg.file_offset + seg.file_size > file_size && ++beyond_end <= kMaxListed) {
          const std::uint64_t held = seg.file_offset < file_size ? file_size - seg.file_offset : 0;
          out.problems.push_back(which + " (physical " + hex(seg.paddr) + "): data ends at " +
                                 hex(seg.file_offset + seg.file_size) + ", past the end of the file (" +
                                 hex(file_size) + "); physical " + hex(seg.paddr + held) + "-" +
                                 hex(seg.paddr + seg.file_size - 1) + " is missing and unreadable");
        }
        out.loads.push_back(seg);
      } else if (type == kPtNote) {
        if (offset >= stored || filesz > stored - offset || filesz > kMaxNoteBytes) {
          out.problems.push_back(which + ": PT_NOTE lies outside the file; skipped");
          continue;
        }
        note_ranges.emplace_back(offset, filesz);
      }
    }
    if (complete < count) {
      out.problems.push_back("program headers from " + std::to_string(first + complete) +
                             " on are unreadable; skipped");
      out.program_headers = first + complete;
      break;
    }
  }

  if (beyond_end > kMaxListed)
    out.problems.push_back("and " + std::to_string(beyond_end - kMaxListed) +
                           " more program headers with data past the end of the file");
  std::uint64_t note_total = 0;
  for (auto [offset, size] : note_ranges) {
    if ((note_total += size) > kMaxNoteBytes) {
      out.problems.push_back("notes exceed " + std::to_string(kMaxNoteBytes) + " bytes; the rest were skipped");
      break;
    }
    std::vector<std::byte> bytes(static_cast<std::size_t>(size));
    std::size_t n = source.read_at(offset, bytes);
    if (n < size) {
      out.problems.push_back("PT_NOTE at offset " + hex(offset) + " is truncated");
      bytes.resize(n);
    }
    auto notes = parse_elf_notes(bytes, out.problems);
    std::move(notes.begin(), notes.end(), std::back_inserter(out.notes));
  }
  return out;
}

}  // namespace kdump
