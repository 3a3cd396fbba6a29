// format_vmcore_dmesg: the text kexec-tools' vmcore-dmesg writes (facts from
// util_lib/elf_info.c, dump_dmesg_structured and dump_record). Each record is
// "[%5llu.%06llu] ", its text with every byte that is neither printable nor
// white space (C locale) written as \xNN, and a newline. Newlines inside the
// text pass through unchanged. A lockless record without a text block still
// gets its timestamp line; the legacy end-of-buffer header is printed like a
// record. Caller ids and dictionaries are not printed.

#include "dmesg/kernel_log.h"
#include "dmesg/log_text.h"

namespace kdump::dmesg {

std::string format_vmcore_dmesg(const KernelLog& log) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::size_t estimate = 0;
  for (const LogRecord& rec : log.records) estimate += rec.text.size() + 16;
  out.reserve(estimate);
  for (const LogRecord& rec : log.records) {
    append_timestamp(out, rec.ts_nsec);
    if (rec.kind != LogRecord::Kind::kDataless) {
      // Plain text goes out in runs; only the rare unprintable byte is escaped.
      const std::string& text = rec.text;
      std::size_t run = 0;
      for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (is_c_print_or_space(c)) continue;
        out.append(text, run, i - run);
        out += "\\x";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
        run = i + 1;
      }
      out.append(text, run, text.size() - run);
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace kdump::dmesg
