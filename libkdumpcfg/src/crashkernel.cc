// crashkernel= evaluated as Linux does at boot on x86_64.
//
// The kernel does not split its command line into parameters for this: it
// searches the raw string. Replaying that search, not a tidy tokeniser, is the
// point of this file, because the quirks decide what a machine reserves:
// - "crashkernel=" is found with strstr anywhere, so "xcrashkernel=1G" and
//   "foo=crashkernel=1G" count, and so does one after "--" (which ends the
//   kernel's own parameters everywhere else). The match's "token" runs to the
//   next ' ' only: tabs and quotes are ordinary characters here.
// - Each search keeps the last match whose token fits: the plain search skips
//   tokens ending in a known suffix (",high", ",low", and since 6.16 ",cma");
//   a suffix search takes the last token ending in that suffix.
// - A ':' before the next space selects the range syntax; it is searched for
//   past the token, as strchr on the rest of the line does.
// - The range syntax rounds system RAM up to 128 MiB (since Linux 6.0) before
//   matching; "start-[end]:size" matches when start <= RAM < end, and every
//   size up to and including the match must be below the rounded RAM (so a
//   512M machine rejects "...,64G-:512M" outright). Text after the
//   matching entry is skipped up to '@' or a space, so garbage there is ignored.
// - "size@" takes no base check in the plain syntax: "256M@" and "256M@x"
//   mean base 0, and text after the base is ignored. The range syntax does
//   require a number after '@'.
// - Reading past the end of a token is reading the rest of the line, as the
//   kernel does; the line ends at its first NUL.
// Rules differ between kernels (CrashkernelRules). The 6.1 and 6.12 rules were
// checked against Debian's 6.1.192 and 6.12.117 kernels booted in QEMU with
// about forty command lines (strstr matches, rounding, fallbacks, swiotlb=).
// - 6.16 (kernel/crash_reserve.c): the ",high" form is tried only when no
//   plain crashkernel= exists; a bad ",low" rejects everything; ",cma" adds a
//   CMA area whose parse errors are ignored (the number read before the error
//   is kept, as the kernel keeps it); the size must be below system RAM
//   (a July 2024 patch, present in 6.12; 6.7 to 6.11 lack only that check).
//   6.12 to 6.15 behave the same without ",cma", which they treat as plain.
// - 6.1 (arch/x86/kernel/setup.c before 6.7): ",high" is tried whenever the
//   plain form failed or gave zero; a ",low" that does not parse means the
//   default low size; no size-below-RAM check; ",cma" is unknown.
// The kernel's own messages are paraphrased; each names the value and place.
#include "kdumpcfg/crashkernel.h"

#include <array>
#include <span>

namespace kdump::cfg {
namespace {

constexpr std::string_view kName = "crashkernel=";
constexpr std::uint64_t k128M = 128ull << 20;

constexpr std::string_view kHigh = ",high";
constexpr std::string_view kLow = ",low";
constexpr std::string_view kCma = ",cma";
constexpr std::array<std::string_view, 3> kSuffixes6_16{kHigh, kLow, kCma};
constexpr std::array<std::string_view, 2> kSuffixes6_1{kHigh, kLow};  // also 6.7 to 6.15

char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }
std::string_view rest(std::string_view s, std::size_t i) { return i < s.size() ? s.substr(i) : std::string_view{}; }
std::string_view up_to_space(std::string_view s) { return s.substr(0, s.find(' ')); }

std::string escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\' && c != '"') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// "1G", "1536M", "12345": the largest size letter that divides exactly.
std::string format_size(std::uint64_t bytes) {
  static constexpr std::array<const char*, 7> kUnits{"", "K", "M", "G", "T", "P", "E"};
  std::size_t unit = 0;
  while (bytes != 0 && bytes % 1024 == 0 && unit + 1 < kUnits.size()) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

// Where a parse stopped, for a message: the text up to the next space.
std::string where(std::string_view line, std::size_t pos) {
  const std::string_view tail = up_to_space(rest(line, pos));
  if (tail.empty()) return "at the end of the value";
  return "at \"" + escaped(tail) + "\"";
}

std::string char_name(char c) {
  if (c == '\0') return "end of line";
  return "'" + escaped(std::string_view(&c, 1)) + "'";
}

enum class Status { kOk, kInvalid };

// One parse of one crashkernel= token, as __parse_crashkernel leaves it.
struct Parse {
  Status status = Status::kOk;
  std::uint64_t size = 0;  // set as the kernel sets it, even when status is kInvalid
  std::uint64_t base = 0;
  bool range_syntax = false;
  bool range_matched = false;
  std::string problem;  // with kInvalid: what is wrong, without the "crashkernel=VALUE: " prefix
};

Parse invalid(Parse p, std::string problem) {
  p.status = Status::kInvalid;
  p.problem = std::move(problem);
  return p;
}

// get_last_crashkernel: the offset just after the chosen "crashkernel=".
std::optional<std::size_t> find_last(std::string_view line, std::optional<std::string_view> suffix,
                                     std::span<const std::string_view> known_suffixes) {
  std::optional<std::size_t> chosen;
  for (std::size_t p = line.find(kName); p != std::string_view::npos; p = line.find(kName, p + 1)) {
    const std::string_view token = up_to_space(line.substr(p));
    bool fits = false;
    if (suffix) {
      fits = token.ends_with(*suffix);
    } else {
      fits = true;
      for (const std::string_view known : known_suffixes)
        if (token.ends_with(known)) fits = false;
    }
    if (fits) chosen = p + kName.size();
  }
  return chosen;
}

// parse_crashkernel_simple: size[@base].
Parse parse_simple(std::string_view line, std::size_t start) {
  Parse p;
  const MemparseResult size = memparse(rest(line, start));
  p.size = size.value;
  if (size.consumed == 0) return invalid(p, "expected a memory size " + where(line, start));
  const std::size_t cur = start + size.consumed;
  if (at(line, cur) == '@') {
    p.base = memparse(rest(line, cur + 1)).value;  // no check: "@" alone or "@x" is base 0
  } else if (at(line, cur) != ' ' && at(line, cur) != '\0') {
    return invalid(p, "unexpected character " + char_name(at(line, cur)) + " " + where(line, cur));
  }
  return p;
}

// parse_crashkernel_mem: start-[end]:size[,start-[end]:size...][@base].
Parse parse_ranges(std::string_view line, std::size_t start, std::uint64_t system_ram) {
  Parse p;
  p.range_syntax = true;
  // roundup(): the sum may wrap for absurd RAM sizes, as the kernel's would.
  const std::uint64_t total = (system_ram + (k128M - 1)) / k128M * k128M;
  std::size_t cur = start;
  for (;;) {
    const MemparseResult range_start = memparse(rest(line, cur));
    if (range_start.consumed == 0) return invalid(p, "expected a memory size " + where(line, cur));
    cur += range_start.consumed;
    if (at(line, cur) != '-') return invalid(p, "expected '-' after the range start " + where(line, cur));
    ++cur;
    std::uint64_t range_end = UINT64_MAX;
    if (at(line, cur) != ':') {
      const MemparseResult end = memparse(rest(line, cur));
      if (end.consumed == 0) return invalid(p, "expected a memory size " + where(line, cur));
      cur += end.consumed;
      range_end = end.value;
      if (range_end <= range_start.value)
        return invalid(p, "range end " + format_size(range_end) + " is not above its start " +
                              format_size(range_start.value));
    }
    if (at(line, cur) != ':') return invalid(p, "expected ':' after the range " + where(line, cur));
    ++cur;
    const MemparseResult size = memparse(rest(line, cur));
    if (size.consumed == 0) return invalid(p, "expected a memory size " + where(line, cur));
    cur += size.consumed;
    if (size.value >= total)
      return invalid(p, "size " + format_size(size.value) +
                            " is not smaller than the system RAM rounded up to 128M (" + format_size(total) + ")");
    if (total >= range_start.value && total < range_end) {
      p.size = size.value;
      p.range_matched = true;
      break;
    }
    if (at(line, cur++) != ',') break;
  }
  if (p.size > 0) {
    while (at(line, cur) != '\0' && at(line, cur) != ' ' && at(line, cur) != '@') ++cur;
    if (at(line, cur) == '@') {
      ++cur;
      const MemparseResult base = memparse(rest(line, cur));
      p.base = base.value;
      if (base.consumed == 0) return invalid(p, "expected a memory size after '@' " + where(line, cur));
    }
  }
  return p;
}

// The plain form: the range syntax when a ':' comes before the next space.
Parse parse_plain(std::string_view line, std::size_t start, std::uint64_t system_ram) {
  const std::string_view tail = rest(line, start);
  const std::size_t colon = tail.find(':');
  const std::size_t space = tail.find(' ');
  if (colon != std::string_view::npos && (space == std::string_view::npos || colon < space))
    return parse_ranges(line, start, system_ram);
  return parse_simple(line, start);
}

// parse_crashkernel_suffix: size followed by exactly the suffix.
Parse parse_suffix(std::string_view line, std::size_t start, std::string_view suffix) {
  Parse p;
  const MemparseResult size = memparse(rest(line, start));
  p.size = size.value;
  if (size.consumed == 0) return invalid(p, "expected a memory size " + where(line, start));
  std::size_t cur = start + size.consumed;
  if (!rest(line, cur).starts_with(suffix))
    return invalid(p, "unexpected character " + char_name(at(line, cur)) + " " + where(line, cur) +
                          " (expected \"" + std::string(suffix) + "\" right after the size)");
  cur += suffix.size();
  if (at(line, cur) != ' ' && at(line, cur) != '\0')
    return invalid(p, "unexpected character " + char_name(at(line, cur)) + " after \"" + std::string(suffix) +
                          "\"");
  return p;
}

// "crashkernel=VALUE" for messages, VALUE being the token after the name.
std::string named(std::string_view line, std::size_t start) {
  return std::string(kName) + escaped(up_to_space(rest(line, start)));
}

CrashkernelError error(std::string message, CrashkernelErrorKind kind) { return {std::move(message), kind}; }

CrashkernelError rejected(std::string_view line, std::size_t start, const Parse& p) {
  return error(named(line, start) + ": " + p.problem, CrashkernelErrorKind::kInvalid);
}

// Why a well-formed plain or ",high" value reserves nothing.
CrashkernelError zero_size(std::string_view line, std::size_t start, const Parse& p, std::uint64_t system_ram) {
  std::string why = "the size is zero";
  if (p.range_syntax && !p.range_matched) {
    const std::uint64_t total = (system_ram + (k128M - 1)) / k128M * k128M;
    why = "no range covers the system RAM (" + format_size(system_ram) + ", rounded up to 128M: " +
          format_size(total) + ")";
  } else if (p.range_syntax) {
    why = "the range covering the system RAM gives size zero";
  }
  return error(named(line, start) + ": " + why + "; nothing is reserved", CrashkernelErrorKind::kNothingReserved);
}

CrashkernelError too_big(std::string_view line, std::size_t start, std::uint64_t size, std::uint64_t system_ram) {
  return error(named(line, start) + ": size " + format_size(size) + " is not smaller than the system RAM (" +
                   format_size(system_ram) + "); nothing is reserved",
               CrashkernelErrorKind::kNothingReserved);
}

// Neither a plain nor a ",high" crashkernel= was found.
CrashkernelError absent(std::string_view line) {
  std::optional<std::size_t> last;
  for (std::size_t p = line.find(kName); p != std::string_view::npos; p = line.find(kName, p + 1))
    last = p + kName.size();
  if (!last) return error("no crashkernel= parameter on the command line", CrashkernelErrorKind::kMissing);
  return error(named(line, *last) +
                   ": a \",low\" or \",cma\" reservation needs crashkernel=SIZE or crashkernel=SIZE,high as "
                   "well; nothing is reserved",
               CrashkernelErrorKind::kNothingReserved);
}

// kernel/crash_reserve.c's parse_crashkernel with x86's arguments; with_cma
// from 6.16 on, when ",cma" became a known suffix and a reservation of its own.
CrashkernelResult evaluate_generic(std::string_view line, std::uint64_t system_ram, const CrashkernelOptions& options,
                                   bool with_cma) {
  const std::span<const std::string_view> known =
      with_cma ? std::span<const std::string_view>(kSuffixes6_16) : std::span<const std::string_view>(kSuffixes6_1);
  // The ",cma" parse runs after the others and its status is ignored.
  const auto cma_size = [&]() -> std::uint64_t {
    if (!with_cma) return 0;
    const auto pos = find_last(line, kCma, known);
    return pos ? parse_suffix(line, *pos, kCma).size : 0;
  };

  if (const auto plain = find_last(line, std::nullopt, known)) {
    const Parse p = parse_plain(line, *plain, system_ram);
    if (p.status == Status::kInvalid) return rejected(line, *plain, p);
    if (p.size == 0) return zero_size(line, *plain, p, system_ram);
    if (p.size >= system_ram) return too_big(line, *plain, p.size, system_ram);
    return CrashkernelReservation{p.size, p.base, false, std::nullopt, cma_size()};
  }

  const auto high = find_last(line, kHigh, known);
  if (!high) return absent(line);
  const Parse h = parse_suffix(line, *high, kHigh);
  if (h.status == Status::kInvalid) return rejected(line, *high, h);
  if (h.size == 0) return zero_size(line, *high, h, system_ram);

  std::uint64_t low_size = 0;
  if (const auto low = find_last(line, kLow, known)) {
    const Parse l = parse_suffix(line, *low, kLow);
    if (l.status == Status::kInvalid) return rejected(line, *low, l);
    low_size = l.size;
  } else {
    low_size = x86_default_crash_low_size(line, system_ram, options.guest_memory_encryption);
  }
  const std::uint64_t cma = cma_size();
  if (h.size >= system_ram) return too_big(line, *high, h.size, system_ram);
  return CrashkernelReservation{h.size, 0, true, low_size, cma};
}

CrashkernelResult evaluate_6_1(std::string_view line, std::uint64_t system_ram, const CrashkernelOptions& options) {
  const auto plain = find_last(line, std::nullopt, kSuffixes6_1);
  std::optional<CrashkernelError> plain_failure;
  if (plain) {
    const Parse p = parse_plain(line, *plain, system_ram);
    if (p.status == Status::kOk && p.size > 0) return CrashkernelReservation{p.size, p.base, false, std::nullopt, 0};
    plain_failure = p.status == Status::kInvalid ? rejected(line, *plain, p) : zero_size(line, *plain, p, system_ram);
  }

  // Any failure of the plain form falls back to ",high".
  const auto high = find_last(line, kHigh, kSuffixes6_1);
  if (!high) return plain_failure ? *plain_failure : absent(line);
  const Parse h = parse_suffix(line, *high, kHigh);
  std::optional<CrashkernelError> high_failure;
  if (h.status == Status::kInvalid)
    high_failure = rejected(line, *high, h);
  else if (h.size == 0)
    high_failure = zero_size(line, *high, h, system_ram);
  if (high_failure) {
    if (plain_failure) high_failure->message = plain_failure->message + "; " + high_failure->message;
    return *high_failure;
  }

  // reserve_crashkernel_low: a ",low" that does not parse means the default.
  std::uint64_t low_size = x86_default_crash_low_size(line, system_ram, options.guest_memory_encryption);
  if (const auto low = find_last(line, kLow, kSuffixes6_1)) {
    const Parse l = parse_suffix(line, *low, kLow);
    if (l.status == Status::kOk) low_size = l.size;
  }
  return CrashkernelReservation{h.size, 0, true, low_size, 0};
}

}  // namespace

CrashkernelResult evaluate_crashkernel(std::string_view cmdline, std::uint64_t system_ram,
                                       const CrashkernelOptions& options) {
  const std::string_view line = cmdline.substr(0, cmdline.find('\0'));
  switch (options.rules) {
    case CrashkernelRules::kLinux6_1:
      return evaluate_6_1(line, system_ram, options);
    case CrashkernelRules::kLinux6_12:
      return evaluate_generic(line, system_ram, options, false);
    case CrashkernelRules::kLinux6_16:
      break;
  }
  return evaluate_generic(line, system_ram, options, true);
}

}  // namespace kdump::cfg
