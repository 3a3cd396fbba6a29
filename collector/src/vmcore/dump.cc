#include "vmcore/dump.h"

// Format detection looks at the first bytes only: "makedumpfile" (flattened,
// whose rebuilt contents are then detected again), "KDUMP   " or the ELF
// magic. Each format reader yields PhysicalMemory plus notes and VMCOREINFO;
// the x86_64 layout is then derived from whatever clues exist, and virtual
// reads go through the translator page by page. Problems from every layer are
// gathered in one list so `info` can show what was skipped.

#include <array>

#include "io/file_source.h"
#include "vmcore/dump_error.h"
#include "vmcore/elf_dump.h"
#include "vmcore/flattened_source.h"
#include "vmcore/kdump_compressed.h"
#include "vmcore/segment_map.h"
#include "vmcore/x86_64_layout.h"

namespace kdump {
namespace {

constexpr std::uint16_t kEmX86_64 = 62;
constexpr std::uint16_t kEm386 = 3;

std::string machine_name(std::uint16_t machine) {
  switch (machine) {
    case kEmX86_64: return "x86_64";
    case kEm386: return "i386";
    default: return "ELF machine " + std::to_string(machine);
  }
}

// A garbled VMCOREINFO line is shown escaped (\xNN) and cut short: it goes to
// a terminal or a JSON string.
std::string shown_line(const std::string& line) {
  constexpr std::size_t kMaxShown = 80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < line.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (line.size() > kMaxShown) out += "...";
  return out;
}

constexpr std::size_t kBadLinesShown = 3;

}  // namespace

Dump::~Dump() = default;

std::unique_ptr<Dump> Dump::open(const std::string& path) { return open(std::make_unique<FileSource>(path)); }

std::unique_ptr<Dump> Dump::open(std::unique_ptr<ByteSource> source) {
  std::unique_ptr<Dump> dump(new Dump());
  dump->file_ = std::move(source);
  ByteSource* src = dump->file_.get();
  std::array<std::byte, 16> head{};
  std::size_t got = src->read_at(0, head);
  std::span<const std::byte> h(head.data(), got);
  if (got == 0) throw DumpError(src->name() + ": empty or unreadable");
  if (FlattenedSource::detect(h)) {
    auto flat = std::make_unique<FlattenedSource>(*src);
    dump->description_.flattened = true;
    for (const auto& p : flat->problems()) dump->description_.problems.push_back("flattened: " + p);
    dump->flattened_ = std::move(flat);
    src = dump->flattened_.get();
    got = src->read_at(0, head);
    h = std::span<const std::byte>(head.data(), got);
  }
  if (KdumpCompressed::detect(h)) {
    dump->open_kdump(*src);
  } else if (is_elf(h)) {
    dump->open_elf(*src);
  } else {
    throw DumpError(src->name() + ": not a crash dump (no ELF, kdump-compressed or flattened signature)");
  }
  return dump;
}

void Dump::open_elf(ByteSource& source) {
  ElfDumpLayout elf = read_elf_dump(source);
  DumpDescription& d = description_;
  d.format = elf.elf_class == 64 ? "ELF64" : "ELF32";
  d.machine = machine_name(elf.machine);
  d.features.push_back(std::to_string(elf.program_headers) + " program headers, " + std::to_string(elf.loads.size()) +
                       " PT_LOAD");
  if (elf.extended_numbering) d.features.push_back("extended program header numbering (e_phnum = PN_XNUM)");
  if (elf.section_headers_first) d.features.push_back("section headers before program headers (QEMU layout)");
  bool zero_fill = false, has_vaddr = false;
  for (const auto& seg : elf.loads) {
    zero_fill |= seg.file_size < seg.mem_size;
    has_vaddr |= seg.vaddr != 0;
  }
  if (zero_fill) d.features.push_back("PT_LOADs with p_filesz < p_memsz (the rest reads as zeros)");
  if (!has_vaddr && !elf.loads.empty()) d.features.push_back("PT_LOADs carry no virtual addresses");
  for (auto& p : elf.problems) d.problems.push_back(std::move(p));
  NoteSummary notes = summarize_notes(elf.notes, d.problems);
  d.cpus = notes.prstatus_count ? notes.prstatus_count : notes.qemu_cpu_count;
  if (notes.prstatus_count) d.features.push_back(std::to_string(notes.prstatus_count) + " NT_PRSTATUS notes");
  if (notes.qemu_cpu_count) d.features.push_back(std::to_string(notes.qemu_cpu_count) + " QEMU CPU state notes");
  if (notes.vmcoreinfo) {
    vmcoreinfo_ = VmcoreInfo::parse(*notes.vmcoreinfo);
    has_vmcoreinfo_ = true;
    d.features.push_back("VMCOREINFO note");
  }
  physical_ = std::make_unique<SegmentMap>(source, elf.loads);
  finish(elf.machine == kEmX86_64, &elf.loads, std::nullopt, notes.cr3, notes.cr4);
}

void Dump::open_kdump(ByteSource& source) {
  auto kdump = std::make_unique<KdumpCompressed>(source);
  const KdumpHeader& h = kdump->header();
  DumpDescription& d = description_;
  d.format = "kdump-compressed";
  d.machine = h.machine;
  d.page_size = h.block_size;
  d.kernel_release = h.release;
  if (h.timestamp_sec != 0) d.crash_time = h.timestamp_sec;
  d.features.push_back("header version " + std::to_string(h.header_version) + ", dump level " +
                       std::to_string(h.dump_level) + ", " + std::to_string(kdump->dumped_pages()) + " of " +
                       std::to_string(h.max_mapnr) + " pages dumped");
  // The header's status names the codec makedumpfile or QEMU used (diskdump_mod.h DUMP_DH_COMPRESSED_*).
  struct StatusFlag {
    std::uint32_t bit;
    const char* codec;
  };
  static constexpr StatusFlag kCodecs[] = {{0x1, "zlib"}, {0x2, "lzo"}, {0x4, "snappy"}, {0x20, "zstd"}};
  std::string codecs;
  for (const auto& c : kCodecs)
    if (h.status & c.bit) codecs += (codecs.empty() ? "" : ", ") + std::string(c.codec);
  d.features.push_back(codecs.empty() ? "pages stored uncompressed" : "pages compressed with " + codecs);
  for (const auto& p : kdump->problems()) d.problems.push_back(p);
  NoteSummary notes = summarize_notes(kdump->notes(), d.problems);
  d.cpus = notes.prstatus_count ? notes.prstatus_count : notes.qemu_cpu_count;
  if (d.cpus == 0 && h.nr_cpus > 0) d.cpus = static_cast<unsigned>(h.nr_cpus);
  if (notes.prstatus_count) d.features.push_back(std::to_string(notes.prstatus_count) + " NT_PRSTATUS notes");
  if (notes.qemu_cpu_count) d.features.push_back(std::to_string(notes.qemu_cpu_count) + " QEMU CPU state notes");
  const auto& text = kdump->vmcoreinfo_text() ? kdump->vmcoreinfo_text() : notes.vmcoreinfo;
  if (text) {
    vmcoreinfo_ = VmcoreInfo::parse(*text);
    has_vmcoreinfo_ = true;
    d.features.push_back("VMCOREINFO");
  }
  const std::optional<std::uint64_t> phys_base = h.header_version >= 1 ? std::optional(h.phys_base) : std::nullopt;
  const bool x86_64 = h.machine == "x86_64";
  physical_ = std::move(kdump);
  finish(x86_64, nullptr, phys_base, notes.cr3, notes.cr4);
}

void Dump::finish(bool is_x86_64, const std::vector<LoadSegment>* loads, std::optional<std::uint64_t> header_phys_base,
                  std::optional<std::uint64_t> cr3, std::optional<std::uint64_t> cr4) {
  DumpDescription& d = description_;
  if (has_vmcoreinfo_) {
    if (auto r = vmcoreinfo_.osrelease()) d.kernel_release = r;
    if (auto t = vmcoreinfo_.crash_time()) d.crash_time = t;
    if (auto p = vmcoreinfo_.page_size(); p && d.format != "kdump-compressed") d.page_size = *p;
    const auto& bad = vmcoreinfo_.bad_lines();
    for (std::size_t i = 0; i < bad.size() && i < kBadLinesShown; ++i)
      d.problems.push_back("VMCOREINFO line is not KEY=value: " + shown_line(bad[i]));
    if (bad.size() > kBadLinesShown)
      d.problems.push_back("and " + std::to_string(bad.size() - kBadLinesShown) +
                           " more VMCOREINFO lines that are not KEY=value (a damaged note?)");
  } else {
    d.problems.push_back("the dump has no VMCOREINFO: kernel symbols and structure layouts are unknown");
  }
  if (is_x86_64) {
    LayoutClues clues{has_vmcoreinfo_ ? &vmcoreinfo_ : nullptr, loads, header_phys_base, cr3, cr4};
    translator_.emplace(*physical_, derive_x86_64_layout(clues, *physical_));
    const X86_64Layout& l = translator_->layout();
    for (const auto& p : l.problems) d.problems.push_back(p);
    if (!l.phys_base && !l.page_offset && !l.top_table)
      d.problems.push_back("kernel virtual addresses cannot be translated: no phys_base, direct map or page table found");
  }
}

std::size_t Dump::read_physical(std::uint64_t paddr, std::span<std::byte> out) { return physical_->read(paddr, out); }

std::size_t Dump::read_virtual(std::uint64_t vaddr, std::span<std::byte> out) {
  if (!translator_) return 0;
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t va = vaddr + done;
    if (va < vaddr) break;
    auto t = translator_->translate(va);
    if (!t) break;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, t->contiguous));
    const std::size_t got = physical_->read(t->paddr, out.subspan(done, n));
    done += got;
    if (got < n) break;
  }
  return done;
}

}  // namespace kdump
