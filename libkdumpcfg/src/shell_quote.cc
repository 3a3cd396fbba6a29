#include "kdumpcfg/dump_plan.h"

#include <string>
#include <string_view>

namespace kdump::cfg {
namespace {

// Characters that mean nothing special to a POSIX shell anywhere in a word
// (POSIX.1-2017, Shell Command Language 2.2 and 2.6); '=' is safe because a
// quoted word is never in assignment position in the commands we build.
bool is_safe(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kSafe = "_@%+=:,./-";
  return kSafe.find(c) != std::string_view::npos;
}

}  // namespace

std::string shell_quote(std::string_view word) {
  bool safe = !word.empty();
  for (char c : word) safe = safe && is_safe(c);
  if (safe) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

}  // namespace kdump::cfg
