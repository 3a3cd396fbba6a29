#include "cli/info_command.h"

#include <doctest/doctest.h>

#include <sstream>

#include "io/memory_source.h"
#include "support/elf_vmcore_builder.h"

namespace kdump::cli {
namespace {

using test::ElfVmcoreBuilder;

std::unique_ptr<Dump> sample(bool truncated) {
  ElfVmcoreBuilder b;
  b.loads.push_back({0x1000000, 0xffffffff81000000ull, std::vector<std::byte>(0x2000), 0});
  b.loads.push_back({0, 0xffff888000000000ull, std::vector<std::byte>(0x1000), 0x9f000});
  b.loads.push_back({0x1000000, 0xffff888001000000ull, std::vector<std::byte>(0x2000), 0});
  b.notes = {test::prstatus_note(),
             test::vmcoreinfo_note("OSRELEASE=6.1.0-13-amd64\nBUILD-ID=abc123\nPAGESIZE=4096\nKERNELOFFSET=1c000000\n"
                                   "CRASHTIME=1700000000\nNUMBER(phys_base)=0\nNUMBER(pgtable_l5_enabled)=0\n"
                                   "\"quoted\"\n")};
  auto bytes = b.build();
  if (truncated) bytes.resize(bytes.size() - 0x1000);
  return Dump::open(std::make_unique<MemorySource>(std::move(bytes), "/var/crash/vmcore"));
}

TEST_CASE("info: text view") {
  std::ostringstream out;
  write_info_text(*sample(true), out);
  CHECK(out.str() ==
        "dump:            /var/crash/vmcore\n"
        "format:          ELF64\n"
        "machine:         x86_64\n"
        "kernel release:  6.1.0-13-amd64\n"
        "crash time:      2023-11-14 22:13:20 UTC\n"
        "page size:       4096\n"
        "CPUs:            1\n"
        "VMCOREINFO:      present, 7 keys, build id abc123, KERNELOFFSET 0x1c000000\n"
        "memory:          2 ranges, 644.0 KiB\n"
        "  0x0000000000000000-0x000000000009efff  636.0 KiB\n"
        "  0x0000000001000000-0x0000000001001fff  8.0 KiB\n"
        "phys_base:       0x0 (from VMCOREINFO NUMBER(phys_base))\n"
        "direct map:      0xffff888000000000 (from the PT_LOADs of the direct map)\n"
        "page table:      unknown\n"
        "paging:          4-level (from VMCOREINFO NUMBER(pgtable_l5_enabled))\n"
        "features:\n"
        "  4 program headers, 3 PT_LOAD\n"
        "  PT_LOADs with p_filesz < p_memsz (the rest reads as zeros)\n"
        "  1 NT_PRSTATUS notes\n"
        "  VMCOREINFO note\n"
        "problems:\n"
        "  program header 3 (physical 0x1000000): data ends at 0x6000, past the end of the file (0x5000); physical "
        "0x1001000-0x1001fff is missing and unreadable\n"
        "  VMCOREINFO line is not KEY=value: \"quoted\"\n");
}

TEST_CASE("info: JSON view") {
  std::ostringstream out;
  write_info_json(*sample(false), out);
  CHECK(out.str() ==
        "{\n"
        "  \"dump\": \"/var/crash/vmcore\",\n"
        "  \"format\": \"ELF64\",\n"
        "  \"flattened\": false,\n"
        "  \"machine\": \"x86_64\",\n"
        "  \"kernel_release\": \"6.1.0-13-amd64\",\n"
        "  \"crash_time\": 1700000000,\n"
        "  \"page_size\": 4096,\n"
        "  \"cpus\": 1,\n"
        "  \"vmcoreinfo\": true,\n"
        "  \"build_id\": \"abc123\",\n"
        "  \"kernel_offset\": \"0x1c000000\",\n"
        "  \"memory_ranges\": [{\"start\": 0, \"size\": 651264}, {\"start\": 16777216, \"size\": 8192}],\n"
        "  \"x86_64\": {\"phys_base\": \"0x0\", \"page_offset\": \"0xffff888000000000\", "
        "\"page_table\": null, "
        "\"five_level\": false},\n"
        "  \"features\": [\"4 program headers, 3 PT_LOAD\", \"PT_LOADs with p_filesz < p_memsz (the rest reads as "
        "zeros)\", \"1 NT_PRSTATUS notes\", \"VMCOREINFO note\"],\n"
        "  \"problems\": [\"VMCOREINFO line is not KEY=value: \\\"quoted\\\"\"]\n"
        "}\n");
}

}  // namespace
}  // namespace kdump::cli
