#include "transport/ssh_config.h"

// A line is "Keyword args" or "Keyword=args" (ssh_config(5)); keywords are
// case-insensitive and the first value obtained for a keyword wins, so a
// "Host *" block at the end only fills what earlier blocks left unset. Only
// the keywords in kKeywords are read; everything else is skipped on purpose,
// because the collector must not inherit settings (ProxyCommand, ...) that it
// does not implement. A Match block is treated as not matching: its
// conditions (exec, canonical, ...) are beyond this parser.

#include <algorithm>
#include <cctype>
#include <charconv>

namespace kdump {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool same_letter(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

// Glob match with '*' and '?' (no character classes, as in OpenSSH's
// match_pattern()), case-insensitive as host names are. Backtracks only to
// the last '*', so it takes O(pattern * text) steps, never exponential.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || same_letter(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Splits arguments on blanks; a double-quoted argument may hold blanks.
std::vector<std::string> split_arguments(std::string_view s) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size()) break;
    std::string word;
    if (s[i] == '"') {
      auto end = s.find('"', i + 1);
      if (end == std::string_view::npos) end = s.size();
      word = s.substr(i + 1, end - i - 1);
      i = end + 1;
    } else {
      while (i < s.size() && !is_space(s[i])) word += s[i++];
    }
    words.push_back(std::move(word));
  }
  return words;
}

std::string expand_home(const std::string& path, std::string_view home) {
  if (path == "~") return std::string(home);
  if (path.starts_with("~/")) return std::string(home) + path.substr(1);
  return path;
}

struct Context {
  SshConfigValues& values;
  std::string_view home;
  std::string where;  // "FILE:LINE"
};

using Setter = void (*)(Context&, const std::string&);

void set_string(std::optional<std::string>& slot, const std::string& value) {
  if (!slot) slot = value;
}

const struct {
  const char* keyword;  // lower case
  Setter set;
} kKeywords[] = {
    {"hostname", [](Context& c, const std::string& v) { set_string(c.values.hostname, v); }},
    {"user", [](Context& c, const std::string& v) { set_string(c.values.user, v); }},
    {"port",
     [](Context& c, const std::string& v) {
       int port = 0;
       auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
       if (ec != std::errc() || end != v.data() + v.size() || port < 1 || port > 65535) {
         c.values.errors.push_back(c.where + ": bad Port '" + v + "'");
         return;
       }
       if (!c.values.port) c.values.port = port;
     }},
    {"identityfile", [](Context& c, const std::string& v) { set_string(c.values.identity_file, expand_home(v, c.home)); }},
    {"userknownhostsfile",
     [](Context& c, const std::string& v) { set_string(c.values.known_hosts_file, expand_home(v, c.home)); }},
    {"stricthostkeychecking", [](Context& c, const std::string& v) { set_string(c.values.strict_host_key_checking, v); }},
};

}  // namespace

bool ssh_host_matches(std::string_view patterns, std::string_view host) {
  bool matched = false;
  for (const auto& pattern : split_arguments(patterns)) {
    if (!pattern.empty() && pattern.front() == '!') {
      if (glob_match(std::string_view(pattern).substr(1), host)) return false;
    } else if (glob_match(pattern, host)) {
      matched = true;
    }
  }
  return matched;
}

SshConfigValues resolve_ssh_config(std::string_view text, std::string_view host, std::string_view file_name,
                                   std::string_view home) {
  SshConfigValues values;
  bool active = true;  // lines before the first Host apply to every host
  std::size_t line_number = 0;
  while (!text.empty()) {
    auto newline = text.find('\n');
    auto line = trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;

    auto key_end = line.find_first_of(" \t=");
    auto keyword = lower(line.substr(0, key_end));
    auto rest = key_end == std::string_view::npos ? std::string_view() : trim(line.substr(key_end));
    if (!rest.empty() && rest.front() == '=') rest = trim(rest.substr(1));

    if (keyword == "host") {
      active = ssh_host_matches(rest, host);
      continue;
    }
    if (keyword == "match") {
      active = false;
      continue;
    }
    if (!active) continue;
    auto args = split_arguments(rest);
    for (const auto& entry : kKeywords) {
      if (keyword != entry.keyword) continue;
      Context context{values, home, std::string(file_name) + ":" + std::to_string(line_number)};
      if (args.empty())
        values.errors.push_back(context.where + ": " + std::string(line.substr(0, key_end)) + " needs a value");
      else
        entry.set(context, args.front());
    }
  }
  return values;
}

}  // namespace kdump
