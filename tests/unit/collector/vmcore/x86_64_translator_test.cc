#include "vmcore/x86_64_translator.h"

#include <doctest/doctest.h>

#include "io/memory_source.h"
#include "support/elf_vmcore_builder.h"
#include "vmcore/segment_map.h"

namespace kdump {
namespace {

using test::PageTableBuilder;
using test::PhysImage;

constexpr std::uint64_t kNx = 1ull << 63;
constexpr std::uint64_t kSme = 1ull << 47;

// Physical memory over a PhysImage, through the ELF segment map as a real dump is read.
struct Memory {
  explicit Memory(const PhysImage& image, std::uint64_t size)
      : source(image.slice(0, size)), map(source, {{0, 0, 0, size, size}}) {}
  MemorySource source;
  SegmentMap map;
};

TEST_CASE("x86_64: page walk with 4K, 2M and 1G pages, 4- and 5-level") {
  for (bool five : {false, true}) {
    for (std::uint64_t extra : {std::uint64_t{0}, kNx | kSme}) {
      CAPTURE(five);
      CAPTURE(extra);
      PhysImage image;
      PageTableBuilder pt(image, five, 0x100000, extra);
      // 5-level addresses may use bits 48-56; 4-level ones stay canonical at 47.
      const std::uint64_t base = five ? 0xff11000000000000ull : 0xffff888000000000ull;
      pt.map_4k(base + 0x5000, 0x7000);
      pt.map_2m(base + 0x40000000, 0x200000);
      pt.map_1g(base + 0x80000000, 0x40000000);
      Memory mem(image, 0x200000);
      X86_64Layout layout;
      layout.five_level = five;
      layout.top_table = pt.root() | (extra & kSme);  // CR3 itself may carry the SME bit
      layout.sme_mask = extra & kSme;
      X86_64Translator t(mem.map, layout);

      struct Case {
        std::uint64_t va;
        std::optional<std::uint64_t> pa;
        std::uint64_t contiguous;
      };
      const Case cases[] = {
          {base + 0x5123, 0x7123, 0x1000 - 0x123},
          {base + 0x40000000 + 0x12345, 0x212345, 0x200000 - 0x12345},
          {base + 0x80000000 + 0x3456789, 0x43456789, 0x40000000 - 0x3456789},
          {base + 0x6000, std::nullopt, 0},        // not present
          {base + 0xc0000000, std::nullopt, 0},    // no PUD entry
          {0x0000900000000000ull, std::nullopt, 0},  // no top-level entry (user half)
          {0x8000000000000000ull, std::nullopt, 0},  // not canonical
      };
      for (const auto& c : cases) {
        CAPTURE(c.va);
        auto r = t.walk(c.va);
        REQUIRE(r.has_value() == c.pa.has_value());
        if (r) {
          CHECK(r->paddr == *c.pa);
          CHECK(r->contiguous == c.contiguous);
        }
      }
    }
  }
}

TEST_CASE("x86_64: arithmetic for the text mapping and the direct map, walk for the rest") {
  PhysImage image;
  PageTableBuilder pt(image, false, 0x100000);
  pt.map_4k(0xffffc90000001000ull, 0x3000);  // a vmalloc page
  Memory mem(image, 0x200000);
  X86_64Layout layout;
  layout.phys_base = 0x1000000;
  layout.kernel_image_size = 1ull << 30;
  layout.page_offset = 0xffff888000000000ull;
  layout.top_table = pt.root();
  X86_64Translator t(mem.map, layout);
  CHECK(t.translate(0xffffffff81000010ull)->paddr == 0x2000010);
  CHECK(t.translate(0xffff888000abc000ull)->paddr == 0xabc000);
  CHECK(t.translate(0xffffc90000001008ull)->paddr == 0x3008);
  CHECK_FALSE(t.translate(0xffffffffc0000000ull).has_value());  // modules: past the image, not mapped here
}

TEST_CASE("x86_64: garbage page tables end the walk") {
  PhysImage image;
  // A table whose every entry points at itself as a large-less table: the walk
  // must still stop after its fixed number of levels.
  for (std::uint64_t i = 0; i < 512; ++i) image.put_u64(0x1000 + i * 8, 0x1000 | 0x3);
  Memory mem(image, 0x2000);
  X86_64Layout layout;
  layout.top_table = 0x1000;
  X86_64Translator t(mem.map, layout);
  auto r = t.walk(0xffff888000000000ull);
  REQUIRE(r.has_value());  // four levels of the same table end at a 4K "page"
  CHECK(r->paddr == 0x1000);
  layout.top_table = 0x7fff000;  // outside the dump
  X86_64Translator outside(mem.map, layout);
  CHECK_FALSE(outside.walk(0xffff888000000000ull).has_value());
}

}  // namespace
}  // namespace kdump
