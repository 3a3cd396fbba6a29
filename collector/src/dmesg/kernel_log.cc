#include "dmesg/kernel_log.h"

// Chooses the ring buffer generation the way both reference tools do: a dump
// that exports SYMBOL(prb) has the lockless buffer (5.10+), one that exports
// SYMBOL(log_first_idx) the variable-length record buffer (3.5-5.9). The
// character buffer of older kernels is not supported.

#include "dmesg/legacy_log_buf.h"
#include "dmesg/printk_ringbuffer.h"

namespace kdump::dmesg {

KernelLog read_kernel_log(KernelMemory& memory) {
  const VmcoreInfo& info = memory.vmcoreinfo();
  if (has_lockless_log(info)) return read_lockless_log(memory);
  if (has_legacy_log(info)) return read_legacy_log(memory);
  throw MissingVmcoreinfo("SYMBOL(prb)");
}

}  // namespace kdump::dmesg
