#pragma once
// The two kernel-log outputs: makedumpfile's `--dump-dmesg VMCORE LOGFILE` and
// kexec-tools' `vmcore-dmesg VMCORE` (here `--vmcore-dmesg VMCORE`).

#include <ostream>
#include <string>

#include "vmcore/dump.h"

namespace kdump::cli {

/// Which text format to write.
enum class DmesgFormat { kMakedumpfile, kVmcoreDmesg };

/// Extracts the log from `dump` and writes it in `format` to `out`; warnings
/// about skipped records go to `warn`. Returns the exit status: 0, or 1 when
/// not one record could be read. Throws MissingVmcoreinfo naming the key.
int write_dmesg(Dump& dump, DmesgFormat format, std::ostream& out, std::ostream& warn);

}  // namespace kdump::cli
