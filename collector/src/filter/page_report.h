#pragma once
// The page accounting report in makedumpfile's words and layout
// (makedumpfile.c print_report, printed with --message-level 16 or 31), so
// that scripts which parse makedumpfile's output read ours unchanged.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "filter/page_filter.h"

namespace kdump {

/// Writer statistics the report ends with, when known.
struct ReportExtras {
  std::optional<std::uint64_t> write_bytes;  ///< "Write bytes     : N"
};

/// The report text: "Original pages  : 0x...", the excluded classes, the
/// remaining pages, the reduction, "Memory Hole", "Total pages".
std::string format_makedumpfile_report(const PageCounts& counts, const ReportExtras& extras = {});

/// Reads the counts back out of such a report (ours or makedumpfile's, among
/// other output lines); nullopt unless every class line and the totals are
/// there. "Original pages" and "Memory Hole" come back as they are printed,
/// in `present` and `hole`, with `overlap` 0.
std::optional<PageCounts> parse_makedumpfile_report(std::string_view text);

}  // namespace kdump
