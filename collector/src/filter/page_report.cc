#include "filter/page_report.h"

// The lines, their order, the 16-digit hexadecimal fields and the integer
// percentage follow makedumpfile's print_report(); the ELF-only "in ELF
// format" lines and the reader's cache statistics are not ours to print.

#include <array>
#include <charconv>
#include <cstdio>

namespace kdump {
namespace {

void line(std::string& out, const char* label, std::uint64_t v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s: 0x%016llx\n", label, static_cast<unsigned long long>(v));
  out += buf;
}

std::uint64_t count(const PageCounts& c, ExclusionClass k) { return c.excluded[static_cast<std::size_t>(k)]; }

}  // namespace

std::string format_makedumpfile_report(const PageCounts& c, const ReportExtras& extras) {
  std::string out = "\n";
  std::uint64_t excluded = c.excluded_total();
  // makedumpfile counts pages of overlapping PT_LOADs once per PT_LOAD
  // (makedumpfile.c create_bitmap_from_memhole): so do its totals here.
  const std::uint64_t original = c.present + c.overlap;
  const std::uint64_t hole = c.hole >= c.overlap ? c.hole - c.overlap : 0;
  line(out, "Original pages  ", original);
  line(out, "  Excluded pages   ", excluded);
  line(out, "    Pages filled with zero  ", count(c, ExclusionClass::kZero));
  line(out, "    Non-private cache pages ", count(c, ExclusionClass::kCache));
  line(out, "    Private cache pages     ", count(c, ExclusionClass::kCachePrivate));
  line(out, "    User process data pages ", count(c, ExclusionClass::kUser));
  line(out, "    Free pages              ", count(c, ExclusionClass::kFree));
  line(out, "    Hwpoison pages          ", count(c, ExclusionClass::kHwpoison));
  line(out, "    Offline pages           ", count(c, ExclusionClass::kOffline));
  line(out, "  Remaining pages  ", original - excluded);
  if (original != 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  (The number of pages is reduced to %llu%%.)\n",
                  static_cast<unsigned long long>((original - excluded) * 100 / original));
    out += buf;
  }
  line(out, "Memory Hole     ", hole);
  out += "--------------------------------------------------\n";
  line(out, "Total pages     ", c.total);
  if (extras.write_bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "Write bytes     : %llu\n", static_cast<unsigned long long>(*extras.write_bytes));
    out += buf;
  }
  return out;
}

std::optional<PageCounts> parse_makedumpfile_report(std::string_view text) {
  struct Field {
    std::string_view label;
    int class_index;  // -1: not a class
    std::uint64_t PageCounts::*total;
  };
  static constexpr std::array<Field, 10> kFields{{
      {"Original pages", -1, &PageCounts::present},
      {"Memory Hole", -1, &PageCounts::hole},
      {"Total pages", -1, &PageCounts::total},
      {"Pages filled with zero", static_cast<int>(ExclusionClass::kZero), nullptr},
      {"Non-private cache pages", static_cast<int>(ExclusionClass::kCache), nullptr},
      {"Private cache pages", static_cast<int>(ExclusionClass::kCachePrivate), nullptr},
      {"User process data pages", static_cast<int>(ExclusionClass::kUser), nullptr},
      {"Free pages", static_cast<int>(ExclusionClass::kFree), nullptr},
      {"Hwpoison pages", static_cast<int>(ExclusionClass::kHwpoison), nullptr},
      {"Offline pages", static_cast<int>(ExclusionClass::kOffline), nullptr},
  }};
  PageCounts c;
  unsigned seen = 0;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    std::size_t start = line.find_first_not_of(' ');
    std::size_t colon = line.find(':');
    if (start == std::string_view::npos || colon == std::string_view::npos || colon < start) continue;
    std::string_view label = line.substr(start, colon - start);
    while (!label.empty() && label.back() == ' ') label.remove_suffix(1);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (value.substr(0, 2) != "0x") continue;
    value.remove_prefix(2);
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v, 16);
    if (ec != std::errc{} || end != value.data() + value.size()) continue;
    for (std::size_t i = 0; i < kFields.size(); ++i) {
      if (kFields[i].label != label) continue;
      if (kFields[i].total) c.*kFields[i].total = v;
      else c.excluded[static_cast<std::size_t>(kFields[i].class_index)] = v;
      seen |= 1u << i;
    }
  }
  if (seen != (1u << kFields.size()) - 1) return std::nullopt;
  return c;
}

}  // namespace kdump
