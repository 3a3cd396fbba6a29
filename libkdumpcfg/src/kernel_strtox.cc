#include "kernel_strtox.h"

// Facts from lib/kstrtox.c (_parse_integer_fixup_radix, _parse_integer_limit)
// and lib/vsprintf.c (simple_strntoull), read for behaviour, not copied:
// - "0x" is a hex prefix only when a hex digit follows it; otherwise a leading
//   '0' means octal, so "0x" reads as 0 and stops before the 'x'.
// - digits are accepted while their value is below the base; an overflow is
//   only flagged internally and the value keeps accumulating modulo 2^64.
// The kernel's _tolower is c | 0x20, which matters only for 'X' and 'A'-'F'.

namespace kdump::cfg {
namespace {

char at(std::string_view text, std::size_t i) { return i < text.size() ? text[i] : '\0'; }

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char kernel_tolower(char c) { return static_cast<char>(static_cast<unsigned char>(c) | 0x20); }

// The digit's value, or 16 for a character that is no digit in any base.
unsigned digit_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  const char lc = kernel_tolower(c);
  if (lc >= 'a' && lc <= 'f') return static_cast<unsigned>(lc - 'a' + 10);
  return 16;
}

}  // namespace

KernelNumber kernel_strtoull(std::string_view text, unsigned base) {
  std::size_t pos = 0;
  if (base == 0) {
    if (at(text, 0) == '0')
      base = (kernel_tolower(at(text, 1)) == 'x' && is_hex_digit(at(text, 2))) ? 16 : 8;
    else
      base = 10;
  }
  if (base == 16 && at(text, 0) == '0' && kernel_tolower(at(text, 1)) == 'x') pos = 2;

  std::uint64_t value = 0;
  for (; pos < text.size(); ++pos) {
    const unsigned digit = digit_value(text[pos]);
    if (digit >= base) break;
    value = value * base + digit;  // unsigned: wraps like the kernel's
  }
  return {value, pos};
}

}  // namespace kdump::cfg
