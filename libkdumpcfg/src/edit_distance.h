#pragma once
// Typo suggestions for names: "did you mean 'nfs'?".

#include <optional>
#include <span>
#include <string_view>

namespace kdump::cfg {

/// Optimal-string-alignment distance between two words, ignoring ASCII case:
/// insertions, deletions, substitutions and swaps of adjacent letters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a plausible
/// typo of it (the first one on a tie), else nullopt.
std::optional<std::string_view> nearest_name(std::string_view word,
                                             std::span<const std::string_view> candidates);

}  // namespace kdump::cfg
