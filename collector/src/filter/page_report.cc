#include "filter/page_report.h"

// The lines, their order, the 16-digit hexadecimal fields and the integer
// percentage follow makedumpfile's print_report(); the ELF-only "in ELF
// format" lines and the reader's cache statistics are not ours to print.

#include <cstdio>

namespace kdump {
namespace {

void line(std::string& out, const char* label, std::uint64_t v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s: 0x%016llx\n", label, static_cast<unsigned long long>(v));
  out += buf;
}

std::uint64_t count(const PageCounts& c, PageClass k) { return c.excluded[static_cast<std::size_t>(k)]; }

}  // namespace

std::string format_makedumpfile_report(const PageCounts& c, const ReportExtras& extras) {
  std::string out = "\n";
  std::uint64_t excluded = c.excluded_total();
  line(out, "Original pages  ", c.present);
  line(out, "  Excluded pages   ", excluded);
  line(out, "    Pages filled with zero  ", count(c, PageClass::kZero));
  line(out, "    Non-private cache pages ", count(c, PageClass::kCache));
  line(out, "    Private cache pages     ", count(c, PageClass::kCachePrivate));
  line(out, "    User process data pages ", count(c, PageClass::kUser));
  line(out, "    Free pages              ", count(c, PageClass::kFree));
  line(out, "    Hwpoison pages          ", count(c, PageClass::kHwpoison));
  line(out, "    Offline pages           ", count(c, PageClass::kOffline));
  line(out, "  Remaining pages  ", c.present - excluded);
  if (c.present != 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  (The number of pages is reduced to %llu%%.)\n",
                  static_cast<unsigned long long>((c.present - excluded) * 100 / c.present));
    out += buf;
  }
  line(out, "Memory Hole     ", c.hole);
  out += "--------------------------------------------------\n";
  line(out, "Total pages     ", c.total);
  if (extras.write_bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "Write bytes     : %llu\n", static_cast<unsigned long long>(*extras.write_bytes));
    out += buf;
  }
  return out;
}

}  // namespace kdump
