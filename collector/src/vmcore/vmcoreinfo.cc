#include "vmcore/vmcoreinfo.h"

// VMCOREINFO is text the kernel builds with printf-style appends
// (kernel/crash_core.c, arch/x86/kernel/machine_kexec_64.c): one KEY=value per
// line, SYMBOL() and KERNELOFFSET in hexadecimal without a prefix, everything
// else in decimal. The note may carry NUL padding; text stops at the first NUL.
// Values stay strings in a map and are converted on look-up, so one damaged
// line costs only that key.

#include <charconv>

namespace kdump {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

template <typename T>
std::optional<T> parse_int(std::string_view s, int base) {
  s = trim(s);
  if (base == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty()) return std::nullopt;
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string wrap(std::string_view kind, std::string_view name) {
  std::string key(kind);
  key += '(';
  key += name;
  key += ')';
  return key;
}

}  // namespace

VmcoreInfo VmcoreInfo::parse(std::string_view text) {
  VmcoreInfo info;
  if (auto nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
  info.text_ = std::string(text);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty()) continue;
    std::size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) {
      info.bad_lines_.emplace_back(line);
      continue;
    }
    info.entries_.insert_or_assign(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return info;
}

std::optional<std::string> VmcoreInfo::value(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint64_t> VmcoreInfo::symbol(std::string_view name) const {
  auto v = value(wrap("SYMBOL", name));
  return v ? parse_int<std::uint64_t>(*v, 16) : std::nullopt;
}

std::optional<std::int64_t> VmcoreInfo::offset(std::string_view type_member) const {
  auto v = value(wrap("OFFSET", type_member));
  return v ? parse_int<std::int64_t>(*v, 10) : std::nullopt;
}

std::optional<std::int64_t> VmcoreInfo::size(std::string_view type) const {
  auto v = value(wrap("SIZE", type));
  return v ? parse_int<std::int64_t>(*v, 10) : std::nullopt;
}

std::optional<std::int64_t> VmcoreInfo::length(std::string_view name) const {
  auto v = value(wrap("LENGTH", name));
  return v ? parse_int<std::int64_t>(*v, 10) : std::nullopt;
}

std::optional<std::int64_t> VmcoreInfo::number(std::string_view name) const {
  auto v = value(wrap("NUMBER", name));
  return v ? parse_int<std::int64_t>(*v, 10) : std::nullopt;
}

std::optional<std::string> VmcoreInfo::osrelease() const { return value("OSRELEASE"); }

std::optional<std::uint64_t> VmcoreInfo::page_size() const {
  auto v = value("PAGESIZE");
  return v ? parse_int<std::uint64_t>(*v, 10) : std::nullopt;
}

std::optional<std::string> VmcoreInfo::build_id() const { return value("BUILD-ID"); }

std::optional<std::int64_t> VmcoreInfo::crash_time() const {
  auto v = value("CRASHTIME");
  return v ? parse_int<std::int64_t>(*v, 10) : std::nullopt;
}

std::optional<std::uint64_t> VmcoreInfo::kernel_offset() const {
  auto v = value("KERNELOFFSET");
  return v ? parse_int<std::uint64_t>(*v, 16) : std::nullopt;
}

std::uint64_t VmcoreInfo::require_symbol(std::string_view name) const {
  if (auto v = symbol(name)) return *v;
  throw MissingVmcoreinfo(wrap("SYMBOL", name));
}

std::int64_t VmcoreInfo::require_offset(std::string_view type_member) const {
  if (auto v = offset(type_member)) return *v;
  throw MissingVmcoreinfo(wrap("OFFSET", type_member));
}

std::int64_t VmcoreInfo::require_size(std::string_view type) const {
  if (auto v = size(type)) return *v;
  throw MissingVmcoreinfo(wrap("SIZE", type));
}

std::int64_t VmcoreInfo::require_length(std::string_view name) const {
  if (auto v = length(name)) return *v;
  throw MissingVmcoreinfo(wrap("LENGTH", name));
}

std::int64_t VmcoreInfo::require_number(std::string_view name) const {
  if (auto v = number(name)) return *v;
  throw MissingVmcoreinfo(wrap("NUMBER", name));
}

}  // namespace kdump
