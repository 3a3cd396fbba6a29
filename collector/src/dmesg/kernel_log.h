#pragma once
// The crashed kernel's log, read out of its memory: records from either ring
// buffer generation, and the two text formats people and scripts expect.

#include <cstdint>
#include <string>
#include <vector>

#include "vmcore/kernel_memory.h"

namespace kdump::dmesg {

/// One log record as the kernel stored it.
struct LogRecord {
  /// What the slot held. Most are messages; the other two are kept only so
  /// that each format can treat them the way its reference tool does.
  enum class Kind : std::uint8_t {
    kMessage,     ///< a record with a text block (the text may be empty)
    kDataless,    ///< lockless buffer: a record without a text block
    kWrapMarker,  ///< legacy buffer: the len == 0 end-of-buffer header
  };
  Kind kind = Kind::kMessage;
  std::uint64_t seq = 0;          // lockless: printk_info.seq; legacy: position in the walk
  std::uint64_t ts_nsec = 0;
  std::uint8_t level = 0;         // layout not in VMCOREINFO: see the readers
  std::uint8_t facility = 0;
  std::uint32_t caller_id = 0;    // 0 when the dump does not export it
  std::string text;             // without a trailing newline
  std::string dict;             // legacy buffer's dictionary, if any
};

/// What extraction produced: the records it could read, in order, and what it
/// had to skip (a damaged record, an unreadable page), for the user to see.
struct KernelLog {
  enum class Format { kLockless, kLegacy } format = Format::kLockless;
  std::vector<LogRecord> records;
  std::vector<std::string> problems;
};

/// Reads the log, choosing the ring buffer generation from VMCOREINFO.
/// Throws MissingVmcoreinfo naming the key when the dump cannot describe its
/// buffer; damage inside the buffer is reported in `problems`, never thrown.
KernelLog read_kernel_log(KernelMemory& memory);

/// The text kexec-tools' vmcore-dmesg prints for this log.
std::string format_vmcore_dmesg(const KernelLog& log);

/// The text makedumpfile --dump-dmesg writes for this log.
std::string format_makedumpfile_dmesg(const KernelLog& log);

}  // namespace kdump::dmesg
