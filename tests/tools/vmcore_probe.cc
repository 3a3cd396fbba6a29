// vmcore_probe: checks the engine's address translation against a dump's own
// claims, for end-to-end tests on real dumps.
//
//   vmcore_probe check-vaddrs DUMP
//
// For every PT_LOAD that names a virtual address (QEMU's paging dumps name
// one per mapping, /proc/vmcore for the kernel text and the direct map),
// reads up to one page through the engine's kernel-virtual translation and
// the same bytes by physical address, and counts agreements. Prints
// "checked N agreed A differed D unreadable U"; exits 1 if any differed or
// nothing could be checked.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "io/file_source.h"
#include "vmcore/dump.h"
#include "vmcore/elf_dump.h"

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "check-vaddrs") != 0) {
    std::fprintf(stderr, "usage: vmcore_probe check-vaddrs DUMP\n");
    return 2;
  }
  try {
    kdump::FileSource file(argv[2]);
    const kdump::ElfDumpLayout layout = kdump::read_elf_dump(file);
    auto dump = kdump::Dump::open(argv[2]);
    std::vector<std::byte> via_va(4096), via_pa(4096);
    unsigned long checked = 0, agreed = 0, differed = 0, unreadable = 0;
    for (const auto& seg : layout.loads) {
      if (seg.vaddr == 0 || seg.file_size == 0) continue;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(seg.file_size, 4096));
      ++checked;
      const std::size_t a = dump->read_virtual(seg.vaddr, std::span(via_va.data(), n));
      const std::size_t b = dump->read_physical(seg.paddr, std::span(via_pa.data(), n));
      if (a != n || b != n) {
        ++unreadable;
      } else if (std::memcmp(via_va.data(), via_pa.data(), n) == 0) {
        ++agreed;
      } else if (++differed <= 5) {
        std::fprintf(stderr, "differs: vaddr %#llx paddr %#llx\n", static_cast<unsigned long long>(seg.vaddr),
                     static_cast<unsigned long long>(seg.paddr));
      }
    }
    std::printf("checked %lu agreed %lu differed %lu unreadable %lu\n", checked, agreed, differed, unreadable);
    return differed == 0 && agreed > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vmcore_probe: error: %s\n", e.what());
    return 1;
  }
}
