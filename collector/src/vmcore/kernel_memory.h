#pragma once
// What the kernel-log extractor and the page filter need from a dump: reads by
// kernel virtual address and by physical address, and VMCOREINFO. Implemented
// over every dump format the engine reads; tests implement it over a synthetic
// image.

#include <cstddef>
#include <cstdint>
#include <span>

#include "vmcore/vmcoreinfo.h"

namespace kdump {

/// A crashed kernel's memory.
class KernelMemory {
 public:
  virtual ~KernelMemory() = default;
  /// Reads at a kernel virtual address; returns how many bytes were read
  /// (short where a page is absent from the dump, unmapped or unreadable).
  virtual std::size_t read_virtual(std::uint64_t vaddr, std::span<std::byte> out) = 0;
  /// Reads at a physical address, likewise.
  virtual std::size_t read_physical(std::uint64_t paddr, std::span<std::byte> out) = 0;
  virtual const VmcoreInfo& vmcoreinfo() const = 0;
};

}  // namespace kdump
