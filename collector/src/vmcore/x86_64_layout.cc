#include "vmcore/x86_64_layout.h"

// Each fact is taken from the most direct source available, in order:
//   phys_base:   NUMBER(phys_base) (kernels since 4.10), the PT_LOAD that maps
//                the kernel text (/proc/vmcore has one: pa - (va - __START_KERNEL_map)),
//                the kdump sub-header (makedumpfile and QEMU fill it in).
//   top table:   SYMBOL(init_top_pgt), older SYMBOL(init_level4_pgt) or
//                SYMBOL(swapper_pg_dir), through the text mapping; else the
//                saved CR3 (QEMU dumps), with PCID and flag bits removed.
//   levels:      NUMBER(pgtable_l5_enabled); else CR4.LA57 (bit 12).
//   page_offset: NUMBER(page_offset_base) if a kernel exports it, the value of
//                SYMBOL(page_offset_base); else the page tables themselves:
//                the lowest 1 GiB-aligned kernel address that maps physical 0
//                (and 1 MiB at +1 MiB), found by a scan of at most
//                kMaxScanTables table pages; last, the virtual-minus-physical
//                delta covering most bytes among PT_LOADs in the direct-map
//                region. The PT_LOADs rank last because kexec-tools writes
//                them from the first kernel's view (/proc/kcore), while the
//                page tables are the crashed kernel's own; when the two
//                disagree it is reported. It is randomized under KASLR, so no default is
//                guessed: without it the page walk translates direct-map
//                addresses.
// Every source records its name so `info` can show where a number came from.

#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>

namespace kdump {
namespace {

constexpr std::uint64_t kKernelSpaceLow = 0xff00000000000000ull;  // below every x86_64 kernel region
constexpr std::uint64_t kCr4La57 = 1ull << 12;
constexpr std::uint64_t kMaxKernelImage = 1ull << 30;  // KERNEL_IMAGE_SIZE with KASLR
constexpr std::uint64_t kCr3Frame = 0x000ffffffffff000ull;

std::optional<std::uint64_t> read_u64(X86_64Translator& t, PhysicalMemory& memory, std::uint64_t vaddr) {
  auto tr = t.translate(vaddr);
  if (!tr) return std::nullopt;
  std::array<std::byte, 8> raw{};
  if (memory.read(tr->paddr, raw) < raw.size()) return std::nullopt;
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(raw[static_cast<std::size_t>(i)]);
  return v;
}

constexpr int kMaxScanTables = 512;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#" PRIx64, v);
  return buf;
}

std::uint64_t sign_extend(std::uint64_t va, bool five_level) {
  const unsigned shift = 64 - (five_level ? 57 : 48);
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(va << shift) >> shift);
}

// Depth-first over present entries of the kernel half down to the PUD level,
// lowest address first; each PUD-aligned address with a present entry is a
// candidate base of the direct map.
std::optional<std::uint64_t> scan_for_direct_map(X86_64Translator& t, PhysicalMemory& memory, std::uint64_t table,
                                                 int level, std::uint64_t prefix, std::uint64_t frame_mask,
                                                 bool five_level, int& budget) {
  if (--budget < 0) return std::nullopt;
  std::array<std::byte, 4096> page{};
  if (memory.read(table, page) < page.size()) return std::nullopt;
  const unsigned shift = 12 + 9 * static_cast<unsigned>(level - 1);
  const bool top = level == (five_level ? 5 : 4);
  for (std::uint64_t i = top ? 256 : 0; i < 512; ++i) {
    std::uint64_t entry = 0;
    for (int b = 7; b >= 0; --b) entry = (entry << 8) | std::to_integer<std::uint64_t>(page[i * 8 + static_cast<std::size_t>(b)]);
    if (!(entry & 1)) continue;
    const std::uint64_t va = sign_extend(prefix | (i << shift), five_level);
    if (level == 3) {
      auto zero = t.walk(va);
      auto mib = t.walk(va + 0x100000);
      if (zero && zero->paddr == 0 && mib && mib->paddr == 0x100000) return va;
      continue;
    }
    if (entry & (1u << 7)) continue;  // a large page above the PUD level is not valid
    if (auto found = scan_for_direct_map(t, memory, entry & frame_mask, level - 1, prefix | (i << shift), frame_mask,
                                         five_level, budget))
      return found;
    if (budget < 0) break;
  }
  return std::nullopt;
}

}  // namespace

X86_64Layout derive_x86_64_layout(const LayoutClues& clues, PhysicalMemory& memory) {
  static const VmcoreInfo kEmpty;
  const VmcoreInfo& vi = clues.vmcoreinfo ? *clues.vmcoreinfo : kEmpty;
  X86_64Layout l;

  if (auto v = vi.number("KERNEL_IMAGE_SIZE"); v && *v > 0 && static_cast<std::uint64_t>(*v) <= (1ull << 31))
    l.kernel_image_size = static_cast<std::uint64_t>(*v);
  if (auto v = vi.number("sme_mask")) l.sme_mask = static_cast<std::uint64_t>(*v);

  if (auto v = vi.number("pgtable_l5_enabled")) {
    l.five_level = *v != 0;
    l.levels_from = "VMCOREINFO NUMBER(pgtable_l5_enabled)";
  } else if (clues.cr4) {
    l.five_level = (*clues.cr4 & kCr4La57) != 0;
    l.levels_from = "CR4.LA57 of the saved CPU state";
  } else {
    l.levels_from = "default (no VMCOREINFO NUMBER(pgtable_l5_enabled), no CR4)";
  }

  if (auto v = vi.number("phys_base")) {
    l.phys_base = static_cast<std::uint64_t>(*v);
    l.phys_base_from = "VMCOREINFO NUMBER(phys_base)";
  } else if (clues.loads) {
    // The kernel image is the lowest mapping in the text band; modules sit
    // above it. The band is 1 GiB under KASLR (KERNEL_IMAGE_SIZE), which is
    // unknown without VMCOREINFO, so the widest band is searched.
    const LoadSegment* text = nullptr;
    for (const auto& seg : *clues.loads)
      if (seg.vaddr >= kStartKernelMap && seg.vaddr - kStartKernelMap < kMaxKernelImage &&
          (!text || seg.vaddr < text->vaddr))
        text = &seg;
    if (text) {
      l.phys_base = text->paddr - (text->vaddr - kStartKernelMap);
      l.phys_base_from = "the PT_LOAD of the kernel text";
      if (text->vaddr - kStartKernelMap >= l.kernel_image_size) l.kernel_image_size = kMaxKernelImage;
    }
  }
  if (!l.phys_base && clues.header_phys_base) {
    l.phys_base = *clues.header_phys_base;
    l.phys_base_from = "the kdump sub-header";
  }

  static constexpr const char* kTopSymbols[] = {"init_top_pgt", "init_level4_pgt", "swapper_pg_dir"};
  if (l.phys_base) {
    for (const char* name : kTopSymbols) {
      auto sym = vi.symbol(name);
      if (sym && *sym >= kStartKernelMap && *sym - kStartKernelMap < l.kernel_image_size) {
        l.top_table = *sym - kStartKernelMap + *l.phys_base;
        l.top_table_from = std::string("VMCOREINFO SYMBOL(") + name + ")";
        break;
      }
    }
  }
  if (!l.top_table && clues.cr3) {
    l.top_table = *clues.cr3 & kCr3Frame & ~l.sme_mask;
    l.top_table_from = "CR3 of the saved CPU state";
  }

  if (auto v = vi.number("page_offset_base")) {
    l.page_offset = static_cast<std::uint64_t>(*v);
    l.page_offset_from = "VMCOREINFO NUMBER(page_offset_base)";
  } else if (auto sym = vi.symbol("page_offset_base")) {
    X86_64Translator t(memory, l);
    if (auto v = read_u64(t, memory, *sym); v && *v >= kKernelSpaceLow) {
      l.page_offset = *v;
      l.page_offset_from = "the kernel variable page_offset_base";
    }
  }
  std::optional<std::uint64_t> from_loads;
  if (clues.loads) {
    std::map<std::uint64_t, std::uint64_t> bytes_by_delta;
    for (const auto& seg : *clues.loads)
      if (seg.vaddr >= kKernelSpaceLow && seg.vaddr < kStartKernelMap && seg.vaddr >= seg.paddr)
        bytes_by_delta[seg.vaddr - seg.paddr] += seg.mem_size;
    std::uint64_t best = 0;
    for (auto [delta, bytes] : bytes_by_delta) {
      if (bytes > best) {
        best = bytes;
        from_loads = delta;
      }
    }
  }
  if (!l.page_offset && l.top_table) {
    X86_64Translator t(memory, l);
    int budget = kMaxScanTables;
    if (auto base = scan_for_direct_map(t, memory, *l.top_table & kCr3Frame & ~l.sme_mask, l.five_level ? 5 : 4, 0,
                                        kCr3Frame & ~l.sme_mask, l.five_level, budget)) {
      l.page_offset = *base;
      l.page_offset_from = "the page tables (the kernel address mapping physical 0)";
      if (from_loads && *from_loads != *base)
        l.problems.push_back("the PT_LOADs' virtual addresses put the direct map at " + hex(*from_loads) +
                             " but the page tables at " + hex(*base) + "; using the page tables");
    }
  }
  if (!l.page_offset && from_loads) {
    l.page_offset = from_loads;
    l.page_offset_from = "the PT_LOADs of the direct map";
  }
  if (auto sym = vi.symbol("vmemmap_base")) {
    X86_64Translator t(memory, l);
    if (auto v = read_u64(t, memory, *sym)) l.vmemmap_base = *v;
  }
  return l;
}

}  // namespace kdump
