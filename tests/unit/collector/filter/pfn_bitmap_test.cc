#include "filter/pfn_bitmap.h"

#include <doctest/doctest.h>

namespace kdump {
namespace {

TEST_CASE("pfn bitmap: ranges across word edges") {
  struct Case {
    std::uint64_t first, last, expected;
  };
  const Case cases[] = {{100, 100, 0}, {100, 101, 1}, {100, 164, 64}, {127, 129, 2},
                        {90, 300, 200}, {0, 1000, 200}, {299, 400, 1}, {300, 400, 0}};
  for (const auto& c : cases) {
    CAPTURE(c.first);
    CAPTURE(c.last);
    PfnBitmap b;
    b.reset(100, 200);
    b.set_range(c.first, c.last);
    CHECK(b.count() == c.expected);
    CHECK(b.clear_range(0, 1000) == c.expected);
    CHECK(b.count() == 0);
  }
}

TEST_CASE("pfn bitmap: single bits and the range's edges") {
  PfnBitmap b;
  b.reset(64, 10);
  b.set(63);
  b.set(74);
  CHECK(b.count() == 0);
  b.set(64);
  b.set(73);
  CHECK(b.test(64));
  CHECK(b.test(73));
  CHECK_FALSE(b.test(65));
  CHECK(b.clear(73));
  CHECK_FALSE(b.clear(73));
  CHECK(b.count() == 1);
}

}  // namespace
}  // namespace kdump
