#include "directives.h"

// Each directive is one row: its role (target, setting, old alias, retired),
// a value check that returns a whole message, and a setter into Config. The
// checks are the ones kdump-utils makes when it starts (kdumpctl's
// parse_config, check_rebuild and action checks, mkdumprd's "Bad ssh dump
// target") plus a few it leaves to fail at crash time (a relative path, a device that is no device),
// which are cheaper to hear about now. Nothing here touches the file system:
// whether a device or a key file exists is resolution's business.

#include <algorithm>
#include <array>

namespace kdump::cfg {
namespace {

std::string invalid(std::string_view directive, std::string_view value, std::string_view expected) {
  return "invalid " + std::string(directive) + " " + quote_for_message(value) + "; expected " + std::string(expected);
}

bool has_blank(std::string_view s) { return s.find_first_of(" \t") != std::string_view::npos; }

std::vector<std::string> words(std::string_view value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < value.size()) {
    std::size_t end = value.find(' ', start);
    if (end == std::string_view::npos) end = value.size();
    if (end > start) out.emplace_back(value.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// --- value checks ---------------------------------------------------------

std::string any_value(std::string_view, std::string_view) { return ""; }

// kdump-utils resolves UUID= and LABEL= through blkid and takes anything else
// as a device path (kdump-lib.sh kdump_get_persistent_dev).
std::string check_device(std::string_view directive, std::string_view value) {
  auto prefixed = [&](std::string_view prefix) {
    return value.starts_with(prefix) && value.size() > prefix.size();
  };
  if ((prefixed("/dev/") && !has_blank(value)) || prefixed("UUID=") || prefixed("LABEL=")) return "";
  return invalid(directive, value, "/dev/..., UUID=... or LABEL=...");
}

std::string check_virtiofs_tag(std::string_view directive, std::string_view value) {
  if (!has_blank(value) && value.find('/') == std::string_view::npos) return "";
  return invalid(directive, value, "a virtiofs tag (one word, no '/')");
}

// host:/export, the host possibly a bracketed IPv6 address (kdump.conf's own
// example: nfs [2001:db8::1:2:3:4]:/export/tmp).
std::string check_nfs(std::string_view directive, std::string_view value) {
  const std::size_t split = value.find(":/");
  const bool ok = split != std::string_view::npos && split > 0 && !has_blank(value) &&
                  (value[0] != '[' || value[split - 1] == ']');
  return ok ? "" : invalid(directive, value, "host:/export");
}

std::string check_ssh(std::string_view directive, std::string_view value) {
  return parse_ssh_destination(value) ? "" : invalid(directive, value, "user@host");
}

std::string check_absolute_path(std::string_view directive, std::string_view value) {
  return value.starts_with('/') ? "" : invalid(directive, value, "an absolute path");
}

// kdump.sh runs "$KDUMP_PRE" quoted: one program, no arguments.
std::string check_program(std::string_view directive, std::string_view value) {
  return has_blank(value) ? invalid(directive, value, "one program path, without arguments") : "";
}

// kdumpctl check_failure_action_config / check_final_action_config.
std::string check_failure_action(std::string_view directive, std::string_view value) {
  return parse_action(value) ? ""
                             : invalid(directive, value, "reboot, halt, poweroff, shell or dump_to_rootfs");
}

std::string check_final_action(std::string_view directive, std::string_view value) {
  const auto action = parse_action(value);
  const bool ok = action && *action != Action::kShell && *action != Action::kDumpToRootfs;
  return ok ? "" : invalid(directive, value, "reboot, halt or poweroff");
}

// kdumpctl check_rebuild accepts exactly "0" and "1".
std::string check_zero_one(std::string_view directive, std::string_view value) {
  return (value == "0" || value == "1") ? "" : invalid(directive, value, "0 or 1");
}

std::string check_yes_no(std::string_view directive, std::string_view value) {
  return (value == "yes" || value == "no") ? "" : invalid(directive, value, "yes or no");
}

// kdumpctl counts "--mount" anywhere in the value (grep -o) and refuses more
// than one; one of them makes the mount the dump target.
std::size_t count_mounts(std::string_view value) {
  std::size_t n = 0;
  for (std::size_t at = value.find("--mount"); at != std::string_view::npos;
       at = value.find("--mount", at + 1))
    ++n;
  return n;
}

std::string check_dracut_args(std::string_view directive, std::string_view value) {
  if (count_mounts(value) <= 1) return "";
  return "invalid " + std::string(directive) + ": more than one --mount";
}

bool dracut_args_mount(std::string_view value) { return count_mounts(value) > 0; }

// --- the table --------------------------------------------------------------

constexpr DirectiveSpec target(std::string_view name, TargetKind kind,
                               std::string (*check)(std::string_view, std::string_view)) {
  return {name, DirectiveRole::kTarget, kind, check, nullptr, nullptr, ""};
}

constexpr DirectiveSpec setting(std::string_view name,
                                std::string (*check)(std::string_view, std::string_view),
                                void (*apply)(Config&, std::string_view)) {
  return {name, DirectiveRole::kSetting, std::nullopt, check, apply, nullptr, ""};
}

constexpr DirectiveSpec retired(std::string_view name, std::string_view replacement) {
  return {name, DirectiveRole::kDeprecated, std::nullopt, nullptr, nullptr, nullptr, replacement};
}

constexpr std::array kDirectives = {
    target("raw", TargetKind::kRaw, check_device),
    target("ext2", TargetKind::kFilesystem, check_device),
    target("ext3", TargetKind::kFilesystem, check_device),
    target("ext4", TargetKind::kFilesystem, check_device),
    target("xfs", TargetKind::kFilesystem, check_device),
    target("btrfs", TargetKind::kFilesystem, check_device),
    target("minix", TargetKind::kFilesystem, check_device),
    target("virtiofs", TargetKind::kVirtiofs, check_virtiofs_tag),
    target("nfs", TargetKind::kNfs, check_nfs),
    target("ssh", TargetKind::kSsh, check_ssh),
    setting("sshkey", any_value, [](Config& c, std::string_view v) { c.sshkey = v; }),
    setting("path", check_absolute_path, [](Config& c, std::string_view v) { c.path = v; }),
    setting("core_collector", any_value,
            [](Config& c, std::string_view v) {
              c.core_collector_configured = v;
              c.core_collector_set = true;
            }),
    setting("kdump_pre", check_program, [](Config& c, std::string_view v) { c.kdump_pre = v; }),
    setting("kdump_post", check_program, [](Config& c, std::string_view v) { c.kdump_post = v; }),
    setting("kdump_emergency", check_program, [](Config& c, std::string_view v) { c.kdump_emergency = v; }),
    setting("extra_bins", any_value, [](Config& c, std::string_view v) { c.extra_bins = words(v); }),
    setting("extra_modules", any_value, [](Config& c, std::string_view v) { c.extra_modules = words(v); }),
    setting("failure_action", check_failure_action,
            [](Config& c, std::string_view v) { c.failure_action = *parse_action(v); }),
    DirectiveSpec{"default", DirectiveRole::kAlias, std::nullopt, nullptr, nullptr, nullptr,
                  "failure_action"},
    setting("final_action", check_final_action,
            [](Config& c, std::string_view v) { c.final_action = *parse_action(v); }),
    setting("force_rebuild", check_zero_one,
            [](Config& c, std::string_view v) { c.force_rebuild = v == "1"; }),
    setting("force_no_rebuild", check_zero_one,
            [](Config& c, std::string_view v) { c.force_no_rebuild = v == "1"; }),
    DirectiveSpec{"dracut_args", DirectiveRole::kSetting, std::nullopt, check_dracut_args,
                  [](Config& c, std::string_view v) { c.dracut_args = v; }, dracut_args_mount, ""},
    setting("fence_kdump_args", any_value, [](Config& c, std::string_view v) { c.fence_kdump_args = v; }),
    setting("fence_kdump_nodes", any_value,
            [](Config& c, std::string_view v) { c.fence_kdump_nodes = words(v); }),
    setting("auto_reset_crashkernel", check_yes_no,
            [](Config& c, std::string_view v) { c.auto_reset_crashkernel = v == "yes"; }),
    // Retired in kexec-tools 2.0.x's move to dracut; kdumpctl refuses them.
    retired("net", "use 'nfs host:/export' or 'ssh user@host' instead"),
    retired("options",
            "pass module parameters on the capture kernel's command line as module.param=value instead"),
    retired("link_delay", "set rd.net.timeout.carrier=SECONDS on the capture kernel's command line instead"),
    retired("disk_timeout", "set rd.timeout=SECONDS on the capture kernel's command line instead"),
    retired("debug_mem_level", "set rd.memdebug=LEVEL on the capture kernel's command line instead"),
    retired("blacklist", "set rd.driver.blacklist=MODULE on the capture kernel's command line instead"),
};

constexpr std::size_t count_suggestable() {
  std::size_t n = 0;
  for (const auto& d : kDirectives)
    n += d.role == DirectiveRole::kTarget || d.role == DirectiveRole::kSetting;
  return n;
}

const std::array<std::string_view, count_suggestable()> kSuggestable = [] {
  std::array<std::string_view, count_suggestable()> names{};
  std::size_t i = 0;
  for (const auto& d : kDirectives)
    if (d.role == DirectiveRole::kTarget || d.role == DirectiveRole::kSetting) names[i++] = d.name;
  return names;
}();

}  // namespace

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMaxShown = 60;
  if (text.size() <= kMaxShown) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMaxShown)) + "...'";
}

const DirectiveSpec* find_directive(std::string_view name) {
  auto it = std::find_if(kDirectives.begin(), kDirectives.end(),
                         [&](const DirectiveSpec& d) { return d.name == name; });
  return it == kDirectives.end() ? nullptr : &*it;
}

std::span<const std::string_view> suggestable_directive_names() { return kSuggestable; }

}  // namespace kdump::cfg
