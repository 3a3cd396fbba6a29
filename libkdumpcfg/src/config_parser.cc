#include "kdumpcfg/config.h"

// kdump.conf is read line by line the way kdump-utils reads it
// (kdump-lib-initramfs.sh kdump_get_conf_val): everything from the first '#'
// is a comment, runs of spaces and tabs count as one space, the first word is
// the directive, the rest is its value, and one pair of double quotes around
// the whole value is removed. Each directive is then looked up in the table
// of directives.cc, which says what it is and how its value is checked, so
// this file only knows the rules between lines: a setting at most once, one
// dump target, force_rebuild against force_no_rebuild, and the core
// collector's default and rewrite for the target. Unlike kdumpctl, which stops
// at the first problem, every problem becomes a diagnostic and parsing goes
// on, so one run reports them all.

#include <algorithm>
#include <map>

#include "directives.h"
#include "edit_distance.h"

namespace kdump::cfg {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// One meaningful line of kdump.conf, split into directive and value.
struct Line {
  int number = 0;
  std::string_view text;  // as written, without the line ending
  std::string_view directive;
  int directive_column = 0;
  std::string value;  // blanks squeezed, surrounding quotes removed
  int value_column = 0;
};

std::string squeeze_blanks(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (is_blank(c)) {
      if (!out.empty() && out.back() == ' ') continue;
      c = ' ';
    }
    out += c;
  }
  return out;
}

// nullopt for a blank or comment-only line.
std::optional<Line> lex_line(std::string_view text, int number) {
  const std::string_view content = text.substr(0, text.find('#'));
  std::size_t i = 0;
  while (i < content.size() && is_blank(content[i])) ++i;
  if (i == content.size()) return std::nullopt;

  Line line;
  line.number = number;
  line.text = text;
  line.directive_column = static_cast<int>(i) + 1;
  const std::size_t directive_start = i;
  while (i < content.size() && !is_blank(content[i])) ++i;
  line.directive = content.substr(directive_start, i - directive_start);
  while (i < content.size() && is_blank(content[i])) ++i;
  line.value_column = static_cast<int>(i) + 1;

  std::size_t end = content.size();
  while (end > i && is_blank(content[end - 1])) --end;
  line.value = squeeze_blanks(content.substr(i, end - i));
  if (line.value.size() >= 2 && line.value.front() == '"' && line.value.back() == '"')
    line.value = line.value.substr(1, line.value.size() - 2);
  return line;
}

// Where a directive or the dump target was first set, for "first set on
// line N" and for diagnostics made after the last line.
struct Seen {
  int line = 0;
  int column = 0;
  std::string_view text;
  std::string label;  // how messages name a target: 'ssh', 'dracut_args --mount'
};

class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  void line(const Line& line) {
    const DirectiveSpec* spec = find_directive(line.directive);
    if (!spec) return unknown(line);
    if (spec->role == DirectiveRole::kDeprecated) {
      return error(line, line.directive_column,
                   "directive " + quote_for_message(line.directive) + " is no longer supported; " +
                       std::string(spec->note));
    }
    if (spec->role == DirectiveRole::kAlias) {
      warning(line, line.directive_column,
              quote_for_message(spec->name) + " is the old name of '" + std::string(spec->note) + "'; use '" +
                  std::string(spec->note) + "' instead");
      spec = find_directive(spec->note);
    }
    if (line.value.empty())
      return error(line, line.directive_column, quote_for_message(line.directive) + " needs a value");
    if (!claim(line, *spec)) return;
    if (std::string problem = spec->check(line.directive, line.value); !problem.empty())
      return error(line, line.value_column, problem);

    Config& config = result_.config;
    config.directive_lines[std::string(spec->name)] = line.number;
    if (spec->role == DirectiveRole::kTarget)
      config.target = ConfiguredTarget{*spec->target, std::string(spec->name), line.value, line.number};
    else
      spec->apply(config, line.value);
  }

  ParseResult finish() {
    Config& config = result_.config;
    if (config.force_rebuild && config.force_no_rebuild) {
      const Seen& later = std::max(seen_.at("force_rebuild"), seen_.at("force_no_rebuild"),
                                   [](const Seen& a, const Seen& b) { return a.line < b.line; });
      add(later.line, later.column, later.text, Severity::kError,
          "force_rebuild and force_no_rebuild cannot both be 1");
    }
    settle_core_collector(config);
    std::stable_sort(result_.diagnostics.begin(), result_.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return std::move(result_);
  }

 private:
  // A setting may be given once and the file may name one dump target; false
  // (with the error reported) if this line breaks either rule.
  bool claim(const Line& line, const DirectiveSpec& spec) {
    const bool is_target = spec.role == DirectiveRole::kTarget;
    if (!is_target) {
      if (auto it = seen_.find(spec.name); it != seen_.end()) {
        error(line, line.directive_column,
              "duplicate " + std::string(spec.name) + " (first set on line " +
                  std::to_string(it->second.line) + ")");
        return false;
      }
      seen_[std::string(spec.name)] = Seen{line.number, line.directive_column, line.text, ""};
    }
    if (!is_target && !(spec.names_target && spec.names_target(line.value))) return true;

    std::string label =
        is_target ? quote_for_message(line.directive) : "'" + std::string(spec.name) + " --mount'";
    if (target_) {
      error(line, line.directive_column,
            "more than one dump target: " + label + " here, " + target_->label + " on line " +
                std::to_string(target_->line));
      return false;
    }
    target_ = Seen{line.number, line.directive_column, line.text, std::move(label)};
    target_kind_ = spec.target;
    return true;
  }

  // The collector follows the kind of target named, even when its value was
  // wrong, so that the warnings fit the file as the user meant it.
  void settle_core_collector(Config& config) {
    const std::optional<TargetKind> kind = target_kind_;
    if (!config.core_collector_set) {
      config.core_collector = default_core_collector(kind);
      return;
    }
    CollectorRewrite rewrite = rewrite_core_collector(config.core_collector_configured, kind, 1);
    config.core_collector = std::move(rewrite.command);
    config.core_collector_notes = std::move(rewrite.notes);
    const Seen& where = seen_.at("core_collector");
    for (const auto& note : config.core_collector_notes)
      add(where.line, where.column, where.text, Severity::kWarning, note);
  }

  void unknown(const Line& line) {
    std::string message = "unknown directive " + quote_for_message(line.directive);
    if (auto near = nearest_name(line.directive, suggestable_directive_names()))
      message += "; did you mean '" + std::string(*near) + "'?";
    error(line, line.directive_column, std::move(message));
  }

  void error(const Line& line, int column, std::string message) {
    add(line.number, column, line.text, Severity::kError, std::move(message));
  }

  void warning(const Line& line, int column, std::string message) {
    add(line.number, column, line.text, Severity::kWarning, std::move(message));
  }

  void add(int line, int column, std::string_view text, Severity severity, std::string message) {
    result_.diagnostics.push_back(
        Diagnostic{std::string(file_), line, column, severity, std::move(message), std::string(text)});
  }

  std::string_view file_;
  ParseResult result_;
  std::map<std::string, Seen, std::less<>> seen_;  // by directive name, `default` as failure_action
  std::optional<Seen> target_;
  std::optional<TargetKind> target_kind_;  // none for no target or a dracut_args --mount
};

}  // namespace

ParseResult parse_config(std::string_view text, std::string_view file) {
  Parser parser(file);
  int number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    if (raw.ends_with('\r')) raw.remove_suffix(1);  // a file edited on Windows
    ++number;
    if (auto line = lex_line(raw, number)) parser.line(*line);
    start = end + 1;
  }
  return parser.finish();
}

}  // namespace kdump::cfg
