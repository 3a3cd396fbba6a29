#include "cli/dmesg_command.h"

// A thin layer over dmesg::read_kernel_log: it adds the one message a user
// needs when the dump cannot describe its log at all (no VMCOREINFO, as in a
// QEMU dump taken without -device vmcoreinfo) and turns the extractor's list
// of skipped records into warnings.

#include "dmesg/kernel_log.h"
#include "vmcore/dump_error.h"

namespace kdump::cli {

int write_dmesg(Dump& dump, DmesgFormat format, std::ostream& out, std::ostream& warn) {
  if (!dump.has_vmcoreinfo())
    throw DumpError(dump.name() + " has no VMCOREINFO, so its kernel log cannot be located"
                    " (a QEMU dump needs -device vmcoreinfo and the guest's fw_cfg driver)");
  const dmesg::KernelLog log = dmesg::read_kernel_log(dump);
  out << (format == DmesgFormat::kMakedumpfile ? dmesg::format_makedumpfile_dmesg(log)
                                               : dmesg::format_vmcore_dmesg(log));
  for (const auto& p : log.problems) warn << "kdump-collector: warning: " << p << '\n';
  return log.records.empty() ? 1 : 0;
}

}  // namespace kdump::cli
