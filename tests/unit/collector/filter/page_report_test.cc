#include "filter/page_report.h"

#include <doctest/doctest.h>

namespace kdump {
namespace {

TEST_CASE("page report: makedumpfile's layout, line for line") {
  PageCounts c;
  c.excluded[static_cast<std::size_t>(ExclusionClass::kZero)] = 0x10;
  c.excluded[static_cast<std::size_t>(ExclusionClass::kCache)] = 0x200;
  c.excluded[static_cast<std::size_t>(ExclusionClass::kCachePrivate)] = 0x3;
  c.excluded[static_cast<std::size_t>(ExclusionClass::kUser)] = 0x40;
  c.excluded[static_cast<std::size_t>(ExclusionClass::kFree)] = 0x1000;
  c.excluded[static_cast<std::size_t>(ExclusionClass::kOffline)] = 0x1;
  c.present = 0x3ff7e;
  c.hole = 0x82;
  c.total = 0x40000;
  CHECK(format_makedumpfile_report(c) ==
        "\n"
        "Original pages  : 0x000000000003ff7e\n"
        "  Excluded pages   : 0x0000000000001254\n"
        "    Pages filled with zero  : 0x0000000000000010\n"
        "    Non-private cache pages : 0x0000000000000200\n"
        "    Private cache pages     : 0x0000000000000003\n"
        "    User process data pages : 0x0000000000000040\n"
        "    Free pages              : 0x0000000000001000\n"
        "    Hwpoison pages          : 0x0000000000000000\n"
        "    Offline pages           : 0x0000000000000001\n"
        "  Remaining pages  : 0x000000000003ed2a\n"
        "  (The number of pages is reduced to 98%.)\n"
        "Memory Hole     : 0x0000000000000082\n"
        "--------------------------------------------------\n"
        "Total pages     : 0x0000000000040000\n");
}

TEST_CASE("page report: pages listed twice count twice in the totals, as in makedumpfile") {
  PageCounts c;
  c.excluded[static_cast<std::size_t>(ExclusionClass::kFree)] = 0x100;
  c.present = 0x1000;
  c.overlap = 0x10;
  c.hole = 0x30;
  c.total = 0x1030;
  std::string text = format_makedumpfile_report(c);
  CHECK(text.find("Original pages  : 0x0000000000001010\n") != std::string::npos);
  CHECK(text.find("  Remaining pages  : 0x0000000000000f10\n") != std::string::npos);
  CHECK(text.find("Memory Hole     : 0x0000000000000020\n") != std::string::npos);
  CHECK(text.find("Total pages     : 0x0000000000001030\n") != std::string::npos);
}

TEST_CASE("page report: no reduction line for an empty dump, write bytes when known") {
  PageCounts c;
  ReportExtras extras;
  extras.write_bytes = 12345;
  CHECK(format_makedumpfile_report(c, extras) ==
        "\n"
        "Original pages  : 0x0000000000000000\n"
        "  Excluded pages   : 0x0000000000000000\n"
        "    Pages filled with zero  : 0x0000000000000000\n"
        "    Non-private cache pages : 0x0000000000000000\n"
        "    Private cache pages     : 0x0000000000000000\n"
        "    User process data pages : 0x0000000000000000\n"
        "    Free pages              : 0x0000000000000000\n"
        "    Hwpoison pages          : 0x0000000000000000\n"
        "    Offline pages           : 0x0000000000000000\n"
        "  Remaining pages  : 0x0000000000000000\n"
        "Memory Hole     : 0x0000000000000000\n"
        "--------------------------------------------------\n"
        "Total pages     : 0x0000000000000000\n"
        "Write bytes     : 12345\n");
}

}  // namespace
}  // namespace kdump

namespace kdump {
namespace {

TEST_CASE("page report: parsing reads back what formatting wrote, amid other output") {
  PageCounts c;
  for (std::size_t i = 1; i < kExclusionClassCount; ++i) c.excluded[i] = i * 0x1111;
  c.present = 0x123456;
  c.hole = 0x42;
  c.total = 0x123498;
  auto text = "Copying data                      : [100.0 %] |\n" + format_makedumpfile_report(c) +
              "\nThe dumpfile is saved to out.\n";
  auto parsed = parse_makedumpfile_report(text);
  REQUIRE(parsed.has_value());
  CHECK(parsed->excluded == c.excluded);
  CHECK(parsed->present == c.present);
  CHECK(parsed->hole == c.hole);
  CHECK(parsed->total == c.total);
}

TEST_CASE("page report: parsing refuses a report with a line missing or damaged") {
  PageCounts c;
  std::string text = format_makedumpfile_report(c);
  const char* lines[] = {"    Free pages              : 0x0000000000000000\n",
                         "Memory Hole     : 0x0000000000000000\n",
                         "    Offline pages           : 0x0000000000000000\n"};
  for (const char* line : lines) {
    CAPTURE(line);
    std::string cut = text;
    cut.erase(cut.find(line), std::string(line).size());
    CHECK_FALSE(parse_makedumpfile_report(cut).has_value());
    std::string damaged = text;
    damaged.replace(damaged.find(line) + std::string(line).size() - 3, 1, "g");
    CHECK_FALSE(parse_makedumpfile_report(damaged).has_value());
  }
}

}  // namespace
}  // namespace kdump
