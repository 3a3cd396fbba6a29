// Cross-check with the real kexec-tools vmcore-dmesg, where it is installed
// (scripts/install-deps installs it): synthetic rings covering what the crash
// lab's kernel logs do not contain (escapes, records without text, the legacy
// end-of-buffer marker, interrupted writers) are written into ELF vmcores,
// and vmcore-dmesg's output must equal format_vmcore_dmesg byte for byte.

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "dmesg/kernel_log.h"
#include "support/elf_vmcore_builder.h"
#include "support/kernel_image_builder.h"
#include "support/ringbuffer_builder.h"

namespace kdump::dmesg {
namespace {

using test::KernelImageBuilder;

constexpr const char* kVmcoreDmesg = "/usr/sbin/vmcore-dmesg";

// An ELF vmcore holding the image's readable pages (runs merged into one
// PT_LOAD each) and its VMCOREINFO.
std::vector<std::byte> elf_of(const KernelImageBuilder& image) {
  test::ElfVmcoreBuilder elf;
  elf.notes.push_back(test::vmcoreinfo_note(image.vmcoreinfo().text()));
  for (const auto& [vaddr, bytes] : image.readable_pages()) {
    if (!elf.loads.empty() && elf.loads.back().vaddr + elf.loads.back().data.size() == vaddr) {
      elf.loads.back().data.insert(elf.loads.back().data.end(), bytes.begin(), bytes.end());
      continue;
    }
    test::LoadSpec load;
    load.vaddr = vaddr;
    load.paddr = vaddr - KernelImageBuilder::kDirectMap;
    load.data.assign(bytes.begin(), bytes.end());
    elf.loads.push_back(std::move(load));
  }
  return elf.build();
}

// Runs vmcore-dmesg on the bytes; returns its standard output.
std::string run_vmcore_dmesg(const std::vector<std::byte>& vmcore) {
  char dir[] = "/tmp/kdump-dmesg-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string core = std::string(dir) + "/vmcore", out = std::string(dir) + "/out";
  std::ofstream(core, std::ios::binary).write(reinterpret_cast<const char*>(vmcore.data()),
                                              static_cast<std::streamsize>(vmcore.size()));
  std::fflush(stdout);  // or the child's freopen would write our buffer out again
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (!std::freopen(out.c_str(), "w", stdout)) _exit(127);
    execl(kVmcoreDmesg, kVmcoreDmesg, core.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(out, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return text;
}

struct Case {
  std::string name;
  std::function<void(KernelImageBuilder&)> build;
};

const Case kCases[] = {
    {"lockless: escapes, multi-line, empty and failed text, committed head",
     [](KernelImageBuilder& img) {
       test::LocklessRingBuilder ring(3, 9);
       ring.append("first\nsecond line\ttabbed", 1'000'000'000);
       ring.append("", 1'500'000'000);
       ring.append(std::string("ctl \x01\x1b[1m bell\x07 del\x7f high \xc3\xa9\xff", 30), 2'000'000'000);
       ring.append(std::string(600, 'x'), 2'500'000'000);  // never fits: failed block
       for (int i = 0; i < 12; ++i) ring.append("wrap " + std::to_string(i) + std::string(i * 5, '~'), 3'000'000'000ull + i);
       ring.append("committed, not final", 9'000'000'000, test::LocklessRingBuilder::Stage::kCommitted);
       ring.install(img);
     }},
    {"lockless: reserved head",
     [](KernelImageBuilder& img) {
       test::LocklessRingBuilder ring(2, 9);
       for (int i = 0; i < 6; ++i) ring.append("r" + std::to_string(i), i * 1000);
       ring.append("half written", 7000, test::LocklessRingBuilder::Stage::kReserved);
       ring.install(img);
     }},
    {"legacy: wrapped, marker mid-walk",
     [](KernelImageBuilder& img) {
       test::LegacyLogBuilder buf(256);
       for (int i = 0; i < 8; ++i) buf.append("record " + std::to_string(i) + " twenty-eight bytes", 1'000'000'000ull * i);
       buf.install(img);
     }},
    {"legacy: marker first, escapes, dictionaries",
     [](KernelImageBuilder& img) {
       test::LegacyLogBuilder buf(512);
       for (int i = 0; i < 14; ++i) {
         test::LegacyLogBuilder::Message m;
         m.text = "line " + std::to_string(i) + (i % 4 == 0 ? std::string("\n\x02\xe2\x82\xac", 5) : "");
         m.dict = i % 3 == 0 ? "SUBSYSTEM=x" : "";
         m.ts_nsec = 123'456'789ull * i;
         buf.append(m);
       }
       buf.install(img);
     }},
};

TEST_CASE("format_vmcore_dmesg equals the installed vmcore-dmesg on synthetic dumps") {
  if (access(kVmcoreDmesg, X_OK) != 0) {
    MESSAGE("vmcore-dmesg not installed (scripts/install-deps); cross-check not run");
    return;
  }
  for (const Case& c : kCases) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    c.build(image);
    const std::string ours = format_vmcore_dmesg(read_kernel_log(image));
    CHECK(!ours.empty());
    CHECK(run_vmcore_dmesg(elf_of(image)) == ours);
  }
}

}  // namespace
}  // namespace kdump::dmesg
