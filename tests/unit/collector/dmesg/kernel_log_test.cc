// read_kernel_log's choice of ring buffer generation.

#include "dmesg/kernel_log.h"

#include <doctest/doctest.h>

#include "support/kernel_image_builder.h"
#include "support/ringbuffer_builder.h"

namespace kdump::dmesg {
namespace {

using test::KernelImageBuilder;

TEST_CASE("read_kernel_log picks the buffer VMCOREINFO describes") {
  SUBCASE("lockless") {
    KernelImageBuilder image;
    test::LocklessRingBuilder ring(4, 10);
    ring.append("lockless", 1);
    ring.install(image);
    const KernelLog log = read_kernel_log(image);
    CHECK(log.format == KernelLog::Format::kLockless);
    REQUIRE(log.records.size() == 1);
    CHECK(log.records[0].text == "lockless");
  }
  SUBCASE("legacy") {
    KernelImageBuilder image;
    test::LegacyLogBuilder buf(1024);
    buf.append("legacy", 1);
    buf.install(image);
    const KernelLog log = read_kernel_log(image);
    CHECK(log.format == KernelLog::Format::kLegacy);
    REQUIRE(log.records.size() == 1);
    CHECK(log.records[0].text == "legacy");
  }
  SUBCASE("neither") {
    KernelImageBuilder image;
    image.vmcoreinfo_line("OSRELEASE=3.4.0");
    image.vmcoreinfo_line("SYMBOL(log_buf)=ffffffff81c00000");
    CHECK_THROWS_WITH_AS(read_kernel_log(image), "VMCOREINFO lacks SYMBOL(prb)", MissingVmcoreinfo);
  }
}

}  // namespace
}  // namespace kdump::dmesg
