// memparse as lib/cmdline.c defines it: simple_strtoull with base 0, then one
// optional size letter. Facts worth knowing, all reproduced on purpose:
// - the suffix is looked at even when no digit was read, so "K" alone is the
//   number 0 and consumes one character (the kernel then accepts it);
// - each letter shifts left by 10 bits per step down to K ("E" is six steps),
//   and bits shifted out are lost, so "16E" is 0;
// - only the letter itself is consumed: "256MB" stops before the 'B'.
#include "kdumpcfg/crashkernel.h"

#include <array>

#include "kernel_strtox.h"

namespace kdump::cfg {
namespace {

struct SizeLetter {
  char upper;
  int shift_steps;  // how many 10-bit shifts the letter stands for
};
constexpr std::array<SizeLetter, 6> kSizeLetters{{
    {'K', 1}, {'M', 2}, {'G', 3}, {'T', 4}, {'P', 5}, {'E', 6},
}};

}  // namespace

MemparseResult memparse(std::string_view text) {
  const KernelNumber number = kernel_strtoull(text, 0);
  MemparseResult result{number.value, number.consumed};
  if (result.consumed >= text.size()) return result;
  const char c = text[result.consumed];
  for (const SizeLetter& letter : kSizeLetters) {
    if (c != letter.upper && c != letter.upper + ('a' - 'A')) continue;
    for (int i = 0; i < letter.shift_steps; ++i) result.value <<= 10;  // unsigned: bits fall off
    ++result.consumed;
    break;
  }
  return result;
}

}  // namespace kdump::cfg
