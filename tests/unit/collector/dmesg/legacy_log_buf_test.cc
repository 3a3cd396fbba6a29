// The variable-length record reader (3.5-5.9) against buffers written by the
// builder's model of log_store(): normal, wrapped, old structure names, caller
// ids, and damage that breaks the chain of record lengths.

#include "dmesg/legacy_log_buf.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/kernel_image_builder.h"
#include "support/ringbuffer_builder.h"

namespace kdump::dmesg {
namespace {

using test::KernelImageBuilder;
using test::LegacyLayout;
using test::LegacyLogBuilder;

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + "\n";
  return out;
}

// Texts of the message records (wrap markers left out).
std::vector<std::string> texts(const KernelLog& log) {
  std::vector<std::string> out;
  for (const LogRecord& r : log.records)
    if (r.kind == LogRecord::Kind::kMessage) out.push_back(r.text);
  return out;
}

TEST_CASE("legacy: records with dictionaries, levels and facilities") {
  struct Case {
    std::string name;
    LegacyLayout layout;
  };
  const Case cases[] = {{"printk_log", LegacyLayout::linux_5_4()},
                        {"struct log of 3.5-3.10", [] {
                           LegacyLayout l;
                           l.old_name = true;
                           return l;
                         }()}};
  for (const Case& c : cases) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    LegacyLogBuilder buf(4096, c.layout);
    LegacyLogBuilder::Message m;
    m.text = "Linux version 5.4.0";
    m.level = 5;
    buf.append(m);
    m.text = "usb 1-1: new high-speed USB device number 2";
    m.dict = std::string("SUBSYSTEM=usb\0DEVICE=c189:1", 27);
    m.ts_nsec = 2'500'000'000;
    m.level = 6;
    m.facility = 0;
    buf.append(m);
    m = {};
    m.text = "systemd[1]: Started";
    m.ts_nsec = 9'000'001'000;
    m.facility = 3;
    m.level = 6;
    buf.append(m);
    buf.install(image);

    const KernelLog log = read_legacy_log(image);
    CHECK(log.format == KernelLog::Format::kLegacy);
    CHECK(lines(log.problems) == "");
    REQUIRE(log.records.size() == 3);
    CHECK(log.records[0].level == 5);
    CHECK(log.records[1].dict == std::string("SUBSYSTEM=usb\0DEVICE=c189:1", 27));
    CHECK(log.records[2].facility == 3);
    CHECK(log.records[2].seq == 2);
    CHECK(format_vmcore_dmesg(log) ==
          "[    0.000000] Linux version 5.4.0\n"
          "[    2.500000] usb 1-1: new high-speed USB device number 2\n"
          "[    9.000001] systemd[1]: Started\n");
    CHECK(format_makedumpfile_dmesg(log) == format_vmcore_dmesg(log));
  }
}

TEST_CASE("legacy: caller ids of CONFIG_PRINTK_CALLER") {
  KernelImageBuilder image;
  LegacyLogBuilder buf(1024, LegacyLayout::with_caller_id());
  LegacyLogBuilder::Message m;
  m.text = "from a task";
  m.caller_id = 1234;
  buf.append(m);
  m.text = "from cpu 3";
  m.caller_id = 0x80000003;
  buf.append(m);
  buf.install(image);
  const KernelLog log = read_legacy_log(image);
  CHECK(lines(log.problems) == "");
  REQUIRE(log.records.size() == 2);
  CHECK(log.records[0].caller_id == 1234);
  CHECK(log.records[1].caller_id == 0x80000003);
  CHECK(log.records[1].text == "from cpu 3");
}

TEST_CASE("legacy: a wrapped buffer, and the marker vmcore-dmesg prints") {
  struct Case {
    int records;
    std::string vmcore_dmesg;
    std::string makedumpfile;
  };
  const std::string r[] = {"", "", "", "", "[    4.000000] record 4 twenty-eight bytes\n",
                           "[    5.000000] record 5 twenty-eight bytes\n", "[    6.000000] record 6 twenty-eight bytes\n",
                           "[    7.000000] record 7 twenty-eight bytes\n", "[    8.000000] record 8 twenty-eight bytes\n"};
  const std::string marker = "[    0.000000] \n";
  // 256 bytes, 44-byte records: after 8 the walk meets the marker between
  // records 4 and 5; after 9, log_first_idx points at the marker itself.
  const Case cases[] = {
      {8, r[4] + marker + r[5] + r[6] + r[7], r[4] + r[5] + r[6] + r[7]},
      {9, marker + r[5] + r[6] + r[7] + r[8], r[5] + r[6] + r[7] + r[8]},
  };
  for (const Case& c : cases) {
    CAPTURE(c.records);
    KernelImageBuilder image;
    LegacyLogBuilder buf(256);
    for (int i = 0; i < c.records; ++i)
      buf.append("record " + std::to_string(i) + " twenty-eight bytes", 1'000'000'000ull * i);
    buf.install(image);
    REQUIRE(buf.marker_offset().has_value());
    const KernelLog log = read_legacy_log(image);
    CHECK(lines(log.problems) == "");
    CHECK(texts(log) == buf.expected_texts());
    CHECK(format_vmcore_dmesg(log) == c.vmcore_dmesg);
    CHECK(format_makedumpfile_dmesg(log) == c.makedumpfile);
  }
}

TEST_CASE("legacy: many wraps with uneven record sizes") {
  KernelImageBuilder image;
  LegacyLogBuilder buf(8192);
  for (int i = 0; i < 3000; ++i) {
    LegacyLogBuilder::Message m;
    m.text = "line " + std::to_string(i) + std::string(i % 61, '-');
    m.dict = i % 7 == 0 ? "SUBSYSTEM=pci" : "";
    m.ts_nsec = 1000ull * i;
    buf.append(m);
  }
  buf.install(image);
  const KernelLog log = read_legacy_log(image);
  CHECK(lines(log.problems) == "");
  CHECK(texts(log) == buf.expected_texts());
  CHECK(texts(log).back() == "line 2999" + std::string(2999 % 61, '-'));
}

TEST_CASE("legacy: empty buffer") {
  KernelImageBuilder image;
  LegacyLogBuilder buf(1024);
  buf.install(image);
  const KernelLog log = read_legacy_log(image);
  CHECK(log.records.empty());
  CHECK(log.problems.empty());
}

TEST_CASE("legacy: a record whose length breaks the chain is skipped, the rest survive") {
  struct Case {
    std::string name;
    std::uint64_t len;  // written into the third record's header
  };
  const Case cases[] = {{"too short for its text", 20}, {"zero", 0}, {"past the used space", 4000}, {"odd", 47}};
  for (const Case& c : cases) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    LegacyLogBuilder buf(4096);
    for (int i = 0; i < 6; ++i) buf.append("message number " + std::to_string(i), i);
    buf.install(image);
    const std::uint32_t at = buf.record_offsets()[2];
    const std::uint32_t after = buf.record_offsets()[3];
    image.write_le(buf.buffer_address() + at + buf.layout().len, c.len, 2);
    const KernelLog log = read_legacy_log(image);
    CHECK(lines(log.problems) ==
          "record at log_buf offset " + std::to_string(at) + ": length " + std::to_string(c.len) +
              " does not fit its text (16) and dictionary (0); skipped " + std::to_string(after - at) +
              " bytes to the next consistent record\n");
    CHECK(texts(log) == std::vector<std::string>{"message number 0", "message number 1", "message number 3",
                                                 "message number 4", "message number 5"});
  }
}

TEST_CASE("legacy: an unreadable page inside log_buf") {
  KernelImageBuilder image;
  LegacyLogBuilder buf(16384);
  for (int i = 0; i < 40; ++i) buf.append("entry " + std::to_string(i) + std::string(300, '='), i);
  buf.install(image);
  const std::uint64_t page = (buf.buffer_address() + 4096) / 4096 * 4096 + 4096;
  image.make_unreadable(page, 1);
  const KernelLog log = read_legacy_log(image);

  // From the builder: the record whose text runs into the page (its header
  // is readable), the one after it (header on the page), and the first
  // record wholly after the page, where the scan resumes.
  const auto offsets = buf.record_offsets();
  std::vector<std::string> want;
  std::vector<std::uint32_t> lost;
  std::uint32_t resumed = 0;
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const std::uint64_t a = buf.buffer_address() + offsets[i];
    if (a + 16 + buf.expected_texts()[i].size() <= page || a >= page + 4096) {
      want.push_back(buf.expected_texts()[i]);
      if (!lost.empty() && !resumed) resumed = offsets[i];
    } else {
      lost.push_back(offsets[i]);
    }
  }
  REQUIRE(lost.size() >= 2);
  REQUIRE(buf.buffer_address() + lost[0] + 16 <= page);
  CHECK(texts(log) == want);
  CHECK(lines(log.problems) == "record at log_buf offset " + std::to_string(lost[0]) +
                                   ": text unreadable; skipped\n"
                                   "record at log_buf offset " + std::to_string(lost[1]) +
                                   ": header unreadable; skipped " + std::to_string(resumed - lost[1]) +
                                   " bytes to the next consistent record\n");
}

TEST_CASE("legacy: indexes and sizes that cannot be right") {
  struct Case {
    std::string name;
    std::string key;  // symbol whose variable is overwritten
    std::uint64_t value;
    std::string problem;
  };
  const Case cases[] = {
      {"first index past the end", "log_first_idx", 5000,
       "log_first_idx 5000 or log_next_idx 40 lies outside log_buf of 4096 bytes"},
      {"tiny log_buf_len", "log_buf_len", 8, "implausible log_buf_len 8"},
      {"huge log_buf_len", "log_buf_len", 0xffffffff, "implausible log_buf_len 4294967295"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    LegacyLogBuilder buf(4096);
    buf.append("one", 1);
    buf.append("two", 2);
    buf.install(image);
    image.write_le(image.vmcoreinfo().symbol(c.key).value(), c.value, 4);
    const KernelLog log = read_legacy_log(image);
    CHECK(log.records.empty());
    CHECK(lines(log.problems) == c.problem + "\n");
  }
}

TEST_CASE("legacy: missing keys name themselves") {
  const char* keys[] = {"SYMBOL(log_buf)", "SYMBOL(log_next_idx)", "SIZE(printk_log)", "OFFSET(printk_log.len)"};
  for (const char* key : keys) {
    CAPTURE(key);
    KernelImageBuilder image;
    LegacyLogBuilder buf(1024);
    buf.install(image);
    std::string text = image.vmcoreinfo().text();
    const auto at = text.find(std::string(key) + "=");
    REQUIRE(at != std::string::npos);
    text.erase(at, text.find('\n', at) - at + 1);
    image.set_vmcoreinfo(text);
    CHECK_THROWS_WITH_AS(read_legacy_log(image), ("VMCOREINFO lacks " + std::string(key)).c_str(), MissingVmcoreinfo);
  }
}

}  // namespace
}  // namespace kdump::dmesg

namespace kdump::dmesg {
namespace {

TEST_CASE("legacy: a garbage log_buf_len over a hole: the scan stops after 65536 missing pages") {
  KernelImageBuilder image;
  LegacyLogBuilder buf(4096);
  for (int i = 0; i < 4; ++i) buf.append("message number " + std::to_string(i), i);
  buf.install(image);
  const auto& vi = image.vmcoreinfo();
  image.write_le(vi.symbol("log_buf_len").value(), 0x80000000u, 4);
  image.write_le(vi.symbol("log_next_idx").value(), 0x7ffffff0u, 4);
  const std::uint32_t at = buf.record_offsets()[2];
  image.write_le(buf.buffer_address() + at + buf.layout().len, 5, 2);
  const KernelLog log = read_legacy_log(image);
  // The scan finds record 3 after the damage; past the real end of the
  // buffer (zeros, then nothing) it gives up instead of probing 2 GiB.
  CHECK(texts(log) == std::vector<std::string>{"message number 0", "message number 1", "message number 3"});
  CHECK(lines(log.problems) == "record at log_buf offset " + std::to_string(at) +
                                   ": length 5 does not fit its text (16) and dictionary (0); skipped " +
                                   std::to_string(buf.record_offsets()[3] - at) +
                                   " bytes to the next consistent record\n"
                                   "record at log_buf offset " + std::to_string(buf.next_idx()) +
                                   ": length 0 does not fit its text (0) and dictionary (0); "
                                   "log_buf lacks more than 65536 pages, stopped\n");
}

}  // namespace
}  // namespace kdump::dmesg
