#include "filter/dump_level.h"

// The level is data: kDumpLevelBits says what each bit leaves out, and
// excludes() only walks that table. Hwpoison and offline pages are always
// left out, whatever the level, because makedumpfile does so too
// (makedumpfile.c, __exclude_unnecessary_pages, the hwpoison and offline
// branches do not test the dump level).

#include <charconv>

namespace kdump {

std::optional<DumpLevel> DumpLevel::from_int(long level) {
  if (level < 0 || level > 31) return std::nullopt;
  return DumpLevel(static_cast<unsigned>(level));
}

std::optional<DumpLevel> DumpLevel::parse(std::string_view text) {
  long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return from_int(v);
}

bool DumpLevel::excludes(ExclusionClass c) const {
  if (c == ExclusionClass::kHwpoison || c == ExclusionClass::kOffline) return true;
  if (c == ExclusionClass::kNone) return false;
  for (const auto& b : kDumpLevelBits)
    if ((bits_ & b.bit) && (b.excludes == c || b.also_excludes == c)) return true;
  return false;
}

std::string_view exclusion_class_label(ExclusionClass c) {
  // makedumpfile.c print_report(): the labels of its report lines.
  static constexpr std::array<std::string_view, kExclusionClassCount> kLabels{
      "Kept pages",
      "Pages filled with zero",
      "Non-private cache pages",
      "Private cache pages",
      "User process data pages",
      "Free pages",
      "Hwpoison pages",
      "Offline pages",
  };
  return kLabels[static_cast<std::size_t>(c)];
}

}  // namespace kdump
