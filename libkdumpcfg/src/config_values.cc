#include "kdumpcfg/config.h"

// The small value types of kdump.conf: action names, ssh destinations and the
// default core collector, each a table or a few lines of string work.

#include <algorithm>
#include <array>
#include <utility>

namespace kdump::cfg {
namespace {

constexpr std::array<std::pair<Action, std::string_view>, 5> kActionNames = {{
    {Action::kReboot, "reboot"},
    {Action::kHalt, "halt"},
    {Action::kPoweroff, "poweroff"},
    {Action::kShell, "shell"},
    {Action::kDumpToRootfs, "dump_to_rootfs"},
}};

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.find_first_of(" \t/@[]") != std::string_view::npos) return false;
  // One colon is "host:port", which kdump-utils does not take; two or more is
  // an IPv6 address, which its kdump.conf example writes without brackets.
  return std::count(host.begin(), host.end(), ':') != 1;
}

}  // namespace

std::string_view action_name(Action action) {
  for (const auto& [a, name] : kActionNames)
    if (a == action) return name;
  return "reboot";
}

std::optional<Action> parse_action(std::string_view name) {
  for (const auto& [a, n] : kActionNames)
    if (n == name) return a;
  return std::nullopt;
}

// user@host, user@[v6] or user@v6, with exactly one '@' (kdump.sh splits the
// address at '@' to bracket an IPv6 host for scp).
std::optional<SshDestination> parse_ssh_destination(std::string_view value) {
  const std::size_t at = value.find('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  std::string_view user = value.substr(0, at);
  std::string_view host = value.substr(at + 1);
  if (user.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  if (host.starts_with('[')) {
    if (host.size() < 3 || !host.ends_with(']')) return std::nullopt;
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for IPv6
  }
  if (!valid_host(host)) return std::nullopt;
  return SshDestination{std::string(user), std::string(host)};
}

// kdump-lib-initramfs.sh DEFAULT_CORE_COLLECTOR, plus -F where kdump.sh streams
// the dump (raw and ssh); newer kdump-utils prints at --message-level 7.
std::string default_core_collector(std::optional<TargetKind> kind) {
  const bool flat = kind == TargetKind::kRaw || kind == TargetKind::kSsh;
  return flat ? "makedumpfile -F -l --message-level 1 -d 31" : "makedumpfile -l --message-level 1 -d 31";
}

}  // namespace kdump::cfg
