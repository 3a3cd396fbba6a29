#include "filter/dump_level.h"

#include <doctest/doctest.h>

namespace kdump {
namespace {

TEST_CASE("dump level: parse accepts 0..31 only") {
  struct Case {
    const char* text;
    int expected;  // -1: rejected
  };
  const Case cases[] = {{"0", 0}, {"1", 1}, {"17", 17}, {"31", 31}, {"32", -1}, {"-1", -1},
                        {"", -1}, {"3x", -1}, {" 1", -1}, {"99999999999999999999", -1}};
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto level = DumpLevel::parse(c.text);
    if (c.expected < 0) {
      CHECK_FALSE(level.has_value());
    } else {
      REQUIRE(level.has_value());
      CHECK(level->value() == static_cast<unsigned>(c.expected));
    }
  }
}

TEST_CASE("dump level: which classes each level leaves out (makedumpfile(8) -d table)") {
  struct Case {
    unsigned level;
    bool zero, cache, cache_private, user, free;
  };
  const Case cases[] = {
      {0, false, false, false, false, false}, {1, true, false, false, false, false},
      {2, false, true, false, false, false},  {4, false, true, true, false, false},
      {8, false, false, false, true, false},  {16, false, false, false, false, true},
      {17, true, false, false, false, true},  {23, true, true, true, false, true},
      {31, true, true, true, true, true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.level);
    auto level = *DumpLevel::from_int(c.level);
    CHECK(level.excludes(ExclusionClass::kZero) == c.zero);
    CHECK(level.excludes(ExclusionClass::kCache) == c.cache);
    CHECK(level.excludes(ExclusionClass::kCachePrivate) == c.cache_private);
    CHECK(level.excludes(ExclusionClass::kUser) == c.user);
    CHECK(level.excludes(ExclusionClass::kFree) == c.free);
    CHECK(level.excludes(ExclusionClass::kHwpoison));
    CHECK(level.excludes(ExclusionClass::kOffline));
    CHECK_FALSE(level.excludes(ExclusionClass::kNone));
    CHECK(level.needs_mem_map() == (c.level > 1));
  }
}

TEST_CASE("dump level: report labels are makedumpfile's") {
  CHECK(exclusion_class_label(ExclusionClass::kZero) == "Pages filled with zero");
  CHECK(exclusion_class_label(ExclusionClass::kCache) == "Non-private cache pages");
  CHECK(exclusion_class_label(ExclusionClass::kCachePrivate) == "Private cache pages");
  CHECK(exclusion_class_label(ExclusionClass::kUser) == "User process data pages");
  CHECK(exclusion_class_label(ExclusionClass::kFree) == "Free pages");
  CHECK(exclusion_class_label(ExclusionClass::kHwpoison) == "Hwpoison pages");
  CHECK(exclusion_class_label(ExclusionClass::kOffline) == "Offline pages");
}

}  // namespace
}  // namespace kdump
