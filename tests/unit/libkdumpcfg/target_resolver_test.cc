#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kdumpcfg/target.h"
#include "support/fake_system.h"
#include "support/mountinfo_samples.h"

using namespace kdump::cfg;
using kdump::test::FakeDevice;
using kdump::test::FakeSystem;

namespace {

constexpr const char* kFileCollector = "makedumpfile -l --message-level 7 -d 31";
constexpr const char* kFlatCollector = "makedumpfile -F -l --message-level 7 -d 31";

// "FILE:LINE: [warning: ]message", spelled out here rather than through
// format_short so these cases do not depend on how it prints line 0 (no line).
std::vector<std::string> messages(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics) {
    out.push_back(d.file + ":" + std::to_string(d.line) + ": " + (d.severity == Severity::kWarning ? "warning: " : "") +
                  d.message);
  }
  return out;
}

Config implicit(const std::string& path) {
  Config config;
  config.path = path;
  config.core_collector = kFileCollector;
  return config;
}

Config explicit_target(TargetKind kind, const std::string& directive, const std::string& value,
                       const std::string& path = "/var/crash") {
  Config config;
  config.target = ConfiguredTarget{kind, directive, value, 3};
  config.path = path;
  config.core_collector = kind == TargetKind::kRaw || kind == TargetKind::kSsh ? kFlatCollector : kFileCollector;
  return config;
}

// The machines of the samples, with the devices and directories they had.
void vm(FakeSystem& s) {
  s.set_mountinfo(kdump::test::kMountinfoVm);
  s.add_device({"/dev/vda", "254:0", "", ""});
  s.add_path("/var/crash");
}

void loop_lab(FakeSystem& s) {
  s.set_mountinfo(kdump::test::kMountinfoLoopLab);
  s.add_device({"/dev/vda", "254:0", "", ""});
  s.add_device({"/dev/loop0", "7:0", "c2ffae05-4d5e-44ab-b68c-beef0c861825", "dumps"});
  s.add_device({"/dev/loop1", "7:1", "f13383cf-b8df-404d-98a5-4f83da2b9b9f", "crashdisk"});
  for (const char* p : {"/mnt/root/var/crash", "/mnt/root/home/dumps", "/srv/dump space/crash", "/srv/bound/cores",
                        "/srv/over/inner/x"})
    s.add_path(p);
}

void nfs_client(FakeSystem& s) {
  s.set_mountinfo(kdump::test::kMountinfoNfs);
  s.add_device({"/dev/dm-0", "253:0", "2f8a5b9e-0000-4000-8000-000000000001", ""});
  s.add_symlink("/dev/mapper/rhel-root", "/dev/dm-0");
  s.add_device({"/dev/vda1", "252:1", "", "boot"});
  for (const char* p : {"/var/crash", "/mnt/v6/crash", "/srv/cores"}) s.add_path(p);
}

// A disk on /var, as in the issue's example.
void disk_on_var(FakeSystem& s) {
  s.set_mountinfo(
      "1 0 252:1 / / rw,relatime shared:1 - xfs /dev/vda1 rw\n"
      "2 1 252:17 / /var rw,relatime shared:2 - ext4 /dev/vdb1 rw\n");
  s.add_device({"/dev/vda1", "252:1", "", ""});
  s.add_device({"/dev/vdb1", "252:17", "8d1e1c70-1b0b-4bd6-a2d1-6b3c5c0a1111", "vardisk"});
  s.add_path("/var/crash");
}

struct Case {
  const char* name;
  std::function<void(FakeSystem&)> machine;
  Config config;
  ResolvedTarget expected;
  std::vector<std::string> diagnostics;
};

ResolvedTarget fs(std::string device, std::string fstype, std::string path, std::string mount_point,
                  std::string mount_root = "/", std::string collector = kFileCollector) {
  ResolvedTarget t;
  t.kind = ResolvedKind::kFilesystem;
  t.device = std::move(device);
  t.fstype = std::move(fstype);
  t.path = std::move(path);
  t.mount_point = std::move(mount_point);
  t.mount_root = std::move(mount_root);
  t.core_collector = std::move(collector);
  return t;
}

ResolvedTarget nfs(std::string server, std::string export_path, std::string fstype, std::string path,
                   std::string mount_point, std::string mount_root = "/") {
  ResolvedTarget t;
  t.kind = ResolvedKind::kNfs;
  t.server = std::move(server);
  t.export_path = std::move(export_path);
  t.fstype = std::move(fstype);
  t.path = std::move(path);
  t.mount_point = std::move(mount_point);
  t.mount_root = std::move(mount_root);
  t.core_collector = kFileCollector;
  return t;
}

void run(const Case& c) {
  CAPTURE(std::string(c.name));
  FakeSystem system;
  c.machine(system);
  ResolveResult result = resolve_target(c.config, system, "kdump.conf");
  CHECK(messages(result.diagnostics) == c.diagnostics);
  CHECK(result.target == c.expected);
  // Field by field too, so a failure says which one.
  CHECK(result.target.device == c.expected.device);
  CHECK(result.target.path == c.expected.path);
  CHECK(result.target.mount_point == c.expected.mount_point);
  CHECK(result.target.mount_root == c.expected.mount_root);
}

}  // namespace

TEST_CASE("no explicit target: the mount holding path becomes the target") {
  ResolvedTarget tmpfs_target = fs("second", "tmpfs", "/inner/x", "/srv/over");
  ResolvedTarget not_absolute;
  not_absolute.core_collector = kFileCollector;
  ResolvedTarget nothing_mounted = not_absolute;
  ResolvedTarget bad_nfs = not_absolute;
  bad_nfs.kind = ResolvedKind::kNfs;
  bad_nfs.fstype = "nfs";
  bad_nfs.path = "/crash";
  bad_nfs.mount_point = "/var";
  bad_nfs.mount_root = "/";

  const Case cases[] = {
      {"path on / keeps its path", vm, implicit("/var/crash"), fs("/dev/vda", "ext4", "/var/crash", "/"), {}},
      {"the root itself", vm, implicit("/"), fs("/dev/vda", "ext4", "/", "/"), {}},
      {"a disk on /var", disk_on_var, implicit("/var/crash"), fs("/dev/vdb1", "ext4", "/crash", "/var"), {}},
      {"the mount point itself", disk_on_var, implicit("/var"), fs("/dev/vdb1", "ext4", "/", "/var"), {}},
      {"trailing slashes, dots and ..", disk_on_var, implicit("//var/./tmp/../crash///"),
       fs("/dev/vdb1", "ext4", "/crash", "/var"), {}},
      {".. above the root", disk_on_var, implicit("/../../var/crash"), fs("/dev/vdb1", "ext4", "/crash", "/var"), {}},
      {"NFSv4 on /var", nfs_client, implicit("/var/crash"),
       nfs("nfs.example.com", "/exports/var", "nfs4", "/crash", "/var"), {}},
      {"NFSv3 over IPv6", nfs_client, implicit("/mnt/v6/crash"), nfs("fd00::1", "/srv/dumps", "nfs", "/crash", "/mnt/v6"),
       {}},
      {"a bind mount of a directory of an NFS export", nfs_client, implicit("/srv/cores"),
       nfs("nfs.example.com", "/exports/var", "nfs4", "/crash/cores", "/srv/cores", "/crash/cores"), {}},
      {"btrfs subvolume: the path includes it", loop_lab, implicit("/mnt/root/var/crash"),
       fs("/dev/loop0", "btrfs", "/@/var/crash", "/mnt/root", "/@"), {}},
      {"nested btrfs subvolume", loop_lab, implicit("/mnt/root/home/dumps"),
       fs("/dev/loop0", "btrfs", "/@home/dumps", "/mnt/root/home", "/@home"), {}},
      {"a mount point with a space", loop_lab, implicit("/srv/dump space/crash"),
       fs("/dev/loop1", "ext4", "/crash", "/srv/dump space"), {}},
      {"a bind mount: the path includes its source directory", loop_lab, implicit("/srv/bound/cores"),
       fs("/dev/loop1", "ext4", "/sub/cores", "/srv/bound", "/sub"), {}},
      {"overmounted: the mount on top wins, and tmpfs is no disk", loop_lab, implicit("/srv/over/inner/x"),
       tmpfs_target,
       {"kdump.conf:0: warning: the dump path '/srv/over/inner/x' is on tmpfs 'second' mounted on /srv/over, which is "
        "not a block device a capture kernel can mount"}},
      {"a symlink in the path is followed",
       [](FakeSystem& s) {
         loop_lab(s);
         s.add_symlink("/var/crash", "/srv/dump space/crash");
       },
       implicit("/var/crash"), fs("/dev/loop1", "ext4", "/crash", "/srv/dump space"), {}},
      {"a symlinked parent directory with .. after it",
       [](FakeSystem& s) {
         loop_lab(s);
         s.add_symlink("/var/dumps", "/mnt/root/var");
       },
       implicit("/var/dumps/crash/../crash"), fs("/dev/loop0", "btrfs", "/@/var/crash", "/mnt/root", "/@"), {}},
      {"a path that does not exist yet resolves through its parent",
       [](FakeSystem& s) {
         loop_lab(s);
         s.add_symlink("/var/crash", "/srv/dump space/crash");
       },
       implicit("/var/crash/new/dir"), fs("/dev/loop1", "ext4", "/crash/new/dir", "/srv/dump space"),
       {"kdump.conf:0: warning: dump path '/var/crash/new/dir' does not exist on this machine"}},
      {"a path that does not exist at all", disk_on_var, implicit("/nowhere/crash"),
       fs("/dev/vda1", "xfs", "/nowhere/crash", "/"),
       {"kdump.conf:0: warning: dump path '/nowhere/crash' does not exist on this machine"}},
      {"virtiofs is no block device but is a target",
       [](FakeSystem& s) {
         disk_on_var(s);
         s.mount_table.push_back({3, 2, "0:60", "/", "/var/crash", "rw", "virtiofs", "hostshare", "rw"});
       },
       implicit("/var/crash/vm1"), fs("hostshare", "virtiofs", "/vm1", "/var/crash"),
       {"kdump.conf:0: warning: dump path '/var/crash/vm1' does not exist on this machine"}},
      {"a relative path", vm, implicit("var/crash"), not_absolute,
       {"kdump.conf:0: dump path 'var/crash' is not an absolute path"}},
      {"nothing mounted", [](FakeSystem& s) { s.add_path("/var/crash"); }, implicit("/var/crash"), nothing_mounted,
       {"kdump.conf:0: no mounted filesystem holds the dump path '/var/crash'"}},
      {"an NFS mount with a strange source",
       [](FakeSystem& s) {
         disk_on_var(s);
         s.mount_table.back() = {2, 1, "0:51", "/", "/var", "rw", "nfs", "nfsserver", "rw"};
       },
       implicit("/var/crash"), bad_nfs,
       {"kdump.conf:0: the dump path is on an NFS mount whose source 'nfsserver' is not HOST:/EXPORT"}},
  };
  for (const auto& c : cases) run(c);
}

TEST_CASE("explicit targets: what the configuration names, and where it is mounted now") {
  auto with_dm = [](FakeSystem& s) {
    disk_on_var(s);
    s.add_device({"/dev/dm-3", "253:3", "", ""});
    s.add_symlink("/dev/mapper/vg-dump", "/dev/dm-3");
    s.mount_table.push_back({3, 1, "253:3", "/", "/dump", "rw", "xfs", "/dev/mapper/vg-dump", "rw"});
  };
  auto kernel_root_name = [](FakeSystem& s) {
    s.set_mountinfo("1 0 252:1 / / rw - ext4 /dev/root rw\n");
    s.add_device({"/dev/vda1", "252:1", "0b8e2f3c-7777-4c6b-9a55-123456789abc", ""});
  };
  auto virtiofs_mounted = [](FakeSystem& s) {
    disk_on_var(s);
    s.mount_table.push_back({3, 1, "0:60", "/", "/mnt/share", "rw", "virtiofs", "hostshare", "rw"});
  };
  ResolvedTarget raw;
  raw.kind = ResolvedKind::kRaw;
  raw.device = "/dev/vdb1";
  raw.core_collector = kFlatCollector;
  ResolvedTarget raw_missing = raw;
  raw_missing.device = "/dev/sdz";
  ResolvedTarget bad_nfs = nfs("", "", "nfs", "/var/crash", "", "");

  const Case cases[] = {
      {"ext4 by UUID, mounted", disk_on_var,
       explicit_target(TargetKind::kFilesystem, "ext4", "UUID=8d1e1c70-1b0b-4bd6-a2d1-6b3c5c0a1111", "/crash/"),
       fs("UUID=8d1e1c70-1b0b-4bd6-a2d1-6b3c5c0a1111", "ext4", "/crash", "/var"), {}},
      {"ext4 by quoted UUID", disk_on_var,
       explicit_target(TargetKind::kFilesystem, "ext4", "UUID=\"8d1e1c70-1b0b-4bd6-a2d1-6b3c5c0a1111\""),
       fs("UUID=8d1e1c70-1b0b-4bd6-a2d1-6b3c5c0a1111", "ext4", "/var/crash", "/var"), {}},
      {"ext4 by LABEL, mounted", disk_on_var, explicit_target(TargetKind::kFilesystem, "ext4", "LABEL=vardisk"),
       fs("LABEL=vardisk", "ext4", "/var/crash", "/var"), {}},
      {"ext4 by UUID absent from this machine", disk_on_var,
       explicit_target(TargetKind::kFilesystem, "ext4", "UUID=00000000-dead-beef-0000-000000000000"),
       fs("UUID=00000000-dead-beef-0000-000000000000", "ext4", "/var/crash", "", ""),
       {"kdump.conf:3: warning: ext4 target 'UUID=00000000-dead-beef-0000-000000000000' is not present on this "
        "machine"}},
      {"xfs by LABEL absent", vm, explicit_target(TargetKind::kFilesystem, "xfs", "LABEL=crash"),
       fs("LABEL=crash", "xfs", "/var/crash", "", ""),
       {"kdump.conf:3: warning: xfs target 'LABEL=crash' is not present on this machine"}},
      {"a device node present but not mounted",
       [](FakeSystem& s) {
         vm(s);
         s.add_device({"/dev/vdc", "252:32", "", ""});
       },
       explicit_target(TargetKind::kFilesystem, "ext4", "/dev/vdc"), fs("/dev/vdc", "ext4", "/var/crash", "", ""),
       {}},
      {"a /dev/mapper symlink matched through its real node", with_dm,
       explicit_target(TargetKind::kFilesystem, "xfs", "/dev/mapper/vg-dump"),
       fs("/dev/mapper/vg-dump", "xfs", "/var/crash", "/dump"), {}},
      {"/dev/root in mountinfo matched by major:minor", kernel_root_name,
       explicit_target(TargetKind::kFilesystem, "ext4", "UUID=0b8e2f3c-7777-4c6b-9a55-123456789abc"),
       fs("UUID=0b8e2f3c-7777-4c6b-9a55-123456789abc", "ext4", "/var/crash", "/"), {}},
      {"btrfs mounted only as subvolumes (major:minor is anonymous)", loop_lab,
       explicit_target(TargetKind::kFilesystem, "btrfs", "LABEL=dumps"),
       fs("LABEL=dumps", "btrfs", "/var/crash", "/mnt/root", "/@"), {}},
      {"ext4 mounted whole and as a bind: the whole one", loop_lab,
       explicit_target(TargetKind::kFilesystem, "ext4", "UUID=f13383cf-b8df-404d-98a5-4f83da2b9b9f"),
       fs("UUID=f13383cf-b8df-404d-98a5-4f83da2b9b9f", "ext4", "/var/crash", "/srv/dump space"), {}},
      {"a device spec libkdumpcfg does not look up (PARTUUID=)", vm, explicit_target(TargetKind::kFilesystem, "ext4", "PARTUUID=1234"),
       fs("PARTUUID=1234", "ext4", "/var/crash", "", ""),
       {"kdump.conf:3: warning: ext4 target 'PARTUUID=1234' is not present on this machine"}},
      {"virtiofs mounted", virtiofs_mounted, explicit_target(TargetKind::kVirtiofs, "virtiofs", "hostshare"),
       fs("hostshare", "virtiofs", "/var/crash", "/mnt/share"), {}},
      {"virtiofs not mounted", vm, explicit_target(TargetKind::kVirtiofs, "virtiofs", "hostshare"),
       fs("hostshare", "virtiofs", "/var/crash", "", ""), {}},
      {"raw device present", disk_on_var, explicit_target(TargetKind::kRaw, "raw", "/dev/vdb1"), raw, {}},
      {"raw device absent", disk_on_var, explicit_target(TargetKind::kRaw, "raw", "/dev/sdz"), raw_missing,
       {"kdump.conf:3: warning: raw target '/dev/sdz' is not present on this machine"}},
      {"nfs export mounted (as nfs4)", nfs_client,
       explicit_target(TargetKind::kNfs, "nfs", "nfs.example.com:/exports/var/", "/crash"),
       nfs("nfs.example.com", "/exports/var", "nfs4", "/crash", "/var"), {}},
      {"nfs export mounted as a bind first, then whole: the whole one",
       [](FakeSystem& s) {
         nfs_client(s);
         std::swap(s.mount_table[2], s.mount_table[4]);
       },
       explicit_target(TargetKind::kNfs, "nfs", "nfs.example.com:/exports/var", "/crash"),
       nfs("nfs.example.com", "/exports/var", "nfs4", "/crash", "/var"), {}},
      {"nfs export mounted only as a bind",
       [](FakeSystem& s) {
         nfs_client(s);
         s.mount_table.erase(s.mount_table.begin() + 2);
       },
       explicit_target(TargetKind::kNfs, "nfs", "nfs.example.com:/exports/var", "/crash"),
       nfs("nfs.example.com", "/exports/var", "nfs4", "/crash", "/srv/cores", "/crash/cores"), {}},
      {"virtiofs mounted as a bind only",
       [](FakeSystem& s) {
         disk_on_var(s);
         s.mount_table.push_back({3, 1, "0:60", "/vm1", "/mnt/vm1", "rw", "virtiofs", "hostshare", "rw"});
       },
       explicit_target(TargetKind::kVirtiofs, "virtiofs", "hostshare"),
       fs("hostshare", "virtiofs", "/var/crash", "/mnt/vm1", "/vm1"), {}},
      {"nfs export not mounted", vm, explicit_target(TargetKind::kNfs, "nfs", "nfs.example.com:/exports/var"),
       nfs("nfs.example.com", "/exports/var", "nfs", "/var/crash", "", ""), {}},
      {"nfs over IPv6 in brackets", nfs_client, explicit_target(TargetKind::kNfs, "nfs", "[fd00::1]:/srv/dumps"),
       nfs("fd00::1", "/srv/dumps", "nfs", "/var/crash", "/mnt/v6"), {}},
      {"nfs without an export", vm, explicit_target(TargetKind::kNfs, "nfs", "nfs.example.com"), bad_nfs,
       {"kdump.conf:3: nfs target 'nfs.example.com' is not HOST:/EXPORT"}},
  };
  for (const auto& c : cases) run(c);
}

TEST_CASE("explicit ssh targets") {
  struct SshCase {
    const char* value;
    const char* user;
    const char* host;
    std::vector<std::string> diagnostics;
  };
  const SshCase cases[] = {
      {"root@backup.example.com", "root", "backup.example.com", {}},
      {"kdump@[fd00::2]", "kdump", "fd00::2", {}},
      {"backup.example.com", "", "", {"kdump.conf:3: ssh target 'backup.example.com' is not USER@HOST"}},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.value));
    FakeSystem system;
    Config config = explicit_target(TargetKind::kSsh, "ssh", c.value, "/var/crash/");
    config.sshkey = "/root/.ssh/kdump_id_rsa";
    ResolveResult result = resolve_target(config, system, "kdump.conf");
    CHECK(messages(result.diagnostics) == c.diagnostics);
    ResolvedTarget expected;
    expected.kind = ResolvedKind::kSsh;
    expected.user = c.user;
    expected.host = c.host;
    expected.port = 22;
    expected.sshkey = "/root/.ssh/kdump_id_rsa";
    expected.path = "/var/crash";
    expected.core_collector = kFlatCollector;
    CHECK(result.target == expected);
    // An ssh target asks the machine nothing.
    CHECK(system.calls() == std::vector<std::string>{});
  }
}

TEST_CASE("resolution asks the System what it needs") {
  SUBCASE("explicit UUID: the lookup, then the mount table") {
    FakeSystem system;
    disk_on_var(system);
    resolve_target(explicit_target(TargetKind::kFilesystem, "ext4", "UUID=8d1e1c70-1b0b-4bd6-a2d1-6b3c5c0a1111"),
                   system, "kdump.conf");
    CHECK(system.calls() == std::vector<std::string>{
                                "device_by_uuid(8d1e1c70-1b0b-4bd6-a2d1-6b3c5c0a1111)",
                                "real_path(/dev/vdb1)",
                                "device_number(/dev/vdb1)",
                                "mounts()",
                                "real_path(/dev/vda1)",
                            });
  }
  SUBCASE("absent LABEL: no mount table needed") {
    FakeSystem system;
    disk_on_var(system);
    resolve_target(explicit_target(TargetKind::kFilesystem, "ext4", "LABEL=nope"), system, "kdump.conf");
    CHECK(system.calls() == std::vector<std::string>{"device_by_label(nope)"});
  }
  SUBCASE("implicit: the real path, then the mount table once") {
    FakeSystem system;
    disk_on_var(system);
    resolve_target(implicit("/var/crash/"), system, "kdump.conf");
    CHECK(system.calls() == std::vector<std::string>{"real_path(/var/crash)", "mounts()"});
  }
}

TEST_CASE("resolved_kind_name") {
  CHECK(resolved_kind_name(ResolvedKind::kRaw) == "raw");
  CHECK(resolved_kind_name(ResolvedKind::kFilesystem) == "fs");
  CHECK(resolved_kind_name(ResolvedKind::kNfs) == "nfs");
  CHECK(resolved_kind_name(ResolvedKind::kSsh) == "ssh");
}
