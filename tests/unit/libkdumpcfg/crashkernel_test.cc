// crashkernel= evaluation against the kernel's rules, one table per concern.
// Results are compared as whole values through describe(), which spells out
// every field and the whole message, so a failure shows both sides readably.
#include "kdumpcfg/crashkernel.h"

#include <doctest/doctest.h>

#include <string>

namespace kdump::cfg {
namespace {

constexpr std::uint64_t K = 1ull << 10;
constexpr std::uint64_t M = 1ull << 20;
constexpr std::uint64_t G = 1ull << 30;

const char* kind_name(CrashkernelErrorKind kind) {
  switch (kind) {
    case CrashkernelErrorKind::kMissing:
      return "missing";
    case CrashkernelErrorKind::kInvalid:
      return "invalid";
    case CrashkernelErrorKind::kNothingReserved:
      return "nothing-reserved";
  }
  return "?";
}

std::string describe(const CrashkernelResult& result) {
  if (const auto* e = std::get_if<CrashkernelError>(&result))
    return std::string("error(") + kind_name(e->kind) + "): " + e->message;
  const auto& r = std::get<CrashkernelReservation>(result);
  std::string out = "size=" + std::to_string(r.size) + " base=" + std::to_string(r.base) +
                    " high=" + (r.high ? "yes" : "no");
  out += " low=" + (r.low_size ? std::to_string(*r.low_size) : std::string("none"));
  out += " cma=" + std::to_string(r.cma_size);
  return out;
}

CrashkernelResult plain(std::uint64_t size, std::uint64_t base = 0, std::uint64_t cma = 0) {
  return CrashkernelReservation{size, base, false, std::nullopt, cma};
}
CrashkernelResult high(std::uint64_t size, std::uint64_t low, std::uint64_t cma = 0) {
  return CrashkernelReservation{size, 0, true, low, cma};
}
CrashkernelResult invalid(std::string message) { return CrashkernelError{std::move(message), CrashkernelErrorKind::kInvalid}; }
CrashkernelResult nothing(std::string message) {
  return CrashkernelError{std::move(message), CrashkernelErrorKind::kNothingReserved};
}
CrashkernelResult missing() {
  return CrashkernelError{"no crashkernel= parameter on the command line", CrashkernelErrorKind::kMissing};
}

struct Case {
  std::string_view cmdline;
  std::uint64_t ram;
  CrashkernelResult expected;
};

void check_cases(std::initializer_list<Case> cases, const CrashkernelOptions& options = {}) {
  for (const Case& c : cases) {
    CAPTURE(std::string(c.cmdline));
    CAPTURE(c.ram);
    CHECK(describe(evaluate_crashkernel(c.cmdline, c.ram, options)) == describe(c.expected));
  }
}

using namespace std::string_view_literals;

TEST_CASE("memparse reads numbers as lib/cmdline.c does") {
  struct MemCase {
    std::string_view text;
    std::uint64_t value;
    std::size_t consumed;
  };
  const MemCase cases[] = {
      {"", 0, 0},
      {"x", 0, 0},
      {"-1", 0, 0},         // no sign
      {" 1", 0, 0},         // no leading space
      {"0", 0, 1},
      {"123", 123, 3},
      {"3k", 3 * K, 2},
      {"256M", 256 * M, 4},
      {"256m", 256 * M, 4},
      {"1G", G, 2},
      {"1g", G, 2},
      {"2T", 2ull << 40, 2},
      {"1p", 1ull << 50, 2},
      {"1E", 1ull << 60, 2},
      {"1e", 1ull << 60, 2},  // decimal: 'e' is the exa suffix
      {"0x1e", 0x1e, 4},      // hex: 'e' is a digit
      {"0X1F", 0x1f, 4},
      {"0x10M", 16 * M, 5},
      {"0x", 0, 1},           // no hex digit after "0x": octal 0, stops at 'x'
      {"0xg", 0, 1},
      {"0xM", 0, 1},          // ... and 'x' is no suffix
      {"010", 8, 3},          // leading 0: octal
      {"08", 0, 1},           // '8' is no octal digit
      {"0M", 0, 2},
      {"K", 0, 1},            // a lone suffix is consumed and reads as 0
      {"256MB", 256 * M, 4},  // only the letter is consumed
      {"1M2", M, 2},
      {"16E", 0, 3},          // 2^64 shifts out entirely
      {"17E", 1ull << 60, 3},
      {"18446744073709551615", UINT64_MAX, 20},
      {"18446744073709551616", 0, 20},                    // wraps modulo 2^64
      {"99999999999999999999", 7766279631452241919ull, 20},
      {"0x10000000000000000", 0, 19},
      {"0x123456789abcdef01", 0x23456789abcdef01ull, 19},
  };
  for (const MemCase& c : cases) {
    CAPTURE(std::string(c.text));
    const MemparseResult r = memparse(c.text);
    CHECK(r.value == c.value);
    CHECK(r.consumed == c.consumed);
  }
}

TEST_CASE("crashkernel=size[@offset]: the simple syntax") {
  check_cases({
      {"crashkernel=256M", 8 * G, plain(256 * M)},
      {"root=/dev/sda crashkernel=256M quiet", 8 * G, plain(256 * M)},
      {"crashkernel=0x10000000", 8 * G, plain(256 * M)},
      {"crashkernel=256M@16M", 8 * G, plain(256 * M, 16 * M)},
      {"crashkernel=256M@", 8 * G, plain(256 * M)},                   // no number after '@' is base 0
      {"crashkernel=256M@xyz", 8 * G, plain(256 * M)},
      {"crashkernel=256M@16Mjunk", 8 * G, plain(256 * M, 16 * M)},   // text after the base is ignored
      {"crashkernel=", 8 * G, invalid("crashkernel=: expected a memory size at the end of the value")},
      {"crashkernel= quiet", 8 * G, invalid("crashkernel=: expected a memory size at the end of the value")},
      {"crashkernel=abc", 8 * G, invalid("crashkernel=abc: expected a memory size at \"abc\"")},
      {"crashkernel=auto", 8 * G, invalid("crashkernel=auto: expected a memory size at \"auto\"")},
      {"crashkernel=256MB", 8 * G, invalid("crashkernel=256MB: unexpected character 'B' at \"B\"")},
      {"crashkernel=256M\tquiet", 8 * G,
       invalid("crashkernel=256M\\x09quiet: unexpected character '\\x09' at \"\\x09quiet\"")},
      {"foo=\"crashkernel=256M\"", 8 * G,
       invalid("crashkernel=256M\\x22: unexpected character '\\x22' at \"\\x22\"")},
      {"crashkernel=0x", 8 * G, invalid("crashkernel=0x: unexpected character 'x' at \"x\"")},
      {"crashkernel=0", 8 * G, nothing("crashkernel=0: the size is zero; nothing is reserved")},
      {"crashkernel=K", 8 * G, nothing("crashkernel=K: the size is zero; nothing is reserved")},
      {"crashkernel=16E", 8 * G, nothing("crashkernel=16E: the size is zero; nothing is reserved")},
      {"crashkernel=8G", 8 * G,
       nothing("crashkernel=8G: size 8G is not smaller than the system RAM (8G); nothing is reserved")},
      {"crashkernel=8G", 8 * G + 1, plain(8 * G)},
  });
}

TEST_CASE("which crashkernel= the kernel finds: strstr, last one wins") {
  check_cases({
      {"crashkernel=128M crashkernel=256M", 8 * G, plain(256 * M)},
      {"crashkernel=256M crashkernel=128M", 8 * G, plain(128 * M)},
      {"xcrashkernel=256M", 8 * G, plain(256 * M)},            // not only at a parameter's start
      {"foo=crashkernel=256M", 8 * G, plain(256 * M)},
      {"crashkernel=256M -- crashkernel=512M", 8 * G, plain(512 * M)},  // "--" does not stop the search
      {"crashkernel=crashkernel=256M", 8 * G, plain(256 * M)},  // overlapping matches: the later one
      {std::string_view("crashkernel=256M\0crashkernel=512M", 33), 8 * G, plain(256 * M)},  // C string
      {"crashkernel=256M,high crashkernel=128M", 8 * G, plain(128 * M)},  // plain beats ,high
      {"crashkernel=128M crashkernel=256M,high", 8 * G, plain(128 * M)},
      {"crashkernel=128M crashkernel=256M,low", 8 * G, plain(128 * M)},
      {"crashkernel=256M,high,x", 8 * G,                            // no known suffix at the end: plain
       invalid("crashkernel=256M,high,x: unexpected character ',' at \",high,x\"")},
      {"root=/dev/sda quiet", 8 * G, missing()},
      {"", 8 * G, missing()},
      {"crashkernel", 8 * G, missing()},
      {"crashkernel =256M", 8 * G, missing()},
  });
}

TEST_CASE("crashkernel=start-[end]:size[,...][@offset]: the range syntax") {
  constexpr std::string_view kDefault = "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M";
  check_cases({
      {kDefault, 8 * G, plain(256 * M)},
      {kDefault, 2 * G, plain(192 * M)},
      {kDefault, 4 * G - 1, plain(256 * M)},           // 4G - 1 rounds up to 4G
      {kDefault, 4 * G - 128 * M, plain(192 * M)},     // already a multiple of 128M
      {kDefault, 4 * G - 128 * M + 1, plain(256 * M)},
      {kDefault, 64 * G, plain(512 * M)},              // end is exclusive
      {kDefault, 1 * G - 128 * M + 1, plain(192 * M)},  // start is inclusive, after rounding
      {kDefault, 900 * M, plain(192 * M)},  // rounds up to 1G
      {kDefault, 600 * M,
       nothing("crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M: no range covers the system RAM (600M, rounded up "
               "to 128M: 640M); nothing is reserved")},
      // Sizes are checked before matching: on 512M the last entry's 512M is rejected.
      {kDefault, 512 * M,
       invalid("crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M: size 512M is not smaller than the system RAM "
               "rounded up to 128M (512M)")},
      {"crashkernel=0-:256M@16M", 8 * G, plain(256 * M, 16 * M)},
      {"crashkernel=0-:256Mjunk@16M", 8 * G, plain(256 * M, 16 * M)},  // skipped up to '@'
      {"crashkernel=0-:256M,garbage", 8 * G, plain(256 * M)},          // never read after a match
      {"crashkernel=0x0-0x100000000:0x8000000", 2 * G, plain(128 * M)},
      {"crashkernel=256M foo=a:b", 8 * G, plain(256 * M)},  // the ':' after a space does not count
      {"crashkernel=1G-2G:128M@16M", 8 * G,
       nothing("crashkernel=1G-2G:128M@16M: no range covers the system RAM (8G, rounded up to 128M: 8G); "
               "nothing is reserved")},
      {"crashkernel=0-:0", 8 * G,
       nothing("crashkernel=0-:0: the range covering the system RAM gives size zero; nothing is reserved")},
      {"crashkernel=1G-2G:128M,xyz", 8 * G, invalid("crashkernel=1G-2G:128M,xyz: expected a memory size at \"xyz\"")},
      // memparse takes the 'g' of "garbage" as a size letter on no digits: start 0, then '-' is missing.
      {"crashkernel=1G-2G:128M,garbage", 8 * G,
       invalid("crashkernel=1G-2G:128M,garbage: expected '-' after the range start at \"arbage\"")},
      {"crashkernel=0-:256M@", 8 * G, invalid("crashkernel=0-:256M@: expected a memory size after '@' at the end of the value")},
      {"crashkernel=0-:256M@x", 8 * G, invalid("crashkernel=0-:256M@x: expected a memory size after '@' at \"x\"")},
      {"crashkernel=2G-1G:128M", 8 * G, invalid("crashkernel=2G-1G:128M: range end 1G is not above its start 2G")},
      {"crashkernel=1G-1G:128M", 8 * G, invalid("crashkernel=1G-1G:128M: range end 1G is not above its start 1G")},
      {"crashkernel=1G:128M", 8 * G,
       invalid("crashkernel=1G:128M: expected '-' after the range start at \":128M\"")},
      {"crashkernel=256M,x:y", 8 * G, invalid("crashkernel=256M,x:y: expected '-' after the range start at \",x:y\"")},
      {"crashkernel=1G-4Gx:128M", 8 * G,
       invalid("crashkernel=1G-4Gx:128M: expected ':' after the range at \"x:128M\"")},
      {"crashkernel=-4G:128M", 8 * G, invalid("crashkernel=-4G:128M: expected a memory size at \"-4G:128M\"")},
      {"crashkernel=1G-x:128M", 8 * G, invalid("crashkernel=1G-x:128M: expected a memory size at \"x:128M\"")},
      {"crashkernel=1G-4G:", 8 * G, invalid("crashkernel=1G-4G:: expected a memory size at the end of the value")},
      {"crashkernel=1G-4G: quiet", 8 * G, invalid("crashkernel=1G-4G:: expected a memory size at the end of the value")},
      {"crashkernel=0-:8G", 8 * G,
       invalid("crashkernel=0-:8G: size 8G is not smaller than the system RAM rounded up to 128M (8G)")},
      // Every size up to the match is checked against RAM, even in ranges that cannot match.
      {"crashkernel=0-1G:16G,1G-:256M", 8 * G,
       invalid("crashkernel=0-1G:16G,1G-:256M: size 16G is not smaller than the system RAM rounded up to 128M (8G)")},
      {"crashkernel=0-:1M", 0, invalid("crashkernel=0-:1M: size 1M is not smaller than the system RAM rounded up to 128M (0)")},
  });
}

TEST_CASE("crashkernel=size,high and size,low") {
  check_cases({
      {"crashkernel=512M,high", 8 * G, high(512 * M, 256 * M)},
      {"crashkernel=512M,high crashkernel=128M,low", 8 * G, high(512 * M, 128 * M)},
      {"crashkernel=128M,low crashkernel=512M,high", 8 * G, high(512 * M, 128 * M)},
      {"crashkernel=512M,high crashkernel=0,low", 8 * G, high(512 * M, 0)},
      {"crashkernel=512M,high crashkernel=1G,high", 8 * G, high(G, 256 * M)},
      {"crashkernel=512M,high swiotlb=262144", 8 * G, high(512 * M, 520 * M)},
      {"crashkernel=512M,high crashkernel=x,low", 8 * G, invalid("crashkernel=x,low: expected a memory size at \"x,low\"")},
      {"crashkernel=512Mx,high", 8 * G,
       invalid("crashkernel=512Mx,high: unexpected character 'x' at \"x,high\" (expected \",high\" right after the size)")},
      {"crashkernel=512M,high,high", 8 * G,
       invalid("crashkernel=512M,high,high: unexpected character ',' after \",high\"")},
      {"crashkernel=0,high", 8 * G, nothing("crashkernel=0,high: the size is zero; nothing is reserved")},
      {"crashkernel=G,high", 8 * G, nothing("crashkernel=G,high: the size is zero; nothing is reserved")},
      {"crashkernel=8G,high", 8 * G,
       nothing("crashkernel=8G,high: size 8G is not smaller than the system RAM (8G); nothing is reserved")},
      {"crashkernel=256M,low", 8 * G,
       nothing("crashkernel=256M,low: a \",low\" or \",cma\" reservation needs crashkernel=SIZE or "
               "crashkernel=SIZE,high as well; nothing is reserved")},
      // A plain crashkernel= that fails does not fall back to ,high.
      {"crashkernel=abc crashkernel=512M,high", 8 * G, invalid("crashkernel=abc: expected a memory size at \"abc\"")},
      {"crashkernel=0 crashkernel=512M,high", 8 * G, nothing("crashkernel=0: the size is zero; nothing is reserved")},
  });
}

TEST_CASE("crashkernel=size,cma (Linux 6.16)") {
  check_cases({
      {"crashkernel=256M crashkernel=64M,cma", 8 * G, plain(256 * M, 0, 64 * M)},
      {"crashkernel=512M,high crashkernel=64M,cma", 8 * G, high(512 * M, 256 * M, 64 * M)},
      {"crashkernel=256M crashkernel=64Mjunk,cma", 8 * G, plain(256 * M, 0, 64 * M)},  // errors ignored, size kept
      {"crashkernel=256M crashkernel=junk,cma", 8 * G, plain(256 * M)},
      {"crashkernel=64M,cma", 8 * G,
       nothing("crashkernel=64M,cma: a \",low\" or \",cma\" reservation needs crashkernel=SIZE or "
               "crashkernel=SIZE,high as well; nothing is reserved")},
  });
}

TEST_CASE("Linux 6.1 rules: fallback to ,high, forgiving ,low, no ,cma") {
  const CrashkernelOptions linux_6_1{CrashkernelRules::kLinux6_1, false};
  check_cases(
      {
          {"crashkernel=256M", 8 * G, plain(256 * M)},
          {"crashkernel=8G", 8 * G, plain(8 * G)},  // no size-below-RAM check
          {"crashkernel=512M,high", 8 * G, high(512 * M, 256 * M)},
          {"crashkernel=abc crashkernel=512M,high", 8 * G, high(512 * M, 256 * M)},
          {"crashkernel=0 crashkernel=512M,high", 8 * G, high(512 * M, 256 * M)},
          {"crashkernel=1G-2G:128M crashkernel=512M,high", 8 * G, high(512 * M, 256 * M)},
          {"crashkernel=512M,high crashkernel=x,low", 8 * G, high(512 * M, 256 * M)},
          {"crashkernel=512M,high crashkernel=0,low", 8 * G, high(512 * M, 0)},
          {"crashkernel=512M,high crashkernel=72M,low", 8 * G, high(512 * M, 72 * M)},
          {"crashkernel=abc", 8 * G, invalid("crashkernel=abc: expected a memory size at \"abc\"")},
          {"crashkernel=abc crashkernel=0,high", 8 * G,
           nothing("crashkernel=abc: expected a memory size at \"abc\"; crashkernel=0,high: the size is zero; "
                   "nothing is reserved")},
          {"crashkernel=64M,cma", 8 * G, invalid("crashkernel=64M,cma: unexpected character ',' at \",cma\"")},
          {"crashkernel=256M crashkernel=64M,cma", 8 * G,
           invalid("crashkernel=64M,cma: unexpected character ',' at \",cma\"")},
          {"crashkernel=256M,low", 8 * G,
           nothing("crashkernel=256M,low: a \",low\" or \",cma\" reservation needs crashkernel=SIZE or "
                   "crashkernel=SIZE,high as well; nothing is reserved")},
          {"quiet", 8 * G, missing()},
      },
      linux_6_1);
}

TEST_CASE("Linux 6.12 rules: as 6.16 without ,cma") {
  const CrashkernelOptions linux_6_12{CrashkernelRules::kLinux6_12, false};
  check_cases(
      {
          {"crashkernel=256M", 8 * G, plain(256 * M)},
          {"crashkernel=1536M", G, nothing("crashkernel=1536M: size 1536M is not smaller than the system RAM (1G); "
                                           "nothing is reserved")},
          {"crashkernel=abc crashkernel=128M,high", 8 * G, invalid("crashkernel=abc: expected a memory size at \"abc\"")},
          {"crashkernel=512M,high crashkernel=x,low", 8 * G, invalid("crashkernel=x,low: expected a memory size at \"x,low\"")},
          {"crashkernel=512M,high crashkernel=0,low", 8 * G, high(512 * M, 0)},
          {"crashkernel=64M,cma", 8 * G, invalid("crashkernel=64M,cma: unexpected character ',' at \",cma\"")},
          {"crashkernel=256M crashkernel=64M,cma", 8 * G, invalid("crashkernel=64M,cma: unexpected character ',' at \",cma\"")},
          // ",cma" is a plain value here, and a failing plain value blocks ",high".
          {"crashkernel=512M,high crashkernel=64M,cma", 8 * G,
           invalid("crashkernel=64M,cma: unexpected character ',' at \",cma\"")},
      },
      linux_6_12);
}

// What Debian's kernels did when booted in QEMU (q35, TCG, 1 GiB or 6 GiB) with
// these command lines, read from their boot logs: 6.1.192 printed "Reserving
// NMB of memory", "Reserving NMB of low memory" or a "crashkernel: ..."
// warning; 6.12.117 printed "crashkernel reserved" / "crashkernel low memory
// reserved" lines, or nothing at all for the size-below-RAM refusal.
constexpr std::uint64_t kQemu1G = 1048052 * K;  // "System RAM: 1023MB"
constexpr std::uint64_t kQemu6G = 6 * G - 512 * K;  // "System RAM: 6143MB"

TEST_CASE("agrees with Debian's 6.1 kernel booted in QEMU") {
  check_cases(
      {
          {"crashkernel=256M", kQemu1G, plain(256 * M)},
          {"xcrashkernel=128M", kQemu1G, plain(128 * M)},
          {"crashkernel=256M crashkernel=128M", kQemu1G, plain(128 * M)},
          {"crashkernel=256M -- crashkernel=128M", kQemu1G, plain(128 * M)},
          {"crashkernel=1G-4G:192M,4G-64G:256M", kQemu1G, plain(192 * M)},  // 1023M rounds up to 1G
          {"crashkernel=2G-64G:256M,64G-:512M", kQemu1G,                   // "resulted in zero bytes"
           nothing("crashkernel=2G-64G:256M,64G-:512M: no range covers the system RAM (1048052K, rounded up to "
                   "128M: 1G); nothing is reserved")},
          {"crashkernel=256M@", kQemu1G, plain(256 * M)},
          {"crashkernel=0-:128Mjunk@64M", kQemu1G, plain(128 * M, 64 * M)},  // "at 64MB"
          {"crashkernel=K", kQemu1G, nothing("crashkernel=K: the size is zero; nothing is reserved")},
          {"crashkernel=abc crashkernel=128M,high", kQemu1G, high(128 * M, 256 * M)},  // placed low: no low part
          {"crashkernel=256M,high,x", kQemu1G,
           invalid("crashkernel=256M,high,x: unexpected character ',' at \",high,x\"")},
          {"foo=\"crashkernel=128M\"", kQemu1G,
           invalid("crashkernel=128M\\x22: unexpected character '\\x22' at \"\\x22\"")},
          {"crashkernel=256M\tfoo", kQemu1G,
           invalid("crashkernel=256M\\x09foo: unexpected character '\\x09' at \"\\x09foo\"")},
          {"crashkernel=2G-4G:128M,garbage", kQemu1G,  // "'-' expected"
           invalid("crashkernel=2G-4G:128M,garbage: expected '-' after the range start at \"arbage\"")},
          {"crashkernel=0-:1G", kQemu1G,  // "invalid size"
           invalid("crashkernel=0-:1G: size 1G is not smaller than the system RAM rounded up to 128M (1G)")},
          {"crashkernel=2G-1G:128M", kQemu1G,  // "end <= start"
           invalid("crashkernel=2G-1G:128M: range end 1G is not above its start 2G")},
          {"crashkernel=1536M", kQemu1G, plain(1536 * M)},  // parsed; then "No suitable area found"
          {"crashkernel=0x8000000", kQemu1G, plain(128 * M)},
          {"crashkernel=010M", kQemu1G, plain(8 * M)},
          {"crashkernel=64M,cma", kQemu1G, invalid("crashkernel=64M,cma: unexpected character ',' at \",cma\"")},
          {"crashkernel=512M,high", kQemu6G, high(512 * M, 256 * M)},
          {"crashkernel=512M,high swiotlb=262144", kQemu6G, high(512 * M, 520 * M)},
          {"crashkernel=512M,high swiotlb=200000,3", kQemu6G, high(512 * M, 520 * M)},
          {"crashkernel=512M,high \"swiotlb=262144\"", kQemu6G, high(512 * M, 520 * M)},
          {"crashkernel=512M,high crashkernel=x,low", kQemu6G, high(512 * M, 256 * M)},
          {"crashkernel=512M,high crashkernel=0,low", kQemu6G, high(512 * M, 0)},
      },
      {CrashkernelRules::kLinux6_1, false});
}

TEST_CASE("agrees with Debian's 6.12 kernel booted in QEMU") {
  check_cases(
      {
          {"crashkernel=256M", kQemu1G, plain(256 * M)},
          {"xcrashkernel=128M", kQemu1G, plain(128 * M)},
          {"crashkernel=1G-4G:192M,4G-64G:256M", kQemu1G, plain(192 * M)},
          {"crashkernel=abc crashkernel=128M,high", kQemu1G,
           invalid("crashkernel=abc: expected a memory size at \"abc\"")},
          {"crashkernel=0 crashkernel=128M,high", kQemu1G,
           nothing("crashkernel=0: the size is zero; nothing is reserved")},
          {"crashkernel=1536M", kQemu1G,
           nothing("crashkernel=1536M: size 1536M is not smaller than the system RAM (1048052K); nothing is "
                   "reserved")},
          {"crashkernel=64M,cma", kQemu1G, invalid("crashkernel=64M,cma: unexpected character ',' at \",cma\"")},
          {"crashkernel=256M,low", kQemu1G,
           nothing("crashkernel=256M,low: a \",low\" or \",cma\" reservation needs crashkernel=SIZE or "
                   "crashkernel=SIZE,high as well; nothing is reserved")},
          {"crashkernel=512M,high", kQemu6G, high(512 * M, 256 * M)},
          {"crashkernel=512M,high swiotlb=262144", kQemu6G, high(512 * M, 520 * M)},
          {"crashkernel=512M,high crashkernel=x,low", kQemu6G,
           invalid("crashkernel=x,low: expected a memory size at \"x,low\"")},
          {"crashkernel=512M,high crashkernel=0,low", kQemu6G, high(512 * M, 0)},
      },
      {CrashkernelRules::kLinux6_12, false});
}

TEST_CASE("the x86_64 default ,low size follows swiotlb") {
  struct LowCase {
    std::string_view cmdline;
    std::uint64_t ram;
    bool encrypted;
    std::uint64_t expected;
  };
  const LowCase cases[] = {
      {"", 8 * G, false, 256 * M},
      {"swiotlb=65536", 8 * G, false, 256 * M},          // 128M + 8M is below 256M
      {"swiotlb=262144", 8 * G, false, 520 * M},         // 512M of 2K slabs, + 8M
      {"swiotlb=0x40000", 8 * G, false, 520 * M},
      {"swiotlb=262145", 8 * G, false, 262272 * 2 * K + 8 * M},  // aligned up to 128 slabs
      {"swiotlb=262144,force", 8 * G, false, 520 * M},
      {"swiotlb=262144 swiotlb=force", 8 * G, false, 520 * M},  // force keeps the size
      {"swiotlb=force", 8 * G, false, 256 * M},
      {"swiotlb=524288 swiotlb=262144", 8 * G, false, 520 * M},  // the last size wins
      {"swiotlb=262144 -- swiotlb=524288", 8 * G, false, 520 * M},  // "--" ends kernel parameters
      {"\"swiotlb=262144\"", 8 * G, false, 520 * M},
      {"swiotlb=\"262144\"", 8 * G, false, 520 * M},
      {"foo=\"a swiotlb=524288\"", 8 * G, false, 256 * M},  // inside a quoted value
      {"xswiotlb=524288", 8 * G, false, 256 * M},          // parameters match by name, not strstr
      {"swiotlb", 8 * G, false, 256 * M},
      {"quiet\tswiotlb=262144", 8 * G, false, 520 * M},    // isspace, unlike crashkernel='s search
      {"quiet\xa0swiotlb=262144", 8 * G, false, 520 * M},  // the kernel's ctype counts 0xA0 as space
      {"swiotlb=200000,3", 8 * G, false, 520 * M},         // 3 areas -> 4, slabs rounded to a power of 2
      {"swiotlb=,3", 8 * G, false, 256 * M},
      {"swiotlb=0,2097152", 8 * G, false, (1ull << 39) + 8 * M},  // 128 slabs per area, 2^21 areas
      {"swiotlb=1,33554432", 8 * G, false, 256 * M},       // 128 * 2^25 wraps to 0 in unsigned int
      {"", 16 * G, true, 503424 * 2 * K + 8 * M},          // SEV/TDX: 6% of RAM, in 128-slab steps
      {"", 8 * G, true, 251776 * 2 * K + 8 * M},
      {"", 2 * G, true, 256 * M},
      {"", 1024 * G, true, G + 8 * M},                      // capped at 1G
      {"swiotlb=65536", 16 * G, true, 256 * M},             // swiotlb= given: no adjustment
  };
  for (const LowCase& c : cases) {
    CAPTURE(std::string(c.cmdline));
    CAPTURE(c.ram);
    CAPTURE(c.encrypted);
    CHECK(x86_default_crash_low_size(c.cmdline, c.ram, c.encrypted) == c.expected);
  }
  check_cases({{"crashkernel=1G,high", 16 * G, high(G, 503424 * 2 * K + 8 * M)}}, {CrashkernelRules::kLinux6_16, true});
}

TEST_CASE("default_crashkernel matches kdump-utils' recommendation") {
  struct DefaultCase {
    DefaultCrashkernelOptions options;
    std::string_view expected;
  };
  const DefaultCase cases[] = {
      {{.arch = "x86_64"}, "2G-64G:256M,64G-:512M"},
      {{.arch = "x86_64", .fadump = true}, "2G-64G:256M,64G-:512M"},
      {{.arch = "x86_64", .memory_encryption = true}, "2G-64G:320M,64G-:576M"},
      {{.arch = "x86_64", .image_build = true}, "2G-64G:320M,64G-:576M"},
      {{.arch = "s390x"}, "2G-64G:256M,64G-:512M"},
      {{.arch = "s390x", .image_build = true}, "2G-64G:320M,64G-:576M"},
      {{.arch = "aarch64"}, "2G-4G:256M,4G-64G:320M,64G-:576M"},
      {{.arch = "aarch64", .aarch64_smmu = true}, "2G-4G:256M,4G-64G:320M,64G-:576M"},
      {{.arch = "aarch64", .mlx5 = true}, "2G-4G:406M,4G-64G:470M,64G-:726M"},
      {{.arch = "aarch64", .aarch64_64k_kernel = true}, "2G-4G:356M,4G-64G:420M,64G-:676M"},
      {{.arch = "aarch64", .aarch64_64k_kernel = true, .aarch64_smmu = true}, "2G-4G:740M,4G-64G:804M,64G-:1060M"},
      {{.arch = "aarch64", .aarch64_64k_kernel = true, .aarch64_smmu = true, .mlx5 = true},
       "2G-4G:940M,4G-64G:1004M,64G-:1260M"},
      {{.arch = "aarch64", .image_build = true}, "2G-4G:940M,4G-64G:1004M,64G-:1260M"},
      {{.arch = "ppc64le"}, "2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G"},
      {{.arch = "ppc64le", .fadump = true},
       "4G-16G:768M,16G-64G:1G,64G-128G:2G,128G-1T:4G,1T-2T:6G,2T-4T:12G,4T-8T:20G,8T-16T:36G,16T-32T:64G,"
       "32T-64T:128G,64T-:180G"},
      {{.arch = "riscv64"}, ""},
      {{.arch = ""}, ""},
  };
  for (const DefaultCase& c : cases) {
    CAPTURE(std::string(c.options.arch));
    CHECK(default_crashkernel(c.options) == c.expected);
  }
  CHECK(default_crashkernel() == "2G-64G:256M,64G-:512M");
  CHECK(default_crashkernel("ppc64le") == "2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G");
}

TEST_CASE("the default value evaluates as kdump-utils expects") {
  const std::string cmdline = "quiet crashkernel=" + default_crashkernel("x86_64");
  check_cases({
      {cmdline, 8 * G, plain(256 * M)},
      {cmdline, 2 * G - 100 * M, plain(256 * M)},  // rounds up into 2G-64G
      {cmdline, 128 * G, plain(512 * M)},
      {cmdline, 1 * G,
       nothing("crashkernel=2G-64G:256M,64G-:512M: no range covers the system RAM (1G, rounded up to 128M: 1G); "
               "nothing is reserved")},
  });
}

}  // namespace
}  // namespace kdump::cfg
