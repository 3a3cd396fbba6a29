// The two text formats, asserted as whole strings. The expected bytes follow
// the reference tools' printf formats (kexec-tools util_lib/elf_info.c,
// makedumpfile.c and printk.c) for each kind of input.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dmesg/kernel_log.h"

namespace kdump::dmesg {
namespace {

LogRecord message(std::uint64_t ts_nsec, std::string text) {
  LogRecord r;
  r.ts_nsec = ts_nsec;
  r.text = std::move(text);
  return r;
}

LogRecord of_kind(LogRecord::Kind kind, std::uint64_t ts_nsec, std::string text = {}) {
  LogRecord r = message(ts_nsec, std::move(text));
  r.kind = kind;
  return r;
}

KernelLog log_of(std::vector<LogRecord> records) {
  KernelLog log;
  log.records = std::move(records);
  return log;
}

struct Case {
  std::string name;
  std::vector<LogRecord> records;
  std::string vmcore_dmesg;
  std::string makedumpfile;
};

TEST_CASE("both dmesg formats, byte for byte") {
  using K = LogRecord::Kind;
  const Case cases[] = {
      {"no records", {}, "", ""},
      {"timestamps: width 5, then growing; microseconds truncated",
       {message(0, "a"), message(1'999'999, "b"), message(123'456'789'012, "c"), message(100'000'000'000'000, "d"),
        message(18'446'744'073'709'551'615ull, "e")},
       "[    0.000000] a\n[    0.001999] b\n[  123.456789] c\n[100000.000000] d\n[18446744073.709551] e\n",
       "[    0.000000] a\n[    0.001999] b\n[  123.456789] c\n[100000.000000] d\n[18446744073.709551] e\n"},
      {"an empty text still makes a line", {message(5'000, "")}, "[    0.000005] \n", "[    0.000005] \n"},
      {"multi-line message: raw for vmcore-dmesg, indented for makedumpfile",
       {message(1'500'000'000, "first\nsecond\n\nlast")},
       "[    1.500000] first\nsecond\n\nlast\n",
       "[    1.500000] first\n               second\n               \n               last\n"},
      {"white space passes through, other controls are escaped",
       {message(0, std::string("tab\tcr\rvt\vff\fnul", 16) + std::string(1, '\0') + "\x01\x1b[0m\x7f")},
       "[    0.000000] tab\tcr\rvt\vff\fnul\\x00\\x01\\x1b[0m\\x7f\n",
       "[    0.000000] tab\tcr\rvt\vff\fnul\\x00\\x01\\x1b[0m\\x7f\n"},
      {"bytes from 0x80: two digits, or sign-extended by makedumpfile",
       {message(0, "caf\xc3\xa9 \x80\xff")},
       "[    0.000000] caf\\xc3\\xa9 \\x80\\xff\n",
       "[    0.000000] caf\\xffffffc3\\xffffffa9 \\xffffff80\\xffffffff\n"},
      {"a record without a text block: vmcore-dmesg prints its timestamp only",
       {message(1'000'000'000, "before"), of_kind(K::kDataless, 2'000'000'000), message(3'000'000'000, "after")},
       "[    1.000000] before\n[    2.000000] \n[    3.000000] after\n",
       "[    1.000000] before\n[    3.000000] after\n"},
      {"the legacy end-of-buffer header: vmcore-dmesg prints it as a record",
       {message(7'000'000'000, "old"), of_kind(K::kWrapMarker, 0), message(8'000'000'000, "new")},
       "[    7.000000] old\n[    0.000000] \n[    8.000000] new\n",
       "[    7.000000] old\n[    8.000000] new\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const KernelLog log = log_of(c.records);
    CHECK(format_vmcore_dmesg(log) == c.vmcore_dmesg);
    CHECK(format_makedumpfile_dmesg(log) == c.makedumpfile);
  }
}

TEST_CASE("dictionaries and caller ids are not part of either format") {
  LogRecord r = message(42'000'000'000, "usb 1-1: new device");
  r.dict = std::string("SUBSYSTEM=usb\0DEVICE=c189:1", 27);
  r.caller_id = 0x80000001;
  const KernelLog log = log_of({r});
  CHECK(format_vmcore_dmesg(log) == "[   42.000000] usb 1-1: new device\n");
  CHECK(format_makedumpfile_dmesg(log) == "[   42.000000] usb 1-1: new device\n");
}

}  // namespace
}  // namespace kdump::dmesg
