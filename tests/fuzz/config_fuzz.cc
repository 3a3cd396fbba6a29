// parse_config on arbitrary bytes: it must not crash, and what it returns must
// hold together (diagnostics in line order, on real lines, with columns inside
// their line; the core collector rewrite settled, so doing it again changes
// nothing).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kdumpcfg/config.h"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kdump::cfg;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult result = parse_config(text, "fuzz.conf");

  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  if (!text.empty() && text.back() != '\n') ++lines;

  int previous = 0;
  for (const Diagnostic& d : result.diagnostics) {
    require(d.file == "fuzz.conf");
    require(d.line >= previous && d.line >= 1 && static_cast<std::size_t>(d.line) <= lines);
    require(d.column >= 0 && static_cast<std::size_t>(d.column) <= d.source_line.size() + 1);
    require(!d.message.empty());
    require(!format_with_source(d).empty());
    previous = d.line;
  }

  const Config& config = result.config;
  if (result.ok()) {  // with errors, the target may be missing while the collector suits its kind
    const auto kind = config.target ? std::optional(config.target->kind) : std::nullopt;
    require(rewrite_core_collector(config.core_collector, kind, 1).command == config.core_collector);
  }
  if (config.target && config.target->kind == TargetKind::kSsh)
    require(parse_ssh_destination(config.target->value).has_value());
  require(!config.core_collector.empty());
  require(!config.path.empty() && config.path.front() == '/');
  require(!(config.force_rebuild && config.force_no_rebuild) || !result.ok());
  return 0;
}
