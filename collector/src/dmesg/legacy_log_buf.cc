#include "dmesg/legacy_log_buf.h"

// The walk is the kernel's own (log_from_idx()/log_next() in printk.c of
// 3.5-5.9): records follow each other from log_first_idx; a header with
// len == 0 marks the end of the used space and the walk continues at offset
// 0, until log_next_idx. The used space is therefore one segment
// [first, next) or two, [first, end marker) and [0, next).
//
// A record whose length does not add up breaks the chain, since the next
// header is found only through it. Rather than stop there (as both reference
// tools do), the reader scans forward, 4 bytes at a time, for the next header
// that is self-consistent: len equals the header plus text plus dictionary,
// rounded up to the record alignment, and fits in the segment. Records after
// the damage thus survive; the skipped bytes are reported.
//
// The end marker is kept as a record of its own kind because vmcore-dmesg
// prints it (it formats the zeroed header before wrapping); makedumpfile and
// the kernel do not.

#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "dmesg/memory_window.h"
#include "dmesg/problem_list.h"

namespace kdump::dmesg {
namespace {

constexpr std::uint64_t kMaxLogBufLen = std::uint64_t{1} << 31;  // LOG_BUF_LEN_MAX, kernel/printk/printk.c
constexpr std::int64_t kMaxHeaderSize = 256;
// Records start at multiples of LOG_ALIGN: 4 on architectures with efficient
// unaligned access (x86), __alignof__(struct printk_log) = 8 elsewhere
// (kernel/printk/printk.c). The scan uses the smaller step.
constexpr std::uint64_t kScanStep = 4;
// The unit in which a dump lacks memory.
constexpr std::uint64_t kPage = 4096;

struct Layout {
  std::uint64_t log_buf = 0, log_buf_len = 0, log_first_idx = 0, log_next_idx = 0;  // symbol addresses
  std::size_t word = 8;
  std::int64_t header_size = 0, ts_nsec = 0, len = 0, text_len = 0;
  std::optional<std::int64_t> dict_len, caller_id;
};

// 3.5-3.10 call the structure `log`, 3.11-5.9 `printk_log`; the reference
// tools accept both.
std::int64_t header_offset(const VmcoreInfo& vi, std::string_view member, bool required) {
  const std::string modern = "printk_log." + std::string(member);
  if (auto v = vi.offset(modern)) return *v;
  if (auto v = vi.offset("log." + std::string(member))) return *v;
  if (required) throw MissingVmcoreinfo("OFFSET(" + modern + ")");
  return -1;
}

Layout read_layout(const VmcoreInfo& vi) {
  Layout l;
  l.log_buf = vi.require_symbol("log_buf");
  l.log_buf_len = vi.require_symbol("log_buf_len");
  l.log_first_idx = vi.require_symbol("log_first_idx");
  l.log_next_idx = vi.require_symbol("log_next_idx");
  if (auto s = vi.size("printk_log"))
    l.header_size = *s;
  else if (auto old = vi.size("log"))
    l.header_size = *old;
  else
    throw MissingVmcoreinfo("SIZE(printk_log)");
  l.ts_nsec = header_offset(vi, "ts_nsec", true);
  l.len = header_offset(vi, "len", true);
  l.text_len = header_offset(vi, "text_len", true);
  if (auto d = header_offset(vi, "dict_len", false); d >= 0) l.dict_len = d;
  if (auto c = header_offset(vi, "caller_id", false); c >= 0) l.caller_id = c;
  // Pointer width: SIZE(atomic_long_t) is not exported before 5.10, so a
  // kernel address above 4 GiB is taken to mean a 64-bit kernel.
  l.word = l.log_buf > 0xffffffffu ? 8 : 4;
  return l;
}

std::optional<std::string> check_layout(const Layout& l) {
  if (l.header_size <= 0 || l.header_size > kMaxHeaderSize)
    return "VMCOREINFO gives an implausible SIZE(printk_log) " + std::to_string(l.header_size);
  struct Fit {
    const char* what;
    std::int64_t at, width;
  };
  const Fit fits[] = {{"ts_nsec", l.ts_nsec, 8},
                      {"len", l.len, 2},
                      {"text_len", l.text_len, 2},
                      {"dict_len", l.dict_len.value_or(0), l.dict_len ? 2 : 0},
                      {"caller_id", l.caller_id.value_or(0), l.caller_id ? 4 : 0}};
  for (const Fit& f : fits)
    if (f.at < 0 || f.at + f.width > l.header_size)
      return std::string("VMCOREINFO places printk_log.") + f.what + " at " + std::to_string(f.at) +
             ", outside its header of " + std::to_string(l.header_size) + " bytes";
  return std::nullopt;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

struct Header {
  std::uint64_t ts_nsec = 0;
  std::uint64_t len = 0, text_len = 0, dict_len = 0;
  std::uint32_t caller_id = 0;
  std::uint8_t facility = 0, level = 0;
};

class Walk {
 public:
  Walk(KernelMemory& memory, const Layout& l, std::uint64_t buf, std::uint64_t buf_len, ProblemList& problems)
      : l_(l), buf_(memory, buf, buf_len), base_(buf), buf_len_(buf_len),
        raw_(static_cast<std::size_t>(l.header_size)),
        problems_(problems) {}

  // Walks [pos, end) of the buffer; returns true if it ended on an end marker
  // (only looked for when `marker_ends` says this segment may end with one).
  bool segment(std::uint64_t pos, std::uint64_t end, bool marker_ends, std::vector<LogRecord>& out);

 private:
  std::optional<Header> header(std::uint64_t pos);
  bool consistent(const Header& h, std::uint64_t pos, std::uint64_t end) const;
  std::optional<std::uint64_t> resync(std::uint64_t from, std::uint64_t end);
  std::string bytes(std::uint64_t pos, std::uint64_t n);
  void add(std::vector<LogRecord>& out, LogRecord rec) {
    rec.seq = next_seq_++;
    out.push_back(std::move(rec));
  }

  const Layout& l_;
  MemoryWindow buf_;
  std::uint64_t base_;
  std::uint64_t buf_len_;
  std::vector<std::byte> raw_;
  ProblemList& problems_;
  std::uint64_t next_seq_ = 0;
};

std::optional<Header> Walk::header(std::uint64_t pos) {
  if (!buf_.read(pos, raw_)) return std::nullopt;
  auto at = [&](std::int64_t off, std::size_t width) { return load_le(raw_, static_cast<std::size_t>(off), width); };
  Header h;
  h.ts_nsec = at(l_.ts_nsec, 8);
  h.len = at(l_.len, 2);
  h.text_len = at(l_.text_len, 2);
  if (l_.dict_len) {
    h.dict_len = at(*l_.dict_len, 2);
    // Not exported: struct printk_log has `u8 facility; u8 flags:5; u8 level:3;`
    // right after `u16 dict_len` (kernel/printk/printk.c, 3.5-5.9), and GCC
    // fills bit-fields from the low bit on little-endian targets.
    const auto after = static_cast<std::size_t>(*l_.dict_len) + 2;
    if (after + 2 <= raw_.size()) {
      h.facility = std::to_integer<std::uint8_t>(raw_[after]);
      h.level = std::to_integer<std::uint8_t>(raw_[after + 1]) >> 5;
    }
  }
  if (l_.caller_id) h.caller_id = static_cast<std::uint32_t>(at(*l_.caller_id, 4));
  return h;
}

// The kernel sets len = header + text + dict + padding to the record
// alignment (msg_used_size() in printk.c), so at most 7 bytes of slack.
bool Walk::consistent(const Header& h, std::uint64_t pos, std::uint64_t end) const {
  const std::uint64_t used = static_cast<std::uint64_t>(l_.header_size) + h.text_len + h.dict_len;
  if (h.len < used || pos + h.len > end) return false;
  if (!l_.dict_len) return true;  // without dict_len the slack is unknown
  return h.len - used < 8 && h.len % kScanStep == 0;
}

std::optional<std::uint64_t> Walk::resync(std::uint64_t from, std::uint64_t end) {
  const auto size = static_cast<std::uint64_t>(l_.header_size);
  for (std::uint64_t q = from; q + size <= end && !buf_.gave_up();) {
    auto h = header(q);
    if (h && h->len != 0 && consistent(*h, q, end)) return q;
    if (h) {
      q += kScanStep;
    } else {
      // Every position up to the next page boundary fails the same way: go
      // there in one step (keeping the scan's alignment), so a hole of any
      // size costs one read per page.
      const std::uint64_t page_end = ((base_ + q) / kPage + 1) * kPage - base_;
      q += (page_end - q + kScanStep - 1) / kScanStep * kScanStep;
    }
  }
  return std::nullopt;
}

std::string Walk::bytes(std::uint64_t pos, std::uint64_t n) {
  std::string s(static_cast<std::size_t>(n), '\0');
  if (!buf_.read(pos, std::as_writable_bytes(std::span(s)))) return {};
  return s;
}

bool Walk::segment(std::uint64_t pos, std::uint64_t end, bool marker_ends, std::vector<LogRecord>& out) {
  const auto size = static_cast<std::uint64_t>(l_.header_size);
  while (pos < end) {
    std::optional<Header> h;
    if (pos + size <= end) h = header(pos);
    if (h && h->len == 0 && marker_ends) {
      // vmcore-dmesg formats this header as a record; its text, if the
      // header claims any, is what follows it in the buffer.
      LogRecord marker;
      marker.kind = LogRecord::Kind::kWrapMarker;
      marker.ts_nsec = h->ts_nsec;
      if (pos + size + h->text_len <= buf_len_) marker.text = bytes(pos + size, h->text_len);
      add(out, std::move(marker));
      return true;
    }
    if (h && consistent(*h, pos, end)) {
      LogRecord rec;
      rec.ts_nsec = h->ts_nsec;
      rec.caller_id = h->caller_id;
      rec.facility = h->facility;
      rec.level = h->level;
      const std::string body = bytes(pos + size, h->text_len + h->dict_len);
      if (body.size() == h->text_len + h->dict_len) {
        rec.text = body.substr(0, static_cast<std::size_t>(h->text_len));
        rec.dict = body.substr(static_cast<std::size_t>(h->text_len));
        add(out, std::move(rec));
      } else {
        problems_.add("record at log_buf offset " + std::to_string(pos) + ": text unreadable; skipped");
      }
      pos += h->len;
      continue;
    }
    std::string why = !h ? (pos + size > end ? "header runs past the end of the used space"
                                              : "header unreadable")
                         : "length " + std::to_string(h->len) + " does not fit its text (" +
                               std::to_string(h->text_len) + ") and dictionary (" + std::to_string(h->dict_len) + ")";
    auto found = resync(pos + kScanStep, end);
    if (buf_.gave_up()) {
      problems_.add("record at log_buf offset " + std::to_string(pos) + ": " + why + "; log_buf lacks more than " +
                    std::to_string(MemoryWindow::kMaxMissingPages) + " pages, stopped");
      return false;
    }
    if (!found) {
      problems_.add("record at log_buf offset " + std::to_string(pos) + ": " + why + "; skipped the remaining " +
                    std::to_string(end - pos) + " bytes of the segment");
      return false;
    }
    problems_.add("record at log_buf offset " + std::to_string(pos) + ": " + why + "; skipped " +
                  std::to_string(*found - pos) + " bytes to the next consistent record");
    pos = *found;
  }
  return false;
}

}  // namespace

bool has_legacy_log(const VmcoreInfo& info) { return info.has("SYMBOL(log_first_idx)"); }

KernelLog read_legacy_log(KernelMemory& memory) {
  const Layout l = read_layout(memory.vmcoreinfo());
  KernelLog log;
  log.format = KernelLog::Format::kLegacy;
  ProblemList problems;
  auto give_up = [&](std::string why) {
    problems.add(std::move(why));
    log.problems = problems.take();
    return log;
  };
  if (auto bad = check_layout(l)) return give_up(*bad);

  auto buf = read_word(memory, l.log_buf, l.word);
  auto buf_len = read_word(memory, l.log_buf_len, 4);
  auto first = read_word(memory, l.log_first_idx, 4);
  auto next = read_word(memory, l.log_next_idx, 4);
  if (!buf || !buf_len || !first || !next)
    return give_up("cannot read log_buf, log_buf_len, log_first_idx or log_next_idx (at " + hex(l.log_buf) + ", " +
                   hex(l.log_buf_len) + ", " + hex(l.log_first_idx) + ", " + hex(l.log_next_idx) + ")");
  if (*buf_len < static_cast<std::uint64_t>(l.header_size) || *buf_len > kMaxLogBufLen)
    return give_up("implausible log_buf_len " + std::to_string(*buf_len));
  if (*first >= *buf_len || *next >= *buf_len)
    return give_up("log_first_idx " + std::to_string(*first) + " or log_next_idx " + std::to_string(*next) +
                   " lies outside log_buf of " + std::to_string(*buf_len) + " bytes");

  Walk walk(memory, l, *buf, *buf_len, problems);
  if (*first <= *next) {
    // The kernel never lets log_next_idx catch up with log_first_idx from
    // behind (logbuf_has_space() keeps room for a marker), so equal means empty.
    walk.segment(*first, *next, false, log.records);
  } else {
    if (!walk.segment(*first, *buf_len, true, log.records))
      problems.add("no end-of-buffer marker between log_first_idx " + std::to_string(*first) +
                   " and the end of log_buf; continuing at offset 0");
    walk.segment(0, *next, false, log.records);
  }
  log.problems = problems.take();
  return log;
}

}  // namespace kdump::dmesg
