#include "edit_distance.h"

// A swap of two adjacent letters ("nsf" for "nfs") is the commonest typo in a
// directive name, so the distance counts it as one edit (plain Levenshtein
// would count two). Names are short, so three rows of a dynamic-programming
// table are all the memory it needs. How far a suggestion may be grows with
// the length of the word: one edit in a three-letter word is already a lot.

#include <algorithm>
#include <vector>

namespace kdump::cfg {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Longer words get no suggestion: nothing in a short name table is near them,
// and the quadratic distance should stay cheap on hostile input.
constexpr std::size_t kMaxSuggestLength = 64;

std::size_t allowed_distance(std::size_t length) {
  if (length <= 3) return 1;
  if (length <= 6) return 2;
  return 3;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Rows i-2, i-1 and i of the table, side by side in one allocation.
  const std::size_t width = b.size() + 1;
  std::vector<std::size_t> rows(3 * width);
  std::size_t* before = rows.data();
  std::size_t* previous = before + width;
  std::size_t* current = previous + width;
  for (std::size_t j = 0; j < width; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j < width; ++j) {
      const bool same = lower(a[i - 1]) == lower(b[j - 1]);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
      const bool swapped =
          i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]);
      if (swapped) current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::size_t* reused = before;
    before = previous;
    previous = current;
    current = reused;
  }
  return previous[b.size()];
}

std::optional<std::string_view> nearest_name(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  if (word.empty() || word.size() > kMaxSuggestLength) return std::nullopt;
  std::optional<std::string_view> best;
  std::size_t best_distance = allowed_distance(word.size()) + 1;
  for (std::string_view candidate : candidates) {
    // The lengths alone bound the distance from below: skip the hopeless.
    const std::size_t gap = word.size() > candidate.size() ? word.size() - candidate.size()
                                                           : candidate.size() - word.size();
    if (gap >= best_distance) continue;
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace kdump::cfg
