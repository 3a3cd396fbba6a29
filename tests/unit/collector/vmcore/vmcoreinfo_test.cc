#include "vmcore/vmcoreinfo.h"

#include <doctest/doctest.h>

#include <functional>

namespace kdump {
namespace {

constexpr std::string_view kText =
    "OSRELEASE=6.1.0-13-amd64\n"
    "BUILD-ID=3f2a9c\n"
    "PAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffff82a12360\n"
    "SYMBOL(prb)=0xffffffff8261c8a0\n"
    "OFFSET(printk_info.seq)=0\n"
    "SIZE(printk_info)=88\n"
    "LENGTH(mem_section)=2048\n"
    "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
    "NUMBER(phys_base)=-2147483648\n"
    "KERNELOFFSET=1000000\n"
    "CRASHTIME=1700000000\r\n"
    "not a key value line\n"
    "=nokey\n"
    "NUMBER(bad)=12abc\n"
    "\n"
    "SYMBOL(last)=1\0garbage after NUL=1\n";

TEST_CASE("VmcoreInfo: typed look-ups") {
  const VmcoreInfo vi = VmcoreInfo::parse(std::string_view(kText.data(), kText.size()));
  CHECK(vi.osrelease() == "6.1.0-13-amd64");
  CHECK(vi.build_id() == "3f2a9c");
  CHECK(vi.page_size() == 4096u);
  CHECK(vi.symbol("init_uts_ns") == 0xffffffff82a12360ull);
  CHECK(vi.symbol("prb") == 0xffffffff8261c8a0ull);
  CHECK(vi.offset("printk_info.seq") == 0);
  CHECK(vi.size("printk_info") == 88);
  CHECK(vi.length("mem_section") == 2048);
  CHECK(vi.number("PAGE_BUDDY_MAPCOUNT_VALUE") == -129);
  CHECK(vi.number("phys_base") == -2147483648ll);
  CHECK(vi.kernel_offset() == 0x1000000u);
  CHECK(vi.crash_time() == 1700000000);
  CHECK(vi.symbol("last") == 1u);
  CHECK_FALSE(vi.number("bad").has_value());    // malformed
  CHECK_FALSE(vi.symbol("missing").has_value());
  CHECK_FALSE(vi.has("garbage after NUL"));
  CHECK(vi.bad_lines() == std::vector<std::string>{"not a key value line", "=nokey"});
}

TEST_CASE("VmcoreInfo: required keys name what is missing") {
  const VmcoreInfo vi = VmcoreInfo::parse("OSRELEASE=6.1\nNUMBER(bad)=x\n");
  struct Case {
    std::function<void()> call;
    std::string message;
  };
  const Case cases[] = {
      {[&] { vi.require_symbol("prb"); }, "VMCOREINFO lacks SYMBOL(prb)"},
      {[&] { vi.require_offset("printk_info.seq"); }, "VMCOREINFO lacks OFFSET(printk_info.seq)"},
      {[&] { vi.require_size("printk_info"); }, "VMCOREINFO lacks SIZE(printk_info)"},
      {[&] { vi.require_length("printk_ringbuffer"); }, "VMCOREINFO lacks LENGTH(printk_ringbuffer)"},
      {[&] { vi.require_number("bad"); }, "VMCOREINFO lacks NUMBER(bad)"},
  };
  for (const auto& c : cases) {
    try {
      c.call();
      FAIL("no exception for " << c.message);
    } catch (const MissingVmcoreinfo& e) {
      CHECK(std::string(e.what()) == c.message);
    }
  }
}

TEST_CASE("VmcoreInfo: empty and hostile text") {
  CHECK(VmcoreInfo::parse("").entries().empty());
  const VmcoreInfo vi = VmcoreInfo::parse(std::string(10000, '='));
  CHECK(vi.entries().empty());
  CHECK(vi.bad_lines().size() == 1);
  CHECK_FALSE(VmcoreInfo::parse("PAGESIZE=99999999999999999999999\n").page_size().has_value());
}

}  // namespace
}  // namespace kdump
