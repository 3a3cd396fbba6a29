#include "kdumpcfg/diagnostic.h"

#include <algorithm>

namespace kdump::cfg {

std::string format_short(const Diagnostic& d) {
  // Line 0: the diagnostic concerns the file as a whole, not one line of it.
  std::string out = d.file + (d.line > 0 ? ":" + std::to_string(d.line) : std::string()) + ": ";
  if (d.severity == Severity::kWarning) out += "warning: ";
  out += d.message;
  return out;
}

std::string format_with_source(const Diagnostic& d) {
  std::string out = format_short(d);
  if (d.source_line.empty()) return out;
  out += "\n" + d.source_line;
  if (d.column > 0) {
    // Tabs stay tabs so the caret lines up under the same column in a terminal.
    std::string pad;
    for (int i = 0; i + 1 < d.column && i < static_cast<int>(d.source_line.size()); ++i)
      pad += d.source_line[static_cast<std::size_t>(i)] == '\t' ? '\t' : ' ';
    out += "\n" + pad + "^";
  }
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

}  // namespace kdump::cfg
