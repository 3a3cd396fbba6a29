#include "codec/incompressible_probe.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace kdump {
namespace {

std::vector<std::byte> random_bytes(std::size_t n, std::uint64_t seed, unsigned alphabet_bits = 8) {
  std::vector<std::byte> p(n);
  std::uint64_t x = seed;
  for (auto& b : p) {
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    b = static_cast<std::byte>((x * 0x2545F4914F6CDD1Dull) >> (64 - alphabet_bits));
  }
  return p;
}

TEST_CASE("random pages are incompressible, nearly every one of many") {
  IncompressibleProbe probe;
  int found = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) found += probe.incompressible(random_bytes(4096, seed * 7919));
  CHECK(found >= 195);  // the bound sits 2.6 standard deviations above a random page's
}

TEST_CASE("pages that a codec can shrink are not called incompressible") {
  IncompressibleProbe probe;
  CHECK_FALSE(probe.incompressible(std::vector<std::byte>(4096)));
  std::string line = "KDUMP-LAB busy page 12345 repeats. ";
  std::vector<std::byte> text(4096);
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<std::byte>(line[i % line.size()]);
  CHECK_FALSE(probe.incompressible(text));
  // Bytes from 64 values only: an entropy coder saves a quarter.
  CHECK_FALSE(probe.incompressible(random_bytes(4096, 42, 6)));
  CHECK_FALSE(evenly_spread_bytes(random_bytes(4096, 42, 6)));
  // Random bytes, but the second half repeats the first: even spread, yet LZ halves it.
  auto twice = random_bytes(2048, 42);
  twice.insert(twice.end(), twice.begin(), twice.end());
  CHECK(evenly_spread_bytes(twice));
  CHECK_FALSE(probe.incompressible(twice));
}

TEST_CASE("the probe handles other page sizes and tiny inputs") {
  IncompressibleProbe probe;
  CHECK(probe.incompressible(random_bytes(16384, 9)));
  CHECK(probe.incompressible(random_bytes(65536, 9)));
  CHECK_FALSE(probe.incompressible(random_bytes(100, 9)));  // too few bytes to judge
  CHECK_FALSE(probe.incompressible({}));
}

}  // namespace
}  // namespace kdump
