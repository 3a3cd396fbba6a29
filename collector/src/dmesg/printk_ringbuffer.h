#pragma once
// The lockless printk ring buffer of Linux 5.10 and later
// (kernel/printk/printk_ringbuffer.{h,c}): a descriptor ring, a parallel
// array of printk_info, and a text data ring of id-tagged blocks.

#include "dmesg/kernel_log.h"

namespace kdump::dmesg {

/// True if VMCOREINFO describes a lockless ring buffer (it has SYMBOL(prb)).
bool has_lockless_log(const VmcoreInfo& info);

/// Reads every committed record between the tail and the head descriptor,
/// oldest first. Throws MissingVmcoreinfo naming a key the walk needs;
/// anything wrong in the buffer itself goes to `problems`.
KernelLog read_lockless_log(KernelMemory& memory);

}  // namespace kdump::dmesg
