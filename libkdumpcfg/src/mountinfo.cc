#include "kdumpcfg/target.h"

// /proc/self/mountinfo, one mount a line (the format is described in the
// kernel's Documentation/filesystems/proc.rst, section 3.5):
//
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2) (3)   (4)   (5)      (6)      (7)   (8) (9)    (10)        (11)
//
// Fields are separated by single spaces; any number of optional fields (7)
// end at a lone "-". The kernel escapes space, tab, newline and backslash in
// paths and the source as a backslash and three octal digits (fs/proc_namespace.c,
// mangle()), so splitting on spaces is exact and decoding happens per field.
// The parser is lenient where the kernel has changed over time (optional
// fields, superblock options) and strict where a mistake would give a wrong
// answer (numbers, the separator, paths): a line it cannot trust is reported
// with its line number and skipped, and the rest of the table is kept.

#include <charconv>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdump::cfg {
namespace {

struct Field {
  std::string_view text;
  int column = 0;  // 1-based
};

std::vector<Field> split_fields(std::string_view line) {
  std::vector<Field> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) break;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    fields.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
  }
  return fields;
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Decodes the kernel's \ooo escapes; a backslash not followed by three octal
// digits (the kernel never writes one) is kept as it is.
std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && is_octal(text[i + 1]) && is_octal(text[i + 2]) &&
        is_octal(text[i + 3])) {
      int value = (text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0');
      if (value <= 0xff) {
        out += static_cast<char>(value);
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

bool is_device_number(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  int major = 0;
  int minor = 0;
  return parse_int(text.substr(0, colon), major) && parse_int(text.substr(colon + 1), minor);
}

// Parses one line into `entry`; on failure returns the message and the column.
struct LineError {
  std::string message;
  int column = 0;
};

std::optional<LineError> parse_line(std::string_view line, MountEntry& entry) {
  std::vector<Field> fields = split_fields(line);
  std::size_t separator = 0;
  while (separator < fields.size() && fields[separator].text != "-") ++separator;
  if (separator == fields.size()) return LineError{"missing the ' - ' separator before the filesystem type", 0};
  if (separator < 6) {
    return LineError{"expected at least 6 fields before ' - ', found " + std::to_string(separator),
                     fields[separator].column};
  }
  const std::size_t after = fields.size() - separator - 1;
  if (after < 2) {
    int column = after == 0 ? fields[separator].column : fields[separator + 1].column;
    return LineError{after == 0 ? "missing the filesystem type and source after ' - '"
                                : "missing the source after the filesystem type",
                     column};
  }
  if (after > 3) return LineError{"unexpected field after the superblock options", fields[separator + 4].column};

  if (!parse_int(fields[0].text, entry.mount_id))
    return LineError{"mount id '" + std::string(fields[0].text) + "' is not a number", fields[0].column};
  if (!parse_int(fields[1].text, entry.parent_id))
    return LineError{"parent id '" + std::string(fields[1].text) + "' is not a number", fields[1].column};
  if (!is_device_number(fields[2].text))
    return LineError{"device '" + std::string(fields[2].text) + "' is not MAJOR:MINOR", fields[2].column};
  entry.major_minor = std::string(fields[2].text);
  entry.root = unescape(fields[3].text);
  if (entry.root.empty() || entry.root[0] != '/')
    return LineError{"root '" + std::string(fields[3].text) + "' is not an absolute path", fields[3].column};
  entry.mount_point = unescape(fields[4].text);
  if (entry.mount_point.empty() || entry.mount_point[0] != '/')
    return LineError{"mount point '" + std::string(fields[4].text) + "' is not an absolute path", fields[4].column};
  entry.mount_options = std::string(fields[5].text);
  entry.fstype = unescape(fields[separator + 1].text);
  entry.source = unescape(fields[separator + 2].text);
  entry.super_options = after == 3 ? unescape(fields[separator + 3].text) : std::string();
  return std::nullopt;
}

}  // namespace

MountinfoParse parse_mountinfo(std::string_view text, std::string_view file) {
  MountinfoParse result;
  int line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    MountEntry entry;
    if (auto error = parse_line(line, entry)) {
      result.diagnostics.push_back(Diagnostic{std::string(file), line_number, error->column, Severity::kError,
                                              error->message, std::string(line)});
      continue;
    }
    result.entries.push_back(std::move(entry));
  }
  return result;
}

}  // namespace kdump::cfg
