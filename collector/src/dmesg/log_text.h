#pragma once
// Pieces both text formats share: the "[seconds.micros] " prefix and the
// character classes of the C locale, which is what both reference tools run
// in (neither calls setlocale).

#include <cstdint>
#include <cstdio>
#include <string>

namespace kdump::dmesg {

/// Appends "[%5llu.%06llu] ": whole seconds, then microseconds. Written by
/// hand: snprintf was a quarter of the whole extraction's instructions.
inline void append_timestamp(std::string& out, std::uint64_t ts_nsec) {
  char buf[40];
  char* end = buf + sizeof buf;
  char* p = end;
  *--p = ' ';
  *--p = ']';
  std::uint64_t micros = ts_nsec % 1000000000 / 1000;
  for (int i = 0; i < 6; ++i, micros /= 10) *--p = static_cast<char>('0' + micros % 10);
  *--p = '.';
  std::uint64_t seconds = ts_nsec / 1000000000;
  int digits = 0;
  do {
    *--p = static_cast<char>('0' + seconds % 10);
    seconds /= 10;
    ++digits;
  } while (seconds != 0);
  for (; digits < 5; ++digits) *--p = ' ';  // %5llu pads with spaces
  *--p = '[';
  out.append(p, static_cast<std::size_t>(end - p));
}

/// isprint(c) || isspace(c) in the C locale: printable ASCII, space, \t..\r.
inline bool is_c_print_or_space(unsigned char c) { return (c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d); }

}  // namespace kdump::dmesg
