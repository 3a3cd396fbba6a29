#include "dmesg/printk_ringbuffer.h"

// The walk follows the reference tools (kexec-tools util_lib/elf_info.c
// dump_dmesg_lockless, makedumpfile printk.c dump_lockless_dmesg): every id
// from tail_id to head_id inclusive, printing committed and finalized
// descriptors and skipping the rest. Where the tools trust the buffer, this
// reader checks it the way the kernel's own reader does (get_data() in
// printk_ringbuffer.c): the block position must be a regular or a wrapping
// block, aligned, at least an id long, and the id stored in front of the text
// must be the descriptor's. A record that fails is reported and skipped; the
// walk goes on with the next id. Every structure layout comes from VMCOREINFO;
// the few facts it does not carry are named, with their source, where used.
// The rings are read through page-cached windows, so a garbage count_bits or
// size_bits costs no memory beyond the pages actually touched.

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "dmesg/memory_window.h"
#include "dmesg/problem_list.h"

namespace kdump::dmesg {
namespace {

// Largest rings a kernel can have: log_buf_len is capped at 1 << 31
// (LOG_BUF_LEN_MAX, kernel/printk/printk.c), and the descriptor count is the
// text size divided by 2^PRB_AVGBITS (5).
constexpr std::uint64_t kMaxSizeBits = 31;
constexpr std::uint64_t kMaxCountBits = 26;
// No exported structure is anywhere near this; larger means garbage.
constexpr std::int64_t kMaxStructSize = 4096;
// The unit in which a dump lacks memory.
constexpr std::uint64_t kPage = 4096;

// Descriptor states: the two top bits of state_var (DESC_SV_BITS,
// DESC_FLAGS_SHIFT and enum desc_state in kernel/printk/printk_ringbuffer.h).
enum class DescState : std::uint8_t { kReserved = 0, kCommitted = 1, kFinalized = 2, kReusable = 3 };

struct Layout {
  std::uint64_t prb = 0;  // address of the pointer variable `prb`
  std::size_t word = 8;   // sizeof(unsigned long) in the crashed kernel
  std::int64_t ringbuffer_size, desc_ring, text_data_ring;
  std::int64_t count_bits, descs, infos, head_id, tail_id;
  std::int64_t size_bits, data;
  std::int64_t desc_size, state_var, text_blk_lpos, lpos_begin, lpos_next;
  std::int64_t info_size, seq, ts_nsec, text_len;
  std::optional<std::int64_t> caller_id;
  std::int64_t counter;  // atomic_long_t.counter
};

Layout read_layout(const VmcoreInfo& vi) {
  Layout l;
  l.prb = vi.require_symbol("prb");
  l.ringbuffer_size = vi.require_size("printk_ringbuffer");
  l.desc_ring = vi.require_offset("printk_ringbuffer.desc_ring");
  l.text_data_ring = vi.require_offset("printk_ringbuffer.text_data_ring");
  l.count_bits = vi.require_offset("prb_desc_ring.count_bits");
  l.descs = vi.require_offset("prb_desc_ring.descs");
  l.infos = vi.require_offset("prb_desc_ring.infos");
  l.head_id = vi.require_offset("prb_desc_ring.head_id");
  l.tail_id = vi.require_offset("prb_desc_ring.tail_id");
  l.size_bits = vi.require_offset("prb_data_ring.size_bits");
  l.data = vi.require_offset("prb_data_ring.data");
  l.desc_size = vi.require_size("prb_desc");
  l.state_var = vi.require_offset("prb_desc.state_var");
  l.text_blk_lpos = vi.require_offset("prb_desc.text_blk_lpos");
  l.lpos_begin = vi.require_offset("prb_data_blk_lpos.begin");
  l.lpos_next = vi.require_offset("prb_data_blk_lpos.next");
  l.info_size = vi.require_size("printk_info");
  l.seq = vi.require_offset("printk_info.seq");
  l.ts_nsec = vi.require_offset("printk_info.ts_nsec");
  l.text_len = vi.require_offset("printk_info.text_len");
  l.caller_id = vi.offset("printk_info.caller_id");
  l.counter = vi.require_offset("atomic_long_t.counter");
  // sizeof(unsigned long): SIZE(atomic_long_t) where exported (5.10+ does);
  // otherwise kernel addresses above 4 GiB mean a 64-bit kernel.
  if (auto s = vi.size("atomic_long_t"))
    l.word = static_cast<std::size_t>(*s);
  else
    l.word = l.prb > 0xffffffffu ? 8 : 4;
  return l;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

// Returns what is wrong with the layout, if anything: every field read must lie
// inside its structure, so that no later load needs a bounds check.
std::optional<std::string> check_layout(const Layout& l) {
  if (l.word != 4 && l.word != 8) return "SIZE(atomic_long_t)=" + std::to_string(l.word) + " is neither 4 nor 8";
  struct Fit {
    const char* what;
    std::int64_t at;      // offset of the field inside its structure
    std::int64_t width;   // bytes read there
    std::int64_t within;  // size of the structure
  };
  const std::int64_t w = static_cast<std::int64_t>(l.word);
  const Fit fits[] = {
      {"prb_desc_ring.count_bits", l.desc_ring + l.count_bits, 4, l.ringbuffer_size},
      {"prb_desc_ring.descs", l.desc_ring + l.descs, w, l.ringbuffer_size},
      {"prb_desc_ring.infos", l.desc_ring + l.infos, w, l.ringbuffer_size},
      {"prb_desc_ring.head_id", l.desc_ring + l.head_id + l.counter, w, l.ringbuffer_size},
      {"prb_desc_ring.tail_id", l.desc_ring + l.tail_id + l.counter, w, l.ringbuffer_size},
      {"prb_data_ring.size_bits", l.text_data_ring + l.size_bits, 4, l.ringbuffer_size},
      {"prb_data_ring.data", l.text_data_ring + l.data, w, l.ringbuffer_size},
      {"prb_desc.state_var", l.state_var + l.counter, w, l.desc_size},
      {"prb_data_blk_lpos.begin", l.text_blk_lpos + l.lpos_begin, w, l.desc_size},
      {"prb_data_blk_lpos.next", l.text_blk_lpos + l.lpos_next, w, l.desc_size},
      {"printk_info.seq", l.seq, 8, l.info_size},
      {"printk_info.ts_nsec", l.ts_nsec, 8, l.info_size},
      {"printk_info.text_len", l.text_len, 2, l.info_size},
      {"printk_info.caller_id", l.caller_id.value_or(0), l.caller_id ? 4 : 0, l.info_size},
  };
  for (auto size : {l.ringbuffer_size, l.desc_size, l.info_size})
    if (size <= 0 || size > kMaxStructSize)
      return "VMCOREINFO gives an implausible structure size " + std::to_string(size);
  for (const Fit& f : fits) {
    // Each term is a VMCOREINFO value; a negative one or a sum outside the
    // structure would make the reader look at the wrong bytes.
    if (f.at < 0 || f.at > kMaxStructSize || f.at + f.width > f.within)
      return std::string("VMCOREINFO places ") + f.what + " at " + std::to_string(f.at) +
             ", outside its structure of " + std::to_string(f.within) + " bytes";
  }
  return std::nullopt;
}

// The ring's geometry as the crashed kernel saw it.
struct Rings {
  std::uint64_t count = 0;      // descriptors
  std::uint64_t data_size = 0;  // bytes of text data ring
  std::uint64_t size_bits = 0;
  std::uint64_t id_mask = 0;    // DESC_ID_MASK: state_var without its state bits
  std::uint64_t lpos_mask = 0;  // unsigned long arithmetic
};

class Walk {
 public:
  Walk(KernelMemory& memory, const Layout& l, const Rings& r, std::uint64_t descs, std::uint64_t infos,
       std::uint64_t data, ProblemList& problems)
      : l_(l),
        r_(r),
        descs_(memory, descs, r.count * static_cast<std::uint64_t>(l.desc_size)),
        descs_base_(descs),
        infos_(memory, infos, r.count * static_cast<std::uint64_t>(l.info_size)),
        text_(memory, data, r.data_size),
        desc_buf_(static_cast<std::size_t>(l.desc_size)),
        info_buf_(static_cast<std::size_t>(l.info_size)),
        problems_(problems) {}

  // Reads the record with this id, if it is one to print. Sets `consumed`
  // to the number of ids dealt with: more than one when the descriptor
  // array is unreadable, since every id up to the next page shares its fate.
  // `remaining` counts this id and those after it up to the head.
  std::optional<LogRecord> record(std::uint64_t id, std::uint64_t remaining, std::uint64_t& consumed) {
    extended_ = false;
    consumed = 1;
    auto rec = read_record(id, remaining, consumed);
    if (!extended_) flush_unreadable();
    return rec;
  }
  // Reports a pending run of records lost to unreadable pages.
  void flush_unreadable();
  // True once the rings lack so many pages that the walk should stop.
  bool gave_up() const { return descs_.gave_up() || infos_.gave_up() || text_.gave_up(); }

 private:
  std::uint64_t word_at(std::span<const std::byte> b, std::int64_t at) const {
    return load_le(b, static_cast<std::size_t>(at), l_.word);
  }
  std::optional<LogRecord> read_record(std::uint64_t id, std::uint64_t remaining, std::uint64_t& consumed);
  void problem(std::string message) {
    flush_unreadable();
    problems_.add(std::move(message));
  }
  std::optional<LogRecord> text_record(std::uint64_t id, std::uint64_t begin, std::uint64_t next, LogRecord rec,
                                       std::uint16_t text_len);

  // One unreadable page holds the descriptors or infos of many records:
  // consecutive ids lost the same way make one problem.
  enum class Lost { kNone, kDescriptor, kInfo };
  void lost(Lost what, std::uint64_t id);

  const Layout& l_;
  const Rings& r_;
  MemoryWindow descs_;
  std::uint64_t descs_base_;
  MemoryWindow infos_, text_;
  std::vector<std::byte> desc_buf_, info_buf_;
  ProblemList& problems_;
  Lost run_ = Lost::kNone;
  bool extended_ = false;
  std::uint64_t run_first_ = 0, run_last_ = 0;
};

void Walk::lost(Lost what, std::uint64_t id) {
  extended_ = true;
  if (run_ == what && id == ((run_last_ + 1) & r_.id_mask)) {
    run_last_ = id;
    return;
  }
  flush_unreadable();
  run_ = what;
  run_first_ = run_last_ = id;
}

void Walk::flush_unreadable() {
  if (run_ == Lost::kNone) return;
  const char* one = run_ == Lost::kDescriptor ? "descriptor" : "printk_info";
  const char* many = run_ == Lost::kDescriptor ? "descriptors" : "printk_infos";
  if (run_first_ == run_last_)
    problems_.add("record id " + std::to_string(run_first_) + ": " + one + " unreadable; skipped");
  else
    problems_.add("records id " + std::to_string(run_first_) + " to " + std::to_string(run_last_) + ": " + many +
                  " unreadable; skipped");
  run_ = Lost::kNone;
}

std::optional<LogRecord> Walk::read_record(std::uint64_t id, std::uint64_t remaining, std::uint64_t& consumed) {
  const std::uint64_t slot = id % r_.count;
  const auto desc_size = static_cast<std::uint64_t>(l_.desc_size);
  if (!descs_.read(slot * desc_size, desc_buf_)) {
    const std::uint64_t page_end = ((descs_base_ + slot * desc_size) / kPage + 1) * kPage - descs_base_;
    const std::uint64_t next_slot = std::min((page_end + desc_size - 1) / desc_size, r_.count);
    consumed = std::clamp<std::uint64_t>(next_slot - slot, 1, remaining);
    lost(Lost::kDescriptor, id);
    run_last_ = (id + consumed - 1) & r_.id_mask;
    return std::nullopt;
  }

  const std::uint64_t sv = word_at(desc_buf_, l_.state_var + l_.counter);
  const std::uint64_t sv_id = sv & r_.id_mask;
  const auto state = static_cast<DescState>((sv >> (l_.word * 8 - 2)) & 3);
  // Messages are built only when needed: this runs once per record.
  const auto who = [id] { return "record id " + std::to_string(id); };
  if (sv_id != id) {
    // The head descriptor keeps its previous id until the writer that just
    // moved head_id claims it (desc_reserve() in printk_ringbuffer.c).
    if (remaining == 1)
      problem(who() + " was being reserved when the kernel stopped; skipped");
    else
      problem(who() + ": descriptor holds id " + std::to_string(sv_id) + " instead; skipped");
    return std::nullopt;
  }
  if (state == DescState::kReusable) return std::nullopt;  // already recycled: not a record any more
  if (state == DescState::kReserved) {
    problem(who() + " was being written when the kernel stopped (descriptor reserved); skipped");
    return std::nullopt;
  }

  if (!infos_.read(slot * static_cast<std::uint64_t>(l_.info_size), info_buf_)) {
    lost(Lost::kInfo, id);
    return std::nullopt;
  }
  LogRecord rec;
  rec.seq = load_le(info_buf_, static_cast<std::size_t>(l_.seq), 8);
  rec.ts_nsec = load_le(info_buf_, static_cast<std::size_t>(l_.ts_nsec), 8);
  const auto text_len = static_cast<std::uint16_t>(load_le(info_buf_, static_cast<std::size_t>(l_.text_len), 2));
  if (l_.caller_id) rec.caller_id = static_cast<std::uint32_t>(load_le(info_buf_, static_cast<std::size_t>(*l_.caller_id), 4));
  // Not exported: struct printk_info has `u8 facility; u8 flags:5; u8 level:3;`
  // right after `u16 text_len` (kernel/printk/printk_ringbuffer.h), and GCC
  // fills bit-fields from the low bit on little-endian targets.
  const auto after_len = static_cast<std::size_t>(l_.text_len) + 2;
  if (after_len + 2 <= info_buf_.size()) {
    rec.facility = std::to_integer<std::uint8_t>(info_buf_[after_len]);
    rec.level = std::to_integer<std::uint8_t>(info_buf_[after_len + 1]) >> 5;
  }

  const std::uint64_t begin = word_at(desc_buf_, l_.text_blk_lpos + l_.lpos_begin);
  const std::uint64_t next = word_at(desc_buf_, l_.text_blk_lpos + l_.lpos_next);
  // A data-less record has both positions odd (FAILED_LPOS 0x1, NO_LPOS 0x3:
  // LPOS_DATALESS in kernel/printk/printk_ringbuffer.h).
  if ((begin & 1) && (next & 1)) {
    rec.kind = LogRecord::Kind::kDataless;
    return rec;
  }
  return text_record(id, begin, next, std::move(rec), text_len);
}

std::optional<LogRecord> Walk::text_record(std::uint64_t id, std::uint64_t begin, std::uint64_t next, LogRecord rec,
                                           std::uint16_t text_len) {
  const auto who = [&] { return "record seq " + std::to_string(rec.seq) + " (id " + std::to_string(id) + ")"; };
  const auto wraps = [&](std::uint64_t lpos) { return (lpos & r_.lpos_mask) >> r_.size_bits; };
  const auto index = [&](std::uint64_t lpos) { return lpos & (r_.data_size - 1); };
  std::uint64_t block = 0, block_size = 0;
  if (wraps(begin) == wraps(next) && begin < next) {  // regular block
    block = index(begin);
    block_size = next - begin;
  } else if (wraps(begin + r_.data_size) == wraps(next)) {  // wrapped: stored at the ring's start
    block = 0;
    block_size = index(next);
  } else {
    problem(who() + ": text block " + hex(begin) + ".." + hex(next) + " is not a valid position; skipped");
    return std::nullopt;
  }
  if (begin % l_.word != 0 || next % l_.word != 0 || block_size < l_.word) {
    problem(who() + ": text block " + hex(begin) + ".." + hex(next) + " is misaligned or too short; skipped");
    return std::nullopt;
  }
  // Each block starts with the id of the descriptor that owns it
  // (struct prb_data_block in printk_ringbuffer.c).
  auto owner = text_.read_le(block, l_.word);
  if (!owner) {
    problem(who() + ": text unreadable; skipped");
    return std::nullopt;
  }
  if (*owner != id) {
    problem(who() + ": text block belongs to id " + std::to_string(*owner) + "; skipped");
    return std::nullopt;
  }
  std::uint64_t len = text_len;
  if (len > block_size - l_.word) {
    // The tools print what the block holds; so does this reader, but says so.
    problem(who() + ": text_len " + std::to_string(text_len) + " exceeds its block of " +
                  std::to_string(block_size - l_.word) + " bytes; truncated");
    len = block_size - l_.word;
  }
  rec.text.resize(static_cast<std::size_t>(len));
  if (!text_.read(block + l_.word, std::as_writable_bytes(std::span(rec.text)))) {
    problem(who() + ": text unreadable; skipped");
    return std::nullopt;
  }
  return rec;
}

}  // namespace

bool has_lockless_log(const VmcoreInfo& info) { return info.has("SYMBOL(prb)"); }

KernelLog read_lockless_log(KernelMemory& memory) {
  const Layout l = read_layout(memory.vmcoreinfo());
  KernelLog log;
  log.format = KernelLog::Format::kLockless;
  ProblemList problems;
  auto give_up = [&](std::string why) {
    problems.add(std::move(why));
    log.problems = problems.take();
    return log;
  };
  if (auto bad = check_layout(l)) return give_up(*bad);

  auto prb = read_word(memory, l.prb, l.word);
  if (!prb) return give_up("cannot read the pointer prb at " + hex(l.prb));
  std::vector<std::byte> rb(static_cast<std::size_t>(l.ringbuffer_size));
  if (memory.read_virtual(*prb, rb) != rb.size())
    return give_up("cannot read struct printk_ringbuffer at " + hex(*prb));
  auto field = [&](std::int64_t at, std::size_t width) { return load_le(rb, static_cast<std::size_t>(at), width); };

  Rings r;
  const std::uint64_t count_bits = field(l.desc_ring + l.count_bits, 4);
  r.size_bits = field(l.text_data_ring + l.size_bits, 4);
  if (count_bits > kMaxCountBits) return give_up("implausible descriptor count_bits " + std::to_string(count_bits));
  if (r.size_bits > kMaxSizeBits || r.size_bits < 4)
    return give_up("implausible text data ring size_bits " + std::to_string(r.size_bits));
  r.count = std::uint64_t{1} << count_bits;
  r.data_size = std::uint64_t{1} << r.size_bits;
  r.lpos_mask = l.word == 8 ? ~std::uint64_t{0} : 0xffffffffu;
  r.id_mask = r.lpos_mask >> 2;

  const std::uint64_t descs = field(l.desc_ring + l.descs, l.word);
  const std::uint64_t infos = field(l.desc_ring + l.infos, l.word);
  const std::uint64_t data = field(l.text_data_ring + l.data, l.word);
  const std::uint64_t head = field(l.desc_ring + l.head_id + l.counter, l.word) & r.id_mask;
  std::uint64_t tail = field(l.desc_ring + l.tail_id + l.counter, l.word) & r.id_mask;

  // The kernel keeps head_id - tail_id below the descriptor count
  // (desc_reserve() pushes the tail first); more means a damaged id.
  std::uint64_t span = (head - tail) & r.id_mask;
  if (span >= r.count) {
    problems.add("tail_id " + std::to_string(tail) + " lies " + std::to_string(span) + " ids behind head_id " +
                 std::to_string(head) + ", more than the " + std::to_string(r.count) +
                 " descriptors; reading the newest " + std::to_string(r.count));
    span = r.count - 1;
    tail = (head - span) & r.id_mask;
  }

  Walk walk(memory, l, r, descs, infos, data, problems);
  for (std::uint64_t i = 0, consumed = 1; i <= span; i += consumed) {
    const std::uint64_t id = (tail + i) & r.id_mask;
    if (walk.gave_up()) {
      walk.flush_unreadable();
      problems.add("the rings lack more than " + std::to_string(MemoryWindow::kMaxMissingPages) +
                   " pages; stopped before record id " + std::to_string(id));
      break;
    }
    if (auto rec = walk.record(id, span - i + 1, consumed)) log.records.push_back(std::move(*rec));
  }
  walk.flush_unreadable();
  log.problems = problems.take();
  return log;
}

}  // namespace kdump::dmesg
