// The lockless ring buffer reader against rings written by the builder's
// model of the kernel's writer: normal, wrapped, interrupted and damaged
// buffers, under three structure layouts that only VMCOREINFO tells apart.

#include "dmesg/printk_ringbuffer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/kernel_image_builder.h"
#include "support/ringbuffer_builder.h"

namespace kdump::dmesg {
namespace {

using test::KernelImageBuilder;
using test::LocklessLayout;
using test::LocklessRingBuilder;
using Stage = LocklessRingBuilder::Stage;

std::vector<std::string> texts(const KernelLog& log) {
  std::vector<std::string> out;
  for (const LogRecord& r : log.records) out.push_back(r.text);
  return out;
}

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + "\n";
  return out;
}

std::vector<std::uint64_t> seqs(const KernelLog& log) {
  std::vector<std::uint64_t> out;
  for (const LogRecord& r : log.records) out.push_back(r.seq);
  return out;
}

// Checks the reader returned exactly what the builder's model kept.
void check_matches_model(const KernelLog& log, const LocklessRingBuilder& ring) {
  const auto expected = ring.expected();
  REQUIRE(log.records.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(log.records[i].seq == expected[i].seq);
    CHECK(log.records[i].ts_nsec == expected[i].ts_nsec);
    CHECK(log.records[i].text == expected[i].text);
    CHECK((log.records[i].kind == LogRecord::Kind::kDataless) == expected[i].dataless);
  }
}

struct LayoutCase {
  std::string name;
  LocklessLayout layout;
  std::uint64_t heap = KernelImageBuilder::kHeapBase;
};

const LayoutCase kLayouts[] = {
    {"6.1 x86_64", LocklessLayout::linux_6_1()},
    {"reordered and padded", LocklessLayout::shuffled()},
    {"32-bit", LocklessLayout::linux_6_1_i386(), 0xc1000000},
};

TEST_CASE("lockless: a few records, under every layout") {
  for (const LayoutCase& c : kLayouts) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    image.set_heap(c.heap);
    LocklessRingBuilder ring(5, 12, c.layout);
    LocklessRingBuilder::Message m;
    m.text = "Linux version 6.1.0-test";
    m.ts_nsec = 0;
    m.level = 5;
    m.facility = 0;
    m.caller_id = 0x80000000;
    ring.append(m);
    ring.append("Command line: console=ttyS0", 1'234'567);
    m.text = "sysrq: Trigger a crash";
    m.ts_nsec = 61'123'456'789;
    m.level = 6;
    m.caller_id = 412;
    ring.append(m);
    ring.install(image);

    const KernelLog log = read_lockless_log(image);
    CHECK(log.format == KernelLog::Format::kLockless);
    CHECK(lines(log.problems) == "");
    CHECK(lines(texts(log)) == lines({"Linux version 6.1.0-test", "Command line: console=ttyS0",
                                                 "sysrq: Trigger a crash"}));
    CHECK(seqs(log) == std::vector<std::uint64_t>{0, 1, 2});
    REQUIRE(log.records.size() == 3);
    CHECK(log.records[0].level == 5);
    CHECK(log.records[0].caller_id == 0x80000000);
    CHECK(log.records[2].caller_id == 412);
    CHECK(log.records[2].level == 6);
    CHECK(format_vmcore_dmesg(log) ==
          "[    0.000000] Linux version 6.1.0-test\n"
          "[    0.001234] Command line: console=ttyS0\n"
          "[   61.123456] sysrq: Trigger a crash\n");
    CHECK(format_makedumpfile_dmesg(log) == format_vmcore_dmesg(log));
  }
}

TEST_CASE("lockless: an empty ring has no records") {
  KernelImageBuilder image;
  LocklessRingBuilder ring(4, 10);
  ring.install(image);
  const KernelLog log = read_lockless_log(image);
  CHECK(log.records.empty());
  CHECK(lines(log.problems) == "");
}

TEST_CASE("lockless: the text data ring wraps, and a block that wraps keeps its text at the start") {
  for (const LayoutCase& c : kLayouts) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    image.set_heap(c.heap);
    // 256 bytes of text ring and 40-byte texts: 48-byte blocks, so the
    // sixth block would straddle the end and is stored at offset 0.
    LocklessRingBuilder ring(5, 8, c.layout);
    std::uint64_t last = 0;
    for (int i = 0; i < 6; ++i) {
      std::string text = "message " + std::to_string(i) + " ";
      text.resize(40, static_cast<char>('a' + i));
      last = ring.append(text, 1'000'000'000ull * i);
    }
    ring.install(image);
    const auto wrapped_block = ring.block_address(last);
    REQUIRE(wrapped_block.has_value());
    CHECK(image.vmcoreinfo().symbol("printk_rb_static").has_value());

    const KernelLog log = read_lockless_log(image);
    CHECK(lines(log.problems) == "");
    check_matches_model(log, ring);
    REQUIRE(!log.records.empty());
    CHECK(log.records.back().text == "message 5 ffffffffffffffffffffffffffffff");
    CHECK(log.records.front().seq > 0);  // the oldest were pushed out
  }
}

TEST_CASE("lockless: a long run of records wraps both rings many times") {
  KernelImageBuilder image;
  LocklessRingBuilder ring(6, 11);
  for (int i = 0; i < 5000; ++i) ring.append("line " + std::to_string(i) + std::string(i % 97, '.'), 1000ull * i);
  ring.install(image);
  const KernelLog log = read_lockless_log(image);
  CHECK(lines(log.problems) == "");
  check_matches_model(log, ring);
  REQUIRE(!log.records.empty());
  CHECK(log.records.back().seq == 4999);
}

TEST_CASE("lockless: sequence numbers pass the descriptor count") {
  KernelImageBuilder image;
  LocklessRingBuilder ring(2, 12);  // 4 descriptors
  for (int i = 0; i < 10; ++i) ring.append("record " + std::to_string(i), 10ull * i);
  ring.install(image);
  const KernelLog log = read_lockless_log(image);
  CHECK(lines(log.problems) == "");
  CHECK(seqs(log) == std::vector<std::uint64_t>{6, 7, 8, 9});
  CHECK(lines(texts(log)) == lines({"record 6", "record 7", "record 8", "record 9"}));
}

TEST_CASE("lockless: records without text") {
  KernelImageBuilder image;
  LocklessRingBuilder ring(4, 6);  // 64 bytes of text: a 60-byte text never fits
  ring.append("before", 1'000'000'000);
  ring.append("", 2'000'000'000);
  ring.append(std::string(60, 'x'), 3'000'000'000);
  ring.append("after", 4'000'000'000);
  ring.install(image);
  const KernelLog log = read_lockless_log(image);
  CHECK(lines(log.problems) == "");
  check_matches_model(log, ring);
  CHECK(format_vmcore_dmesg(log) ==
        "[    1.000000] before\n[    2.000000] \n[    3.000000] \n[    4.000000] after\n");
  CHECK(format_makedumpfile_dmesg(log) == "[    1.000000] before\n[    4.000000] after\n");
}

struct StageCase {
  std::string name;
  Stage stage;
  std::vector<std::string> texts;
  std::string problem;  // with {id} for the head's id
};

TEST_CASE("lockless: the record being written when the kernel stopped") {
  const StageCase cases[] = {
      {"finalized", Stage::kFinalized, {"one", "two", "three", "last"}, ""},
      {"committed, not yet finalized", Stage::kCommitted, {"one", "two", "three", "last"}, ""},
      {"reserved", Stage::kReserved, {"one", "two", "three"},
       "record id {id} was being written when the kernel stopped (descriptor reserved); skipped"},
      {"head id claimed, descriptor not yet", Stage::kIdClaimed, {"one", "two", "three"},
       "record id {id} was being reserved when the kernel stopped; skipped"},
  };
  for (const StageCase& c : cases) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    LocklessRingBuilder ring(2, 10);  // 4 descriptors: the head reuses a slot
    ring.append("zero", 0);
    ring.append("one", 1);
    ring.append("two", 2);
    ring.append("three", 3);
    const std::uint64_t head = ring.append("last", 4, c.stage);
    ring.install(image);
    const KernelLog log = read_lockless_log(image);
    CHECK(lines(texts(log)) == lines(c.texts));
    if (c.problem.empty()) {
      CHECK(lines(log.problems) == "");
    } else {
      std::string want = c.problem;
      want.replace(want.find("{id}"), 4, std::to_string(head));
      CHECK(lines(log.problems) == lines({want}));
    }
  }
}

struct DamageCase {
  std::string name;
  // Damages the record with this id; returns the problem text expected.
  std::string (*damage)(KernelImageBuilder&, const LocklessRingBuilder&, std::uint64_t id);
  bool survives = false;  // the damaged record is still returned (truncated)
};

std::string seq_id(std::uint64_t id) { return "record seq 2 (id " + std::to_string(id) + ")"; }

const DamageCase kDamage[] = {
    {"block owned by another id",
     [](KernelImageBuilder& img, const LocklessRingBuilder& ring, std::uint64_t id) {
       img.write_le(*ring.block_address(id), id + 7, 8);
       return seq_id(id) + ": text block belongs to id " + std::to_string(id + 7) + "; skipped";
     }},
    {"begin after next in the same wrap",
     [](KernelImageBuilder& img, const LocklessRingBuilder& ring, std::uint64_t id) {
       const auto& l = ring.layout();
       img.write_le(ring.desc_address(id) + l.text_blk_lpos + l.lpos_begin, 0x200, 8);
       img.write_le(ring.desc_address(id) + l.text_blk_lpos + l.lpos_next, 0x100, 8);
       return seq_id(id) + ": text block 0x200..0x100 is not a valid position; skipped";
     }},
    {"misaligned block",
     [](KernelImageBuilder& img, const LocklessRingBuilder& ring, std::uint64_t id) {
       const auto& l = ring.layout();
       img.write_le(ring.desc_address(id) + l.text_blk_lpos + l.lpos_begin, 0x104, 8);
       img.write_le(ring.desc_address(id) + l.text_blk_lpos + l.lpos_next, 0x120, 8);
       return seq_id(id) + ": text block 0x104..0x120 is misaligned or too short; skipped";
     }},
    {"descriptor holding a foreign id",
     [](KernelImageBuilder& img, const LocklessRingBuilder& ring, std::uint64_t id) {
       const auto& l = ring.layout();
       const std::uint64_t other = (id + 64) & (~std::uint64_t{0} >> 2);
       img.write_le(ring.desc_address(id) + l.state_var, (std::uint64_t{2} << 62) | other, 8);
       return "record id " + std::to_string(id) + ": descriptor holds id " + std::to_string(other) +
              " instead; skipped";
     }},
    {"text_len beyond its block",
     [](KernelImageBuilder& img, const LocklessRingBuilder& ring, std::uint64_t id) {
       img.write_le(ring.info_address(id) + ring.layout().text_len, 9000, 2);
       return seq_id(id) + ": text_len 9000 exceeds its block of 16 bytes; truncated";
     },
     true},
};

TEST_CASE("lockless: a damaged record in the middle is skipped, its neighbours survive") {
  for (const DamageCase& c : kDamage) {
    CAPTURE(c.name);
    KernelImageBuilder image;
    LocklessRingBuilder ring(6, 13);
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(ring.append("message " + std::to_string(i) + " padded", 1000ull * i));
    ring.install(image);
    const std::string problem = c.damage(image, ring, ids[2]);
    const KernelLog log = read_lockless_log(image);
    CHECK(lines(log.problems) == lines({problem}));
    if (c.survives) {
      REQUIRE(log.records.size() == 5);
      CHECK(log.records[2].text == "message 2 padded");
    } else {
      CHECK(lines(texts(log)) == lines({"message 0 padded", "message 1 padded", "message 3 padded",
                                                   "message 4 padded"}));
    }
  }
}

TEST_CASE("lockless: an unreadable page of text or descriptors costs only the records on it") {
  SUBCASE("text") {
    KernelImageBuilder image;
    LocklessRingBuilder ring(4, 16);  // 64 KiB of text, 9000-byte texts
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(ring.append(std::string(9000, static_cast<char>('a' + i)), i));
    ring.install(image);
    // The page 4 KiB into record 1's block holds nothing else.
    image.make_unreadable(*ring.block_address(ids[1]) + 4096, 1);
    const KernelLog log = read_lockless_log(image);
    CHECK(log.problems ==
          std::vector<std::string>{"record seq 1 (id " + std::to_string(ids[1]) + "): text unreadable; skipped"});
    REQUIRE(log.records.size() == 4);
    CHECK(log.records[0].text == std::string(9000, 'a'));
    CHECK(log.records[1].text == std::string(9000, 'c'));
  }
  SUBCASE("descriptors") {
    KernelImageBuilder image;
    LocklessRingBuilder ring(9, 16);  // 512 descriptors of 24 bytes: 12 KiB
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 400; ++i) ids.push_back(ring.append("n" + std::to_string(i), i));
    ring.install(image);
    const std::uint64_t page = ring.desc_address(ids[200]) / 4096 * 4096;
    image.make_unreadable(page, 1);
    // The ids whose descriptors lie wholly or partly on that page.
    std::vector<std::uint64_t> lost;
    for (std::uint64_t id : ids) {
      const std::uint64_t d = ring.desc_address(id);
      if (d + 24 > page && d < page + 4096) lost.push_back(id);
    }
    const KernelLog log = read_lockless_log(image);
    CHECK(lines(log.problems) == lines({"records id " + std::to_string(lost.front()) + " to " +
                                                   std::to_string(lost.back()) + ": descriptors unreadable; skipped"}));
    CHECK(log.records.size() == 400 - lost.size());
    CHECK(log.records.front().text == "n0");
    CHECK(log.records.back().text == "n399");
  }
  SUBCASE("printk_info") {
    KernelImageBuilder image;
    LocklessRingBuilder ring(9, 16);  // 512 infos of 88 bytes: 44 KiB
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 400; ++i) ids.push_back(ring.append("n" + std::to_string(i), i));
    ring.install(image);
    const std::uint64_t page = ring.info_address(ids[200]) / 4096 * 4096;
    image.make_unreadable(page, 1);
    std::vector<std::uint64_t> lost;
    for (std::uint64_t id : ids) {
      const std::uint64_t f = ring.info_address(id);
      if (f + 88 > page && f < page + 4096) lost.push_back(id);
    }
    const KernelLog log = read_lockless_log(image);
    CHECK(lines(log.problems) == lines({"records id " + std::to_string(lost.front()) + " to " +
                                        std::to_string(lost.back()) + ": printk_infos unreadable; skipped"}));
    CHECK(log.records.size() == 400 - lost.size());
  }
}

TEST_CASE("lockless: head and tail further apart than the ring is long") {
  KernelImageBuilder image;
  LocklessRingBuilder ring(3, 12);
  for (int i = 0; i < 20; ++i) ring.append("r" + std::to_string(i), i);
  ring.install(image);
  const auto& l = ring.layout();
  const std::uint64_t tail = (ring.head_id() - 1000) & (~std::uint64_t{0} >> 2);
  image.write_le(ring.prb_address() + l.desc_ring + l.tail_id, tail, 8);
  const KernelLog log = read_lockless_log(image);
  CHECK(lines(log.problems) == lines({"tail_id " + std::to_string(tail) +
                                                 " lies 1000 ids behind head_id " + std::to_string(ring.head_id()) +
                                                 ", more than the 8 descriptors; reading the newest 8"}));
  CHECK(lines(texts(log)) == lines({"r12", "r13", "r14", "r15", "r16", "r17", "r18", "r19"}));
}

TEST_CASE("lockless: a garbage count_bits over an unreadable descriptor array: a read per page, then a stop") {
  KernelImageBuilder image;
  LocklessRingBuilder ring(4, 10);
  for (int i = 0; i < 5; ++i) ring.append("r" + std::to_string(i), i);
  ring.install(image);
  const auto& l = ring.layout();
  const std::uint64_t mask = ~std::uint64_t{0} >> 2;
  const std::uint64_t tail = (ring.head_id() - (1u << 26) + 1) & mask;
  image.write_le(ring.prb_address() + l.desc_ring + l.count_bits, 26, 4);
  image.write_le(ring.prb_address() + l.desc_ring + l.tail_id, tail, 8);
  // All of the 1.5 GiB the descriptor array now claims is missing from the dump.
  image.make_unreadable(ring.desc_address(0), (std::uint64_t{1} << 26) * l.desc_size);
  const KernelLog log = read_lockless_log(image);
  CHECK(log.records.empty());
  REQUIRE(log.problems.size() == 2);
  // One read per page of descriptors; the walk stops at the first id whose
  // descriptor lies past the 65536 pages a window tolerates.
  const std::uint64_t slot0 = tail & ((std::uint64_t{1} << 26) - 1);
  const std::uint64_t first_page = slot0 * 24 / 4096;
  const std::uint64_t stop = tail + ((first_page + 65536) * 4096 + 23) / 24 - slot0;
  CHECK(log.problems[0] == "records id " + std::to_string(tail) + " to " + std::to_string(stop - 1) +
                               ": descriptors unreadable; skipped");
  CHECK(log.problems[1] == "the rings lack more than 65536 pages; stopped before record id " + std::to_string(stop));
}

TEST_CASE("lockless: what the dump cannot describe") {
  SUBCASE("a missing key names itself") {
    const char* keys[] = {"SYMBOL(prb)", "OFFSET(prb_desc.state_var)", "SIZE(printk_info)",
                          "OFFSET(prb_data_ring.size_bits)", "OFFSET(atomic_long_t.counter)"};
    for (const char* key : keys) {
      CAPTURE(key);
      KernelImageBuilder image;
      LocklessRingBuilder ring(4, 10);
      ring.append("x", 0);
      ring.install(image);
      std::string text = image.vmcoreinfo().text(), prefix = std::string(key) + "=";
      const auto at = text.find(prefix);
      REQUIRE(at != std::string::npos);
      text.erase(at, text.find('\n', at) - at + 1);
      image.set_vmcoreinfo(text);
      CHECK_THROWS_WITH_AS(read_lockless_log(image), ("VMCOREINFO lacks " + std::string(key)).c_str(),
                           MissingVmcoreinfo);
    }
  }
  SUBCASE("an offset outside its structure") {
    KernelImageBuilder image;
    LocklessRingBuilder ring(4, 10);
    ring.install(image);
    image.vmcoreinfo_line("OFFSET(prb_desc.state_var)=20");
    const KernelLog log = read_lockless_log(image);
    CHECK(log.records.empty());
    CHECK(log.problems ==
          std::vector<std::string>{"VMCOREINFO places prb_desc.state_var at 20, outside its structure of 24 bytes"});
  }
  SUBCASE("prb points nowhere") {
    KernelImageBuilder image;
    LocklessRingBuilder ring(4, 10);
    ring.install(image);
    image.write_le(image.vmcoreinfo().symbol("prb").value(), 0xffffffffdead0000, 8);
    const KernelLog log = read_lockless_log(image);
    CHECK(lines(log.problems) == lines({"cannot read struct printk_ringbuffer at 0xffffffffdead0000"}));
  }
  SUBCASE("garbage ring sizes") {
    KernelImageBuilder image;
    LocklessRingBuilder ring(4, 10);
    ring.install(image);
    const auto& l = ring.layout();
    image.write_le(ring.prb_address() + l.desc_ring + l.count_bits, 40, 4);
    CHECK(lines(read_lockless_log(image).problems) == lines({"implausible descriptor count_bits 40"}));
    image.write_le(ring.prb_address() + l.desc_ring + l.count_bits, 4, 4);
    image.write_le(ring.prb_address() + l.text_data_ring + l.size_bits, 63, 4);
    CHECK(lines(read_lockless_log(image).problems) == lines({"implausible text data ring size_bits 63"}));
  }
}

}  // namespace
}  // namespace kdump::dmesg
