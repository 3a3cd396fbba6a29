#include <doctest/doctest.h>

#include <array>

#include "../../../libkdumpcfg/src/edit_distance.h"

using namespace kdump::cfg;

TEST_CASE("edit_distance counts a swap of neighbours as one edit and ignores case") {
  struct Case {
    std::string_view a, b;
    std::size_t expected;
  };
  const Case cases[] = {
      {"", "", 0},        {"nfs", "nfs", 0},   {"nsf", "nfs", 1},     {"", "abc", 3},
      {"abc", "", 3},     {"pth", "path", 1},  {"EXT4", "ext4", 0},   {"kitten", "sitting", 3},
      {"ab", "ba", 1},    {"abc", "ca", 3},    {"sshkey", "sshky", 1}, {"xyz", "xfs", 2},
  };
  for (const auto& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(edit_distance(c.a, c.b) == c.expected);
    CHECK(edit_distance(c.b, c.a) == c.expected);
  }
}

TEST_CASE("nearest_name suggests only plausible typos") {
  constexpr std::array<std::string_view, 4> names = {"nfs", "ssh", "path", "core_collector"};
  struct Case {
    std::string_view word;
    std::optional<std::string_view> expected;
  };
  const Case cases[] = {
      {"nsf", "nfs"},     {"shh", "ssh"},  {"pat", "path"},       {"core_collecter", "core_collector"},
      {"xyz", std::nullopt}, {"", std::nullopt}, {"collector", std::nullopt},
      {std::string_view("nfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfsnfs"), std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.word);
    CHECK(nearest_name(c.word, names) == c.expected);
  }
}
