#include "kdumpcfg/target.h"

// Configuration -> concrete dump target, asking the System only questions
// (mounts, device lookups, real paths), so it runs the same against a fake.
//
// An explicit target is reported as the configuration names it even when the
// device is absent from this machine (a warning, not an error: a kdump.conf
// can be inspected on any machine); what is found here only adds where it is
// mounted now. With no explicit target, kdump-utils' rule applies
// (dracut-module-setup.sh, default_dump_target_install_conf): the mount
// holding `path` becomes the target and `path` becomes relative to it.
// Unlike kdump-utils, which strips a btrfs subvolume from the path and
// mounts the same subvolume again in the capture kernel
// (kdump-lib.sh, get_bind_mount_source), the path here is relative to the
// filesystem's own root and includes the mount's root (a bind source or
// subvolume); mount_root says which part of it is mounted at mount_point.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kdump::cfg {
namespace {

constexpr std::array<std::pair<ResolvedKind, std::string_view>, 4> kKindNames{{
    {ResolvedKind::kRaw, "raw"},
    {ResolvedKind::kFilesystem, "fs"},
    {ResolvedKind::kNfs, "nfs"},
    {ResolvedKind::kSsh, "ssh"},
}};

// kdump-utils treats both as NFS (kdump-lib-initramfs.sh, is_fs_type_nfs).
constexpr std::array<std::string_view, 2> kNfsFstypes{"nfs", "nfs4"};

// Only the default port: kdump.conf has no port directive (ssh_config may set one).
constexpr int kSshPort = 22;

bool is_nfs_fstype(std::string_view fstype) {
  for (std::string_view t : kNfsFstypes)
    if (fstype == t) return true;
  return false;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

struct NfsSource {
  std::string server;  // without brackets
  std::string export_path;
};

// "host:/export" or "[v6 address]:/export" (mount.nfs's notation, also kdump.conf's).
std::optional<NfsSource> parse_nfs_source(std::string_view text) {
  std::size_t colon = 0;
  std::string server;
  if (starts_with(text, "[")) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    server = std::string(text.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = text.find(":/");
    if (colon == std::string_view::npos) return std::nullopt;
    server = std::string(text.substr(0, colon));
  }
  std::string_view export_path = text.substr(colon + 1);
  if (server.empty() || export_path.empty() || export_path[0] != '/') return std::nullopt;
  return NfsSource{server, normalize_path(export_path)};
}

// `path` seen from `mount_point` (both normalised, path under mount_point).
std::string relative_to(const std::string& path, const std::string& mount_point) {
  if (mount_point == "/") return path;
  if (path.size() == mount_point.size()) return "/";
  return path.substr(mount_point.size());
}

std::string join_paths(const std::string& root, const std::string& rest) {
  if (root == "/") return rest;
  if (rest == "/") return root;
  return root + rest;
}

// kdump-utils strips double quotes from device specs (kdump-lib.sh, to_dev_name).
std::string strip_quotes(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '"') out += c;
  return out;
}

class Resolver {
 public:
  Resolver(const Config& config, System& system, const std::string& file)
      : config_(config), system_(system), file_(file) {}

  ResolveResult run() {
    ResolvedTarget& t = result_.target;
    t.core_collector = config_.core_collector;
    if (!config_.target) {
      resolve_from_path();
      return std::move(result_);
    }
    const ConfiguredTarget& c = *config_.target;
    static constexpr std::array<std::pair<TargetKind, Step>, 5> kExplicit{{
        {TargetKind::kRaw, &Resolver::resolve_raw},
        {TargetKind::kFilesystem, &Resolver::resolve_filesystem},
        {TargetKind::kVirtiofs, &Resolver::resolve_virtiofs},
        {TargetKind::kNfs, &Resolver::resolve_nfs},
        {TargetKind::kSsh, &Resolver::resolve_ssh},
    }};
    for (const auto& [kind, resolve] : kExplicit) {
      if (kind == c.kind) (this->*resolve)(c);
    }
    return std::move(result_);
  }

 private:
  using Step = void (Resolver::*)(const ConfiguredTarget&);

  void report(Severity severity, int line, std::string message) {
    result_.diagnostics.push_back(Diagnostic{file_, line, 0, severity, std::move(message), ""});
  }

  // Diagnostics about the dump path point at the `path` line; with the
  // default path there is none, and they concern the file as a whole (line 0).
  int path_line() const {
    const auto it = config_.directive_lines.find("path");
    return it == config_.directive_lines.end() ? 0 : it->second;
  }

  std::vector<MountEntry>& mounts() {
    if (!mounts_) mounts_ = system_.mounts();
    return *mounts_;
  }

  // The device node a spec names on this machine, if it is here.
  std::optional<std::string> device_node(const std::string& spec) {
    if (starts_with(spec, "UUID=")) return system_.device_by_uuid(spec.substr(5));
    if (starts_with(spec, "LABEL=")) return system_.device_by_label(spec.substr(6));
    if (starts_with(spec, "/")) return system_.real_path(spec);
    return std::nullopt;
  }

  // The mount that `match` accepts, preferring one of the filesystem's root
  // over a bind mount or subvolume of it, then the first in the table.
  template <typename Match>
  std::optional<MountEntry> find_mount(Match match) {
    std::optional<MountEntry> found;
    for (const MountEntry& m : mounts()) {
      if (!match(m)) continue;
      if (normalize_path(m.root) == "/") return m;
      if (!found) found = m;
    }
    return found;
  }

  // Where a device is mounted: same device node (through symlinks such as
  // /dev/mapper/*) or same major:minor (which btrfs does not show: its
  // mounts carry anonymous device numbers).
  std::optional<MountEntry> mount_of_device(const std::string& device) {
    const std::string node = system_.real_path(device).value_or(device);
    const std::optional<std::string> number = system_.device_number(node);
    return find_mount([&](const MountEntry& m) {
      if (number && m.major_minor == *number) return true;
      return starts_with(m.source, "/") && system_.real_path(m.source).value_or(m.source) == node;
    });
  }

  void set_mount(const MountEntry& m) {
    result_.target.mount_point = normalize_path(m.mount_point);
    result_.target.mount_root = normalize_path(m.root);
  }

  // raw and file targets on a block device: look the device up, warn if absent.
  void locate_device(const ConfiguredTarget& c, bool look_for_mount) {
    ResolvedTarget& t = result_.target;
    std::optional<std::string> node = device_node(t.device);
    if (!node) {
      report(Severity::kWarning, c.line,
             c.directive + " target '" + t.device + "' is not present on this machine");
      return;
    }
    if (!look_for_mount) return;
    if (auto m = mount_of_device(*node)) set_mount(*m);
  }

  void resolve_raw(const ConfiguredTarget& c) {
    ResolvedTarget& t = result_.target;
    t.kind = ResolvedKind::kRaw;
    t.device = strip_quotes(c.value);
    locate_device(c, false);
  }

  void resolve_filesystem(const ConfiguredTarget& c) {
    ResolvedTarget& t = result_.target;
    t.kind = ResolvedKind::kFilesystem;
    t.device = strip_quotes(c.value);
    t.fstype = c.directive;
    t.path = normalize_path(config_.path);
    locate_device(c, true);
  }

  void resolve_virtiofs(const ConfiguredTarget& c) {
    ResolvedTarget& t = result_.target;
    t.kind = ResolvedKind::kFilesystem;
    t.device = c.value;
    t.fstype = "virtiofs";
    t.path = normalize_path(config_.path);
    if (auto m = find_mount([&](const MountEntry& m) { return m.fstype == "virtiofs" && m.source == c.value; }))
      set_mount(*m);
  }

  void resolve_nfs(const ConfiguredTarget& c) {
    ResolvedTarget& t = result_.target;
    t.kind = ResolvedKind::kNfs;
    t.fstype = c.directive.empty() ? "nfs" : c.directive;
    t.path = normalize_path(config_.path);
    std::optional<NfsSource> nfs = parse_nfs_source(c.value);
    if (!nfs) {
      report(Severity::kError, c.line, "nfs target '" + c.value + "' is not HOST:/EXPORT");
      return;
    }
    t.server = nfs->server;
    t.export_path = nfs->export_path;
    auto same_export = [&](const MountEntry& m) {
      if (!is_nfs_fstype(m.fstype)) return false;
      std::optional<NfsSource> mounted = parse_nfs_source(m.source);
      return mounted && mounted->server == nfs->server && mounted->export_path == nfs->export_path;
    };
    if (auto m = find_mount(same_export)) {
      set_mount(*m);
      t.fstype = m->fstype;
    }
  }

  void resolve_ssh(const ConfiguredTarget& c) {
    ResolvedTarget& t = result_.target;
    t.kind = ResolvedKind::kSsh;
    t.port = kSshPort;
    t.sshkey = config_.sshkey;
    t.path = normalize_path(config_.path);
    std::optional<SshDestination> destination = parse_ssh_destination(c.value);
    if (!destination) {
      report(Severity::kError, c.line, "ssh target '" + c.value + "' is not USER@HOST");
      return;
    }
    t.user = destination->user;
    t.host = destination->host;
  }

  // Where `path` really is: through real_path when it exists, else through
  // its longest existing parent (a dump path may be created later).
  std::string physical_path(const std::string& clean) {
    if (auto real = system_.real_path(clean)) return normalize_path(*real);
    report(Severity::kWarning, path_line(), "dump path '" + clean + "' does not exist on this machine");
    std::string parent = clean;
    while (parent != "/") {
      std::size_t slash = parent.rfind('/');
      parent = slash == 0 ? "/" : parent.substr(0, slash);
      if (auto real = system_.real_path(parent)) return normalize_path(join_paths(*real, relative_to(clean, parent)));
    }
    return clean;
  }

  void resolve_from_path() {
    ResolvedTarget& t = result_.target;
    const std::string clean = normalize_path(config_.path);
    if (clean.empty() || clean[0] != '/') {
      report(Severity::kError, path_line(), "dump path '" + config_.path + "' is not an absolute path");
      return;
    }
    const std::string where = physical_path(clean);
    std::optional<MountEntry> m = mount_containing(mounts(), where);
    if (!m) {
      report(Severity::kError, path_line(), "no mounted filesystem holds the dump path '" + where + "'");
      return;
    }
    set_mount(*m);
    t.path = join_paths(t.mount_root, relative_to(where, t.mount_point));
    t.fstype = m->fstype;
    if (is_nfs_fstype(m->fstype)) {
      std::optional<NfsSource> nfs = parse_nfs_source(m->source);
      t.kind = ResolvedKind::kNfs;
      if (!nfs) {
        report(Severity::kError, path_line(),
               "the dump path is on an NFS mount whose source '" + m->source + "' is not HOST:/EXPORT");
        return;
      }
      t.server = nfs->server;
      t.export_path = nfs->export_path;
      return;
    }
    t.kind = ResolvedKind::kFilesystem;
    t.device = m->source;
    if (m->fstype != "virtiofs" && !starts_with(m->source, "/")) {
      report(Severity::kWarning, path_line(),
             "the dump path '" + clean + "' is on " + m->fstype + " '" + m->source + "' mounted on " +
                 t.mount_point + ", which is not a block device a capture kernel can mount");
    }
  }

  const Config& config_;
  System& system_;
  const std::string& file_;
  std::optional<std::vector<MountEntry>> mounts_;
  ResolveResult result_;
};

}  // namespace

std::string_view resolved_kind_name(ResolvedKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "?";
}

ResolveResult resolve_target(const Config& config, System& system, const std::string& config_file) {
  return Resolver(config, system, config_file).run();
}

}  // namespace kdump::cfg
