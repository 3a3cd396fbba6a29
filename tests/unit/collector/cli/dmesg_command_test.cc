#include "cli/dmesg_command.h"

#include <doctest/doctest.h>

#include <sstream>

#include "io/memory_source.h"
#include "support/elf_vmcore_builder.h"
#include "vmcore/dump_error.h"

namespace kdump::cli {
namespace {

std::unique_ptr<Dump> open_elf(std::vector<test::NoteSpec> notes) {
  test::ElfVmcoreBuilder b;
  b.loads.push_back({0, 0, std::vector<std::byte>(0x1000), 0});
  b.notes = std::move(notes);
  return Dump::open(std::make_unique<MemorySource>(b.build(), "qemu.elf"));
}

TEST_CASE("dmesg: a dump without VMCOREINFO says so instead of naming a missing key") {
  auto dump = open_elf({test::qemu_cpu_note(0x1000, 0)});
  std::ostringstream out, warn;
  for (DmesgFormat f : {DmesgFormat::kMakedumpfile, DmesgFormat::kVmcoreDmesg}) {
    CHECK_THROWS_WITH_AS(write_dmesg(*dump, f, out, warn),
                         "qemu.elf has no VMCOREINFO, so its kernel log cannot be located (a QEMU dump needs -device "
                         "vmcoreinfo and the guest's fw_cfg driver)",
                         DumpError);
  }
  CHECK(out.str().empty());
}

TEST_CASE("dmesg: VMCOREINFO without the log's symbols names the key") {
  auto dump = open_elf({test::vmcoreinfo_note("OSRELEASE=6.1\n")});
  std::ostringstream out, warn;
  CHECK_THROWS_AS(write_dmesg(*dump, DmesgFormat::kVmcoreDmesg, out, warn), MissingVmcoreinfo);
}

}  // namespace
}  // namespace kdump::cli
