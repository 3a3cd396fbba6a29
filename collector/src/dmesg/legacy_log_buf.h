#pragma once
// The variable-length record buffer of Linux 3.5 to 5.9 (kernel/printk/printk.c
// of those versions): struct printk_log headers (struct log before 3.11),
// each followed by its text and dictionary, in a byte ring log_buf.

#include "dmesg/kernel_log.h"

namespace kdump::dmesg {

/// True if VMCOREINFO describes a variable-length record buffer.
bool has_legacy_log(const VmcoreInfo& info);

/// Reads the records from log_first_idx to log_next_idx. Throws
/// MissingVmcoreinfo naming a key the walk needs; damage goes to `problems`.
KernelLog read_legacy_log(KernelMemory& memory);

}  // namespace kdump::dmesg
