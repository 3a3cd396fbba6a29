#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "kdumpcfg/config.h"

using namespace kdump::cfg;

namespace {

// examples/kdump.conf, from the source tree CTest names or else the one this
// file was compiled in.
std::string example_text() {
  const char* source_dir = std::getenv("KDUMP_SOURCE_DIR");
  const std::string here = __FILE__;
  const std::string root = source_dir ? std::string(source_dir) + "/" : here.substr(0, here.rfind("tests/unit/"));
  std::ifstream in(root + "examples/kdump.conf");
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string all_messages(const ParseResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += format_short(d) + "\n";
  return out;
}

}  // namespace

TEST_CASE("examples/kdump.conf parses cleanly to the defaults it documents") {
  const ParseResult r = parse_config(example_text(), "examples/kdump.conf");
  CHECK(all_messages(r) == "");
  CHECK_FALSE(r.config.target.has_value());
  CHECK(r.config.path == "/var/crash");
  CHECK(r.config.core_collector == default_core_collector(std::nullopt));
  CHECK(r.config.failure_action == Action::kReboot);
  CHECK(r.config.final_action == Action::kReboot);
  CHECK(r.config.auto_reset_crashkernel);
}

TEST_CASE("every commented-out directive in examples/kdump.conf is valid on its own") {
  std::istringstream lines(example_text());
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    // "#name value" with no space after '#' is a disabled directive; prose has one.
    if (line.size() < 2 || line[0] != '#' || line[1] == ' ' || line[1] == '-') continue;
    CAPTURE(line);
    const ParseResult r = parse_config(line.substr(1), "example");
    CHECK(all_messages(r) == "");
    CHECK_FALSE(r.config.directive_lines.empty());
    ++checked;
  }
  CHECK(checked >= 20);
}
