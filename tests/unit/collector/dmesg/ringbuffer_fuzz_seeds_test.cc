// The seeds of the ringbuffer fuzz target are rings written by the builders.
// This test checks that each committed seed still decodes to a readable log;
// with KDUMP_WRITE_SEEDS=1 in the environment it first writes them afresh.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "dmesg/kernel_log.h"
#include "fuzz/ringbuffer_fuzz_input.h"
#include "support/kernel_image_builder.h"
#include "support/ringbuffer_builder.h"

namespace kdump::dmesg {
namespace {

using test::KernelImageBuilder;
using test::LegacyLogBuilder;
using test::LocklessLayout;
using test::LocklessRingBuilder;

struct Seed {
  std::string name;
  std::function<void(KernelImageBuilder&)> build;
};

void lockless(KernelImageBuilder& image, LocklessLayout layout, int n, unsigned count_bits, unsigned size_bits,
              LocklessRingBuilder::Stage last) {
  LocklessRingBuilder ring(count_bits, size_bits, layout);
  for (int i = 0; i < n; ++i)
    ring.append("msg " + std::to_string(i) + (i % 3 == 0 ? "\nsecond line\t\x01" : std::string(i % 11, '*')), 1000ull * i,
                i == n - 1 ? last : LocklessRingBuilder::Stage::kFinalized);
  ring.install(image);
}

const Seed kSeeds[] = {
    {"lockless_basic", [](auto& img) { lockless(img, {}, 5, 4, 9, LocklessRingBuilder::Stage::kFinalized); }},
    {"lockless_wrapped", [](auto& img) { lockless(img, {}, 40, 3, 8, LocklessRingBuilder::Stage::kFinalized); }},
    {"lockless_reserved_head",
     [](auto& img) { lockless(img, {}, 6, 4, 9, LocklessRingBuilder::Stage::kReserved); }},
    {"lockless_shuffled",
     [](auto& img) { lockless(img, LocklessLayout::shuffled(), 12, 3, 9, LocklessRingBuilder::Stage::kCommitted); }},
    {"lockless_i386",
     [](auto& img) {
       img.set_heap(0xc1000000);
       lockless(img, LocklessLayout::linux_6_1_i386(), 20, 3, 8, LocklessRingBuilder::Stage::kFinalized);
     }},
    {"legacy_basic",
     [](auto& img) {
       LegacyLogBuilder buf(1024);
       for (int i = 0; i < 6; ++i) buf.append("legacy " + std::to_string(i), 1000ull * i);
       buf.install(img);
     }},
    {"legacy_wrapped",
     [](auto& img) {
       LegacyLogBuilder buf(512);
       for (int i = 0; i < 30; ++i) buf.append("legacy wrapped " + std::to_string(i) + std::string(i % 9, '#'), i);
       buf.install(img);
     }},
};

std::filesystem::path seed_dir() {
  return std::filesystem::path(__FILE__).parent_path() / "../../../fuzz/corpus/ringbuffer";
}

TEST_CASE("ringbuffer fuzz seeds decode to the logs their builders wrote") {
  const bool write = std::getenv("KDUMP_WRITE_SEEDS") != nullptr;
  for (const Seed& seed : kSeeds) {
    CAPTURE(seed.name);
    const auto path = seed_dir() / seed.name;
    KernelImageBuilder image;
    seed.build(image);
    if (write)
      std::ofstream(path, std::ios::binary) << fuzz::SegmentMemory::encode(image.vmcoreinfo().text(),
                                                                           image.readable_pages());
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fuzz::SegmentMemory memory(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    const KernelLog log = read_kernel_log(memory);
    const KernelLog built = read_kernel_log(image);
    CHECK(log.records.size() >= 5);
    CHECK(format_vmcore_dmesg(log) == format_vmcore_dmesg(built));
    CHECK(log.problems == built.problems);
  }
}

}  // namespace
}  // namespace kdump::dmesg
