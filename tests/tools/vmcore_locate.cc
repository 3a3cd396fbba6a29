// vmcore_locate: where in an ELF vmcore file a kernel structure lies, for
// end-to-end tests that damage copies of real dumps on purpose.
//
//   vmcore_locate mem-map DUMP FIRST_PFN COUNT
//       the file bytes holding the struct pages of pfns [FIRST_PFN,
//       FIRST_PFN + COUNT), one "OFFSET LENGTH" line (decimal) per
//       physically contiguous piece present in the file
//   vmcore_locate vmcoreinfo DUMP
//       "OFFSET LENGTH" of the VMCOREINFO note's text
//
// The struct pages are found as the collector finds them (VMCOREINFO's
// section table, the x86_64 page tables), so a test damages exactly what the
// page filter reads. Exits 1 when the structure cannot be found.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "filter/mem_map.h"
#include "io/file_source.h"
#include "vmcore/dump.h"
#include "vmcore/elf_dump.h"
#include "vmcore/segment_map.h"
#include "vmcore/x86_64_translator.h"

namespace {

// The file offset of physical address `paddr` and how many bytes from there
// on the same PT_LOAD holds; segments listed first win, as in SegmentMap.
bool file_offset(const std::vector<kdump::LoadSegment>& loads, std::uint64_t paddr, std::uint64_t& offset,
                 std::uint64_t& left) {
  for (const auto& l : loads) {
    if (paddr >= l.paddr && paddr < l.paddr + l.file_size) {
      offset = l.file_offset + (paddr - l.paddr);
      left = l.file_size - (paddr - l.paddr);
      return true;
    }
  }
  return false;
}

int mem_map(const char* path, std::uint64_t first_pfn, std::uint64_t count) {
  kdump::FileSource file(path);
  const kdump::ElfDumpLayout layout = kdump::read_elf_dump(file);
  auto dump = kdump::Dump::open(path);
  if (dump->x86_64_layout() == nullptr) throw std::runtime_error("not an x86_64 dump");
  kdump::SegmentMap physical(file, layout.loads);
  kdump::X86_64Translator translator(physical, *dump->x86_64_layout());
  const kdump::MemMap map = kdump::MemMap::load(*dump);
  auto start = map.page_address(first_pfn);
  if (!start) throw std::runtime_error("no struct page for pfn " + std::to_string(first_pfn));
  std::uint64_t va = *start;
  const std::uint64_t end = va + count * map.struct_page_size();
  int pieces = 0;
  while (va < end) {
    auto t = translator.translate(va);
    if (!t) throw std::runtime_error("struct page address " + std::to_string(va) + " is not mapped");
    std::uint64_t offset = 0, left = 0;
    const std::uint64_t n = std::min(end - va, t->contiguous);
    if (n == 0) throw std::runtime_error("empty translation at " + std::to_string(va));
    if (file_offset(layout.loads, t->paddr, offset, left)) {
      std::printf("%llu %llu\n", static_cast<unsigned long long>(offset),
                  static_cast<unsigned long long>(std::min(n, left)));
      ++pieces;
    }
    va += std::min(n, left ? left : n);
  }
  return pieces > 0 ? 0 : 1;
}

int vmcoreinfo(const char* path) {
  kdump::FileSource file(path);
  const kdump::ElfDumpLayout layout = kdump::read_elf_dump(file);
  for (const auto& n : layout.notes) {
    if (n.name != "VMCOREINFO" || n.desc.empty()) continue;
    // The notes come first in the file: look for the note's text there.
    std::vector<std::byte> head(std::min<std::uint64_t>(file.size(), 1 << 20));
    head.resize(file.read_at(0, head));
    auto at = std::search(head.begin(), head.end(), n.desc.begin(), n.desc.end());
    if (at == head.end()) break;
    std::printf("%lld %zu\n", static_cast<long long>(at - head.begin()), n.desc.size());
    return 0;
  }
  std::fprintf(stderr, "vmcore_locate: no VMCOREINFO note in the first MiB of %s\n", path);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 5 && std::strcmp(argv[1], "mem-map") == 0)
      return mem_map(argv[2], std::strtoull(argv[3], nullptr, 0), std::strtoull(argv[4], nullptr, 0));
    if (argc == 3 && std::strcmp(argv[1], "vmcoreinfo") == 0) return vmcoreinfo(argv[2]);
    std::fprintf(stderr, "usage: vmcore_locate mem-map DUMP FIRST_PFN COUNT | vmcore_locate vmcoreinfo DUMP\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vmcore_locate: error: %s\n", e.what());
    return 1;
  }
}
