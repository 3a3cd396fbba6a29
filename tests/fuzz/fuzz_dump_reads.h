#pragma once
// Shared by the dump fuzz targets: open bytes as a dump and read through
// every path (physical ranges, kernel text, direct map, page walk).

#include <array>
#include <cstdint>
#include <memory>

#include "io/memory_source.h"
#include "vmcore/dump.h"
#include "vmcore/dump_error.h"

namespace kdump::fuzz {

inline void open_and_read(const std::uint8_t* data, std::size_t size) {
  std::unique_ptr<Dump> dump;
  try {
    dump = Dump::open(std::make_unique<MemorySource>(MemorySource::copy_of(data, size, "fuzz")));
  } catch (const DumpError&) {
    return;
  }
  std::array<std::byte, 5000> buf{};
  int budget = 64;
  for (const auto& r : dump->ranges()) {
    if (--budget < 0) break;
    dump->read_physical(r.start, buf);
    dump->read_physical(r.start + r.size - 1, buf);
  }
  static constexpr std::uint64_t kAddrs[] = {0xffffffff81000000ull, 0xffff888000001000ull, 0xff11000000002000ull,
                                             0xffffc90000000000ull, 0xffffea0000000000ull, 0x1000, ~std::uint64_t{0} - 8};
  for (auto va : kAddrs) dump->read_virtual(va, buf);
  (void)dump->description();
  (void)dump->vmcoreinfo().osrelease();
}

}  // namespace kdump::fuzz
