// MemoryWindow: reads inside a window of kernel memory, across pages, and
// around holes.

#include "dmesg/memory_window.h"

#include <doctest/doctest.h>

#include <array>
#include <string>

#include "support/kernel_image_builder.h"

namespace kdump::dmesg {
namespace {

using test::KernelImageBuilder;

TEST_CASE("MemoryWindow reads what is there and refuses what is not") {
  KernelImageBuilder image;
  const std::uint64_t base = 0xffff888000200000 - 10;  // straddles a page boundary
  std::string bytes;
  for (int i = 0; i < 3 * 4096; ++i) bytes.push_back(static_cast<char>(i * 7));
  image.write_text(base, bytes);
  image.make_unreadable(0xffff888000201000, 1);  // the second page after the boundary
  MemoryWindow w(image, base, bytes.size());

  std::array<std::byte, 20> out{};
  REQUIRE(w.read(0, out));  // crosses the first boundary
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(std::to_integer<char>(out[i]) == bytes[i]);
  CHECK(w.read_le(10, 2) == ((std::uint64_t{static_cast<unsigned char>(bytes[11])} << 8) |
                             static_cast<unsigned char>(bytes[10])));
  CHECK_FALSE(w.read(4096, out));                  // reaches into the hole
  CHECK(w.read(4096 + 10 - 20, out));             // ends right before it
  CHECK_FALSE(w.read(bytes.size() - 10, out));     // past the window's end
  CHECK_FALSE(w.read(~std::uint64_t{0} - 4, out)); // offsets that would overflow
  CHECK(w.read(2 * 4096 + 10, std::span(out.data(), 8)));  // after the hole
  CHECK_FALSE(w.read_le(4096 + 10, 8).has_value());
}

TEST_CASE("a window running past the top of the address space is cut there") {
  KernelImageBuilder image;
  MemoryWindow w(image, ~std::uint64_t{0} - 100, 1000);
  CHECK(w.size() == 100);
  std::array<std::byte, 8> out{};
  CHECK_FALSE(w.read(96, out));
}

}  // namespace
}  // namespace kdump::dmesg
