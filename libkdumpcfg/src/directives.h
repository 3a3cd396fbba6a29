#pragma once
// The kdump.conf directives as data: what each one is, how its value is
// checked and where it lands in Config. The parser walks this table; it has
// no per-directive code of its own.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kdumpcfg/config.h"

namespace kdump::cfg {

enum class DirectiveRole {
  kTarget,      // names the dump target; at most one per file
  kSetting,     // an ordinary setting; at most once per file
  kAlias,       // an old name of another directive, accepted with a warning
  kDeprecated,  // no longer accepted; the note says what replaces it
};

/// One row of the directive table.
struct DirectiveSpec {
  std::string_view name;
  DirectiveRole role = DirectiveRole::kSetting;
  std::optional<TargetKind> target;  // kTarget only
  /// The problem with a value, as a whole message, or "" when it is fine.
  std::string (*check)(std::string_view directive, std::string_view value) = nullptr;
  /// Stores a checked value in the configuration (settings only).
  void (*apply)(Config& config, std::string_view value) = nullptr;
  /// True if this value also names the dump target (dracut_args --mount).
  bool (*names_target)(std::string_view value) = nullptr;
  /// kAlias: the directive it stands for; kDeprecated: what to use instead.
  std::string_view note;
};

/// The row for a directive name (case-sensitive, as kdump-utils reads it), if any.
const DirectiveSpec* find_directive(std::string_view name);

/// Text as messages show it: in single quotes, cut short past 60 characters.
std::string quote_for_message(std::string_view text);

/// Names worth suggesting for a misspelt directive: every current directive.
std::span<const std::string_view> suggestable_directive_names();

}  // namespace kdump::cfg
