#pragma once
// Pieces both text formats share: the "[seconds.micros] " prefix and the
// character classes of the C locale, which is what both reference tools run
// in (neither calls setlocale).

#include <cstdint>
#include <cstdio>
#include <string>

namespace kdump::dmesg {

/// Appends "[%5llu.%06llu] ": whole seconds, then microseconds.
inline void append_timestamp(std::string& out, std::uint64_t ts_nsec) {
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "[%5llu.%06llu] ",
                              static_cast<unsigned long long>(ts_nsec / 1000000000),
                              static_cast<unsigned long long>(ts_nsec % 1000000000 / 1000));
  out.append(buf, static_cast<std::size_t>(n));
}

/// isprint(c) || isspace(c) in the C locale: printable ASCII, space, \t..\r.
inline bool is_c_print_or_space(unsigned char c) { return (c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d); }

}  // namespace kdump::dmesg
