#pragma once
// The kernel's simple_strtoull (lib/vsprintf.c over lib/kstrtox.c), the
// number reader under memparse and under early parameters such as swiotlb=.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kdump::cfg {

/// A number read the kernel's way and how many characters it took.
struct KernelNumber {
  std::uint64_t value = 0;
  std::size_t consumed = 0;
};

/// simple_strtoull(text, &end, base): base 0 picks 16 for "0x" + hex digit, 8 for
/// a leading 0, else 10; no sign, no spaces; overflow wraps modulo 2^64.
KernelNumber kernel_strtoull(std::string_view text, unsigned base = 0);

}  // namespace kdump::cfg
