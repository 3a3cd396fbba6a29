#pragma once
// Diagnostics are values: a parser collects every one of them so a single run
// reports all problems, and the caller decides how to print them.

#include <string>
#include <vector>

namespace kdump::cfg {

enum class Severity { kWarning, kError };

/// One problem found in an input file, located by 1-based line and column.
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;  // 0 when the problem concerns the whole line
  Severity severity = Severity::kError;
  std::string message;
  std::string source_line;  // the offending line's text, for the caret display

  bool operator==(const Diagnostic&) const = default;
};

/// "FILE:LINE: message", or "FILE:LINE: warning: message" for a warning ("FILE: ..." when line is 0).
std::string format_short(const Diagnostic& d);

/// The short form, then the source line and a caret under the column, as compilers print.
std::string format_with_source(const Diagnostic& d);

/// True if any diagnostic is an error.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace kdump::cfg
