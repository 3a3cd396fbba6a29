// The engine on the crash lab's real dumps (tests/lab): every form of the
// same crash must yield the same memory. Finds the lab in $KDUMP_LAB_DIR,
// else the newest result under $KDUMP_LAB_CACHE or ~/.cache/kdump-toolkit/lab;
// skips with a message when there is none.
#include "vmcore/dump.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "io/file_source.h"
#include "support/lab_dir.h"

namespace kdump {
namespace {

namespace fs = std::filesystem;

fs::path lab_dir() { return test::find_lab_dir(); }

// Pages `b` holds must equal `a`'s; returns how many were compared.
std::uint64_t compare_pages(Dump& a, Dump& b) {
  std::vector<std::byte> pa(4096), pb(4096);
  std::uint64_t compared = 0, differ = 0;
  for (const auto& r : a.ranges()) {
    for (std::uint64_t addr = (r.start + 4095) & ~4095ull; addr + 4096 <= r.start + r.size; addr += 4096) {
      if (b.read_physical(addr, pb) != 4096) continue;
      REQUIRE(a.read_physical(addr, pa) == 4096);
      ++compared;
      if (pa != pb && ++differ <= 3) FAIL_CHECK("page at " << addr << " differs between " << a.name() << " and " << b.name());
    }
  }
  CHECK(differ == 0);
  return compared;
}

// init_uts_ns through the kernel text mapping must read the kernel's own release.
void check_utsname(Dump& d) {
  const VmcoreInfo& vi = d.vmcoreinfo();
  const std::uint64_t at = vi.require_symbol("init_uts_ns") + static_cast<std::uint64_t>(vi.offset("uts_namespace.name").value_or(0));
  std::string uts(6 * 65, '\0');
  REQUIRE(d.read_virtual(at, std::as_writable_bytes(std::span(uts))) == uts.size());
  CHECK(std::string(uts.c_str()) == "Linux");
  CHECK(std::string(uts.c_str() + 2 * 65) == vi.osrelease().value_or("?"));
  // mem_section holds a pointer into the direct map: arithmetic and walk must agree.
  if (auto sym = vi.symbol("mem_section")) {
    std::uint64_t ptr = 0;
    REQUIRE(d.read_virtual(*sym, std::as_writable_bytes(std::span(&ptr, 1))) == 8);
    const X86_64Layout* l = d.x86_64_layout();
    REQUIRE(l);
    REQUIRE(l->page_offset.has_value());
    CHECK(ptr >= *l->page_offset);
  }
}

// A file whose first note named VMCOREINFO is renamed on the fly: QEMU's dump
// as it is without -device vmcoreinfo, from the same crash.
class WithoutVmcoreinfo final : public ByteSource {
 public:
  explicit WithoutVmcoreinfo(const std::string& path) : file_(path) {
    std::vector<std::byte> head(1 << 20);
    head.resize(file_.read_at(0, head));
    static constexpr char kName[] = "VMCOREINFO";  // with its NUL, as in the note header
    for (std::size_t i = 0; i + sizeof kName <= head.size(); ++i) {
      if (std::memcmp(head.data() + i, kName, sizeof kName) == 0) {
        at_ = i;
        break;
      }
    }
  }
  std::size_t read_at(std::uint64_t offset, std::span<std::byte> out) override {
    const std::size_t n = file_.read_at(offset, out);
    if (at_ && *at_ >= offset && *at_ < offset + n) out[*at_ - offset] = std::byte{'X'};
    return n;
  }
  std::uint64_t size() const override { return file_.size(); }
  std::string name() const override { return file_.name() + " (VMCOREINFO note renamed)"; }
  bool found() const { return at_.has_value(); }

 private:
  FileSource file_;
  std::optional<std::uint64_t> at_;
};

TEST_CASE("lab: a QEMU dump without VMCOREINFO is translated through the saved CR3") {
  const fs::path lab = lab_dir();
  if (lab.empty() || !fs::exists(lab / "qemu-dump.elf")) {
    MESSAGE("skipped: no crash-lab QEMU dump (set KDUMP_LAB_DIR or run tests/lab/crash-lab)");
    return;
  }
  auto with = Dump::open((lab / "qemu-dump.elf").string());
  auto source = std::make_unique<WithoutVmcoreinfo>((lab / "qemu-dump.elf").string());
  REQUIRE(source->found());
  auto without = Dump::open(std::move(source));
  REQUIRE_FALSE(without->has_vmcoreinfo());
  const X86_64Layout* l = without->x86_64_layout();
  REQUIRE(l);
  CHECK(l->top_table_from == "CR3 of the saved CPU state");
  CHECK(l->page_offset == with->x86_64_layout()->page_offset);
  // The kernel text through the page walk alone: init_uts_ns, located with the other dump's VMCOREINFO.
  const VmcoreInfo& vi = with->vmcoreinfo();
  const std::uint64_t at = vi.require_symbol("init_uts_ns") + static_cast<std::uint64_t>(vi.offset("uts_namespace.name").value_or(0));
  std::string uts(6 * 65, '\0');
  REQUIRE(without->read_virtual(at, std::as_writable_bytes(std::span(uts))) == uts.size());
  CHECK(std::string(uts.c_str()) == "Linux");
  CHECK(std::string(uts.c_str() + 2 * 65) == vi.osrelease().value_or("?"));
}

TEST_CASE("lab: every form of a real crash reads the same memory") {
  const fs::path lab = lab_dir();
  if (lab.empty()) {
    MESSAGE("skipped: no crash-lab output (set KDUMP_LAB_DIR or run tests/lab/crash-lab)");
    return;
  }
  MESSAGE("lab: " << lab.string());
  auto vmcore = Dump::open((lab / "vmcore").string());
  check_utsname(*vmcore);
  for (const char* name : {"dumpfile-d31-none", "dumpfile-d31-zlib", "dumpfile-d31-lzo", "dumpfile-d31-snappy",
                           "dumpfile-d31-zstd"}) {
    const fs::path p = lab / "ref" / name;
    if (!fs::exists(p)) continue;
    CAPTURE(name);
    auto d31 = Dump::open(p.string());
    CHECK(d31->description().problems.empty());
    check_utsname(*d31);
    const std::uint64_t n = compare_pages(*vmcore, *d31);
    MESSAGE(std::string(name) << ": " << n << " pages equal to the vmcore's");
    CHECK(n > 1000);
  }
  if (fs::exists(lab / "qemu-dump.elf") && fs::exists(lab / "qemu-dump.kdump-zlib")) {
    auto elf = Dump::open((lab / "qemu-dump.elf").string());
    auto zlib = Dump::open((lab / "qemu-dump.kdump-zlib").string());
    check_utsname(*elf);
    check_utsname(*zlib);
    CHECK(zlib->description().flattened);
    const std::uint64_t n = compare_pages(*elf, *zlib);
    MESSAGE("qemu-dump.kdump-zlib: " << n << " pages equal to qemu-dump.elf's");
    CHECK(n > 1000);
  }
}

}  // namespace
}  // namespace kdump
