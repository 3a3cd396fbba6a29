// format_makedumpfile_dmesg: the file makedumpfile --dump-dmesg writes, as
// Debian 12's makedumpfile 1.7.2 does (facts from makedumpfile.c
// dump_log_entry and printk.c dump_record). Differences from vmcore-dmesg:
// - a newline inside the text is followed by as many spaces as the
//   timestamp prefix is long, so continuation lines line up;
// - non-printable bytes are printed with "\x%02x" of a plain (signed) char,
//   so a byte of 0x80 or more comes out as \xffffffNN;
// - records without a text block and the legacy end-of-buffer header are
//   skipped.
// No header, no caller id (later makedumpfile releases add "[T123] " when
// VMCOREINFO exports the caller id; 1.7.2 does not).

#include "dmesg/kernel_log.h"
#include "dmesg/log_text.h"

namespace kdump::dmesg {

std::string format_makedumpfile_dmesg(const KernelLog& log) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::size_t estimate = 0;
  for (const LogRecord& rec : log.records) estimate += rec.text.size() + 16;
  out.reserve(estimate);
  for (const LogRecord& rec : log.records) {
    if (rec.kind != LogRecord::Kind::kMessage) continue;
    const std::size_t start = out.size();
    append_timestamp(out, rec.ts_nsec);
    const std::size_t indent = out.size() - start;
    for (char ch : rec.text) {
      const auto c = static_cast<unsigned char>(ch);
      if (ch == '\n') {
        out.push_back('\n');
        out.append(indent, ' ');
      } else if (is_c_print_or_space(c)) {
        out.push_back(ch);
      } else {
        out += c >= 0x80 ? "\\xffffff" : "\\x";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace kdump::dmesg
