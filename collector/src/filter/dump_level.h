#pragma once
// makedumpfile's dump level: a sum of bits, each naming a class of pages that
// the dump leaves out (makedumpfile.h DL_EXCLUDE_*, makedumpfile(8) "-d").
// Hardware-poisoned and logically offline pages are left out at every level,
// as makedumpfile does; they are classes here too so the report can count them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kdump {

/// Why a page is left out of a dump; kNone for a page that is kept.
enum class ExclusionClass : std::uint8_t {
  kNone,
  kZero,          ///< filled with zeros (found by content, at write time)
  kCache,         ///< page cache without PG_private ("Non-private cache pages")
  kCachePrivate,  ///< page cache with PG_private ("Private cache pages")
  kUser,          ///< anonymous or hugetlbfs memory of processes
  kFree,          ///< free pages owned by the buddy allocator
  kHwpoison,      ///< PG_hwpoison: reading them could machine-check
  kOffline,       ///< PageOffline: ballooned out or hot-unplugged
};

/// How many ExclusionClass values there are, kNone included.
inline constexpr std::size_t kExclusionClassCount = 8;

/// One bit of the dump level and the page classes it leaves out.
struct DumpLevelBit {
  unsigned bit;
  ExclusionClass excludes;
  ExclusionClass also_excludes;  // kNone, or the second class (bit 4 takes both caches)
  std::string_view name;
};

/// The five bits, in makedumpfile's order (makedumpfile(8), "-d").
inline constexpr std::array<DumpLevelBit, 5> kDumpLevelBits{{
    {1, ExclusionClass::kZero, ExclusionClass::kNone, "zero pages"},
    {2, ExclusionClass::kCache, ExclusionClass::kNone, "non-private cache pages"},
    {4, ExclusionClass::kCache, ExclusionClass::kCachePrivate, "private and non-private cache pages"},
    {8, ExclusionClass::kUser, ExclusionClass::kNone, "user process data pages"},
    {16, ExclusionClass::kFree, ExclusionClass::kNone, "free pages"},
}};

/// A dump level from 0 to 31.
class DumpLevel {
 public:
  /// Level 0: nothing is left out (but hwpoison and offline pages).
  constexpr DumpLevel() = default;
  /// nullopt unless 0 <= level <= 31.
  static std::optional<DumpLevel> from_int(long level);
  /// Parses decimal text ("31"); nullopt if it is not a level.
  static std::optional<DumpLevel> parse(std::string_view text);

  /// The level as makedumpfile writes it.
  constexpr unsigned value() const { return bits_; }
  /// Whether pages of class `c` are left out at this level.
  bool excludes(ExclusionClass c) const;
  /// Whether the level needs struct page metadata (anything but zero pages);
  /// hwpoison and offline pages are looked for whenever the metadata is there.
  constexpr bool needs_mem_map() const { return (bits_ & ~1u) != 0; }

 private:
  constexpr explicit DumpLevel(unsigned bits) : bits_(bits) {}
  unsigned bits_ = 0;
};

/// makedumpfile's label of a class in its report ("Free pages").
std::string_view exclusion_class_label(ExclusionClass c);

}  // namespace kdump
