#include "vmcore/dump.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "io/memory_source.h"
#include "support/elf_vmcore_builder.h"
#include "support/kdump_builder.h"
#include "vmcore/dump_error.h"

namespace kdump {
namespace {

using test::bytes_of;
using test::ElfVmcoreBuilder;
using test::PageTableBuilder;
using test::PhysImage;

constexpr std::uint64_t kText = 0xffffffff81000000ull;
constexpr std::uint64_t kDirect4 = 0xffff888000000000ull;
constexpr std::uint64_t kDirect5 = 0xff11000000000000ull;
constexpr std::uint64_t kVmalloc5 = 0xffa0000000000000ull;
constexpr std::uint64_t kMemSize = 0x400000;  // 4 MiB of "RAM"

std::unique_ptr<Dump> open_bytes(std::vector<std::byte> bytes, std::string name = "vmcore") {
  return Dump::open(std::make_unique<MemorySource>(std::move(bytes), std::move(name)));
}

std::string read_virtual(Dump& d, std::uint64_t va, std::size_t n) {
  std::string s(n, '?');
  s.resize(d.read_virtual(va, std::as_writable_bytes(std::span(s))));
  return s;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

TEST_CASE("Dump: /proc/vmcore layout, translation by arithmetic from the PT_LOADs") {
  PhysImage image;
  image.put_string(0x1000000 + 0x10, "kernel text");   // phys_base 0 + 16 MiB
  image.put_string(0x200000, "direct map data");
  ElfVmcoreBuilder b;
  // The kernel's crash ELF header: one text segment, then RAM through the direct map.
  b.loads.push_back({0x1000000, kText, image.slice(0x1000000, 0x200000), 0});
  b.loads.push_back({0, kDirect4, image.slice(0, 0x1000000), 0});
  b.loads.push_back({0x1000000, kDirect4 + 0x1000000, image.slice(0x1000000, 0x200000), 0});
  b.notes = {test::prstatus_note(), test::prstatus_note(),
             test::vmcoreinfo_note("OSRELEASE=6.1.0-13-amd64\nPAGESIZE=4096\nCRASHTIME=1700000000\n"
                                   "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n")};
  auto dump = open_bytes(b.build());
  const auto& d = dump->description();
  CHECK(d.format == "ELF64");
  CHECK(d.machine == "x86_64");
  CHECK(d.cpus == 2);
  CHECK(d.kernel_release == "6.1.0-13-amd64");
  CHECK(d.crash_time == 1700000000);
  CHECK(dump->has_vmcoreinfo());
  const X86_64Layout* l = dump->x86_64_layout();
  REQUIRE(l);
  CHECK(l->phys_base == 0u);
  CHECK(l->phys_base_from == "the PT_LOAD of the kernel text");
  CHECK(l->page_offset == kDirect4);
  CHECK(l->page_offset_from == "the PT_LOADs of the direct map");
  CHECK_FALSE(l->top_table.has_value());
  CHECK(read_virtual(*dump, kText + 0x10, 11) == "kernel text");
  CHECK(read_virtual(*dump, kDirect4 + 0x200000, 15) == "direct map data");
  CHECK(read_virtual(*dump, kDirect4 + 0x1200000 - 2, 8).size() == 2);  // RAM ends
  CHECK(dump->ranges().size() == 1);
  CHECK(dump->ranges()[0].size == 0x1200000);
}

TEST_CASE("Dump: QEMU ELF without virtual addresses, 5-level walk from VMCOREINFO") {
  PhysImage image;
  PageTableBuilder pt(image, true, 0x300000);
  const std::uint64_t phys_base = 0x100000;  // text loaded 1 MiB higher than linked
  // init_top_pgt lives in the kernel image; point the symbol at the table we built.
  const std::uint64_t top_va = kStartKernelMap + (pt.root() - phys_base);
  pt.map_2m(kDirect5, 0);                                  // first 2 MiB of RAM
  pt.map_4k(kVmalloc5, 0x1ff000);                          // a vmalloc area of three pages,
  pt.map_4k(kVmalloc5 + 0x1000, 0x250000);                 // physically out of order
  pt.map_4k(kVmalloc5 + 0x2000, 0x240000);
  image.put_string(0x1ffffc, "abcd");
  image.put_string(0x250000, "efgh");
  image.put_string(0x250ffc, "EFGH");
  image.put_string(0x240000, "ijkl");
  std::string vmcoreinfo = "OSRELEASE=6.1\nNUMBER(pgtable_l5_enabled)=1\nNUMBER(phys_base)=" + std::to_string(phys_base) +
                           "\nSYMBOL(init_top_pgt)=" + [&] {
                             char buf[32];
                             std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(top_va));
                             return std::string(buf);
                           }() + "\n";
  ElfVmcoreBuilder b;
  b.sections_first = true;
  b.loads.push_back({0, 0, image.slice(0, kMemSize), 0});
  b.notes = {test::prstatus_note(), test::qemu_cpu_note(0, 0), test::vmcoreinfo_note(vmcoreinfo)};
  auto dump = open_bytes(b.build());
  const X86_64Layout* l = dump->x86_64_layout();
  REQUIRE(l);
  CHECK(l->five_level);
  CHECK(l->levels_from == "VMCOREINFO NUMBER(pgtable_l5_enabled)");
  CHECK(l->top_table == pt.root());
  CHECK(l->top_table_from == "VMCOREINFO SYMBOL(init_top_pgt)");
  CHECK(l->page_offset == kDirect5);
  CHECK(l->page_offset_from == "the page tables (the kernel address mapping physical 0)");
  CHECK(read_virtual(*dump, kDirect5 + 0x1ffffc, 4) == "abcd");   // arithmetic
  CHECK(read_virtual(*dump, kVmalloc5 + 0xffc, 8) == "abcdefgh");  // page walk
  CHECK(read_virtual(*dump, kVmalloc5 + 0x1ffc, 8) == "EFGHijkl");
  CHECK(read_virtual(*dump, kVmalloc5 + 0x2ffc, 8) == std::string(4, '\0'));  // stops where the mapping ends
  const auto& features = dump->description().features;
  CHECK(std::find(features.begin(), features.end(), "section headers before program headers (QEMU layout)") !=
        features.end());
  CHECK(std::find(features.begin(), features.end(), "PT_LOADs carry no virtual addresses") != features.end());
}

TEST_CASE("Dump: QEMU ELF without VMCOREINFO walks from the saved CR3") {
  PhysImage image;
  PageTableBuilder pt(image, false, 0x300000);
  pt.map_1g(kDirect4, 0);
  image.put_string(0x123456, "found");
  ElfVmcoreBuilder b;
  b.loads.push_back({0, 0, image.slice(0, kMemSize), 0});
  b.notes = {test::qemu_cpu_note(pt.root() | 0x801, 0)};  // PCID bits in CR3
  auto dump = open_bytes(b.build());
  CHECK_FALSE(dump->has_vmcoreinfo());
  CHECK(dump->description().cpus == 1);
  CHECK(joined(dump->description().problems) ==
        "the dump has no VMCOREINFO: kernel symbols and structure layouts are unknown\n");
  CHECK(dump->x86_64_layout()->top_table_from == "CR3 of the saved CPU state");
  CHECK(dump->x86_64_layout()->page_offset == kDirect4);
  CHECK(read_virtual(*dump, kDirect4 + 0x123456, 5) == "found");
  CHECK_THROWS_WITH_AS(dump->vmcoreinfo().require_symbol("prb"), "VMCOREINFO lacks SYMBOL(prb)", MissingVmcoreinfo);
}

TEST_CASE("Dump: page tables outrank PT_LOAD virtual addresses, and a disagreement is reported") {
  PhysImage image;
  PageTableBuilder pt(image, false, 0x300000);
  const std::uint64_t real_direct = 0xffff8a14c0000000ull;
  pt.map_1g(real_direct, 0);
  image.put_string(0x100010, "real");
  char sym[64];
  std::snprintf(sym, sizeof sym, "SYMBOL(init_top_pgt)=%llx\n",
                static_cast<unsigned long long>(kStartKernelMap + pt.root()));
  ElfVmcoreBuilder b;
  b.loads.push_back({0, kDirect4, image.slice(0, kMemSize), 0});  // claims the default base
  b.notes = {test::vmcoreinfo_note(std::string("NUMBER(phys_base)=0\n") + sym)};
  auto dump = open_bytes(b.build());
  CHECK(dump->x86_64_layout()->page_offset == real_direct);
  CHECK(joined(dump->description().problems) ==
        "the PT_LOADs' virtual addresses put the direct map at 0xffff888000000000 but the page tables at "
        "0xffff8a14c0000000; using the page tables\n");
  CHECK(read_virtual(*dump, real_direct + 0x100010, 4) == "real");
}

TEST_CASE("Dump: kdump-compressed, plain and flattened") {
  test::KdumpBuilder b;
  b.max_mapnr = kMemSize / 4096;
  b.phys_base = 0x200000;
  b.vmcoreinfo = "OSRELEASE=6.1.0-kdump\nCRASHTIME=1700000001\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\n";
  std::vector<std::byte> page(4096);
  std::memcpy(page.data() + 0x20, "text via sub-header phys_base", 29);
  b.pages[(0x200000 + 0x1000000) / 4096] = page;  // out of range: capped
  b.pages[0x201] = page;
  b.notes = test::serialize_notes({test::prstatus_note()});
  for (bool flat : {false, true}) {
    CAPTURE(flat);
    auto bytes = b.build();
    if (flat) bytes = test::flatten(bytes, 3000);
    auto dump = open_bytes(bytes);
    const auto& d = dump->description();
    CHECK(d.format == "kdump-compressed");
    CHECK(d.flattened == flat);
    CHECK(d.kernel_release == "6.1.0-kdump");
    CHECK(d.crash_time == 1700000001);
    CHECK(d.cpus == 1);
    CHECK(dump->x86_64_layout()->phys_base == 0x200000u);
    CHECK(dump->x86_64_layout()->phys_base_from == "the kdump sub-header");
    CHECK(read_virtual(*dump, kStartKernelMap + 0x1020, 29) == "text via sub-header phys_base");
  }
}

TEST_CASE("Dump: phys_base from the lowest text PT_LOAD, also above 512 MiB (KASLR, no VMCOREINFO)") {
  PhysImage image;
  image.put_string(0x2000010, "text");
  ElfVmcoreBuilder b;
  b.loads.push_back({0x3000000, 0xffffffffc1000000ull, image.slice(0x3000000, 0x1000), 0});  // a module page
  b.loads.push_back({0x2000000, 0xffffffffbae00000ull, image.slice(0x2000000, 0x1000), 0});  // the kernel image
  auto dump = open_bytes(b.build());
  const X86_64Layout* l = dump->x86_64_layout();
  REQUIRE(l);
  CHECK(l->phys_base == 0x2000000 - 0x3ae00000);
  CHECK(l->phys_base_from == "the PT_LOAD of the kernel text");
  CHECK(l->kernel_image_size == (1ull << 30));
  CHECK(read_virtual(*dump, 0xffffffffbae00010ull, 4) == "text");
}

TEST_CASE("Dump: a flattened ELF dump (makedumpfile -F -E)") {
  ElfVmcoreBuilder b;
  b.loads.push_back({0x1000, 0, bytes_of("flattened elf"), 0x1000});
  b.notes = {test::vmcoreinfo_note("OSRELEASE=6.1\n")};
  auto dump = open_bytes(test::flatten(b.build(), 100, true));
  CHECK(dump->description().format == "ELF64");
  CHECK(dump->description().flattened);
  CHECK(dump->description().kernel_release == "6.1");
  std::string s(13, '?');
  CHECK(dump->read_physical(0x1000, std::as_writable_bytes(std::span(s))) == 13);
  CHECK(s == "flattened elf");
}

TEST_CASE("Dump: what cannot be opened says why") {
  struct Case {
    std::vector<std::byte> bytes;
    std::string message;
  };
  std::vector<std::byte> kdump_bad(64);
  std::memcpy(kdump_bad.data(), "KDUMP   ", 8);
  std::vector<std::byte> flat_bad(40);
  std::memcpy(flat_bad.data(), "makedumpfile", 12);
  const Case cases[] = {
      {{}, "x: empty or unreadable"},
      {bytes_of("just some text file"), "x: not a crash dump (no ELF, kdump-compressed or flattened signature)"},
      {kdump_bad, "x: kdump-compressed header is unreadable"},
      {flat_bad, "x: flattened header has unknown type 0"},
      {std::vector<std::byte>(4096), "x: not a crash dump (no ELF, kdump-compressed or flattened signature)"},
  };
  for (const auto& c : cases) {
    CHECK_THROWS_WITH_AS(open_bytes(c.bytes, "x"), c.message.c_str(), DumpError);
  }
}

}  // namespace
}  // namespace kdump
