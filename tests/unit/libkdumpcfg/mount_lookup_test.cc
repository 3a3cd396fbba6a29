#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "kdumpcfg/target.h"
#include "support/mountinfo_samples.h"

using namespace kdump::cfg;

TEST_CASE("normalize_path") {
  struct Case {
    const char* path;
    const char* expected;
  };
  const Case cases[] = {
      {"/", "/"},
      {"/var/crash", "/var/crash"},
      {"/var/crash/", "/var/crash"},
      {"/var/crash///", "/var/crash"},
      {"//var//crash", "/var/crash"},
      {"/var/./crash/.", "/var/crash"},
      {"/var/tmp/../crash", "/var/crash"},
      {"/../var/crash", "/var/crash"},
      {"/a/b/../../..", "/"},
      {"/srv/dump space/", "/srv/dump space"},
      {"var/crash/", "var/crash"},
      {"a/../../b", "../b"},
      {"./a", "a"},
      {"", "."},
      {".", "."},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.path));
    CHECK(normalize_path(c.path) == c.expected);
  }
}

TEST_CASE("mount_containing picks the mount a path goes through") {
  struct Case {
    const char* table_name;
    const char* table;
    const char* path;
    std::optional<int> mount_id;  // nullopt: no mount holds the path
  };
  const Case cases[] = {
      {"vm", kdump::test::kMountinfoVm, "/var/crash", 27},
      {"vm", kdump::test::kMountinfoVm, "/", 27},
      {"vm", kdump::test::kMountinfoVm, "/proc", 22},
      {"vm", kdump::test::kMountinfoVm, "/proc/vmcore", 22},
      {"vm", kdump::test::kMountinfoVm, "/procfs", 27},
      {"vm", kdump::test::kMountinfoVm, "/dev/pts/0", 29},   // stacked: the one on top
      {"vm", kdump::test::kMountinfoVm, "/dev/shm", 30},     // stacked, listed after its base
      {"vm", kdump::test::kMountinfoVm, "/dev/null", 24},
      {"vm", kdump::test::kMountinfoVm, "/sys/fs/cgroup/unified/x", 41},
      {"vm", kdump::test::kMountinfoVm, "relative/path", std::nullopt},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/mnt/root/var/crash", 66},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/mnt/root/home/dumps", 67},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/mnt/rootfs", 64},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/srv/dump space/crash", 65},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/srv/dump", 63},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/srv/bound/cores", 68},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/srv/over", 71},
      {"loop lab", kdump::test::kMountinfoLoopLab, "/srv/over/inner/x", 71},  // "inner" is hidden under "second"
      {"nfs", kdump::test::kMountinfoNfs, "/var/crash", 95},
      {"nfs", kdump::test::kMountinfoNfs, "/var", 95},
      {"nfs", kdump::test::kMountinfoNfs, "/variable", 22},
      {"nfs", kdump::test::kMountinfoNfs, "/mnt/v6/crash", 96},
      {"nfs", kdump::test::kMountinfoNfs, "/srv/cores", 97},
      {"nfs", kdump::test::kMountinfoNfs, "/var/../srv/cores/", 97},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.table_name));
    CAPTURE(std::string(c.path));
    auto m = mount_containing(parse_mountinfo(c.table, c.table_name).entries, c.path);
    REQUIRE(m.has_value() == c.mount_id.has_value());
    if (m) CHECK(m->mount_id == *c.mount_id);
  }
}

TEST_CASE("mount_containing with overmounts") {
  struct Case {
    const char* name;
    const char* table;
    const char* path;
    int mount_id;
  };
  const Case cases[] = {
      // /var/lib mounted first, then a new /var over it: /var/lib is hidden.
      {"sibling hides a deeper mount",
       "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
       "2 1 8:2 / /var/lib rw - ext4 /dev/sda2 rw\n"
       "3 1 8:3 / /var rw - ext4 /dev/sda3 rw\n",
       "/var/lib/kdump", 3},
      // A mount made on the new /var afterwards is visible again.
      {"a later child of the overmount is visible",
       "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
       "2 1 8:2 / /var/lib rw - ext4 /dev/sda2 rw\n"
       "3 1 8:3 / /var rw - ext4 /dev/sda3 rw\n"
       "4 3 8:4 / /var/lib rw - ext4 /dev/sda4 rw\n",
       "/var/lib/kdump", 4},
      // Stacked on the same point: the child of the lower one is on top, and
      // the lower one's other children are covered.
      {"stacked mount covers the children below",
       "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
       "5 1 8:5 / /data rw - ext4 /dev/sda5 rw\n"
       "6 5 8:6 / /data/crash rw - ext4 /dev/sda6 rw\n"
       "7 5 8:7 / /data rw - ext4 /dev/sda7 rw\n",
       "/data/crash/x", 7},
      {"a root overmount hides everything under the old root",
       "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
       "2 1 8:2 / /var rw - ext4 /dev/sda2 rw\n"
       "3 1 8:3 / / rw - ext4 /dev/sda3 rw\n",
       "/var/crash", 3},
      // Without a usable tree (parents unknown), the longest mount point
      // wins and on a tie the later line.
      {"no tree: the last of equal mount points",
       "10 90 8:1 / /var rw - ext4 /dev/sda1 rw\n"
       "11 91 8:2 / /var rw - ext4 /dev/sda2 rw\n",
       "/var/crash", 11},
      {"a cycle in the parents does not hang",
       "1 2 8:1 / / rw - ext4 /dev/sda1 rw\n"
       "2 1 8:2 / /var rw - ext4 /dev/sda2 rw\n",
       "/var/crash", 2},
      {"a mount that is its own parent",
       "1 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
       "2 1 8:2 / /var rw - ext4 /dev/sda2 rw\n",
       "/var/crash", 2},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.name));
    MountinfoParse parsed = parse_mountinfo(c.table, "t");
    REQUIRE(parsed.diagnostics.empty());
    auto m = mount_containing(parsed.entries, c.path);
    REQUIRE(m.has_value());
    CHECK(m->mount_id == c.mount_id);
  }
}

TEST_CASE("mount_containing on an empty table") { CHECK_FALSE(mount_containing({}, "/var/crash").has_value()); }
