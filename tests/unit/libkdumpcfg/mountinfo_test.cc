#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kdumpcfg/target.h"
#include "support/mountinfo_samples.h"

using namespace kdump::cfg;

namespace {

std::vector<std::string> messages(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(format_short(d));
  return out;
}

}  // namespace

TEST_CASE("parse_mountinfo reads well-formed lines") {
  struct Case {
    const char* name;
    std::string line;
    MountEntry expected;
  };
  const Case cases[] = {
      {"root on a disk", "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard",
       {27, 1, "254:0", "/", "/", "rw,relatime", "ext4", "/dev/vda", "rw,discard"}},
      {"optional fields", "95 22 0:51 / /var rw,relatime shared:50 master:3 - nfs4 srv:/exports/var rw,vers=4.2",
       {95, 22, "0:51", "/", "/var", "rw,relatime", "nfs4", "srv:/exports/var", "rw,vers=4.2"}},
      {"btrfs subvolume", "66 64 0:41 /@ /mnt/root rw,relatime - btrfs /dev/loop0 rw,subvolid=256,subvol=/@",
       {66, 64, "0:41", "/@", "/mnt/root", "rw,relatime", "btrfs", "/dev/loop0", "rw,subvolid=256,subvol=/@"}},
      {"escaped space in the mount point", "65 63 7:1 / /srv/dump\\040space rw - ext4 /dev/loop1 rw",
       {65, 63, "7:1", "/", "/srv/dump space", "rw", "ext4", "/dev/loop1", "rw"}},
      {"escaped tab, newline and backslash",
       "70 1 0:46 /a\\011b /m\\012n\\134o rw - tmpfs my\\040tmp rw",
       {70, 1, "0:46", "/a\tb", "/m\nn\\o", "rw", "tmpfs", "my tmp", "rw"}},
      {"a backslash without three octal digits stays", "70 1 0:46 / /a\\09 rw - tmpfs x\\ rw",
       {70, 1, "0:46", "/", "/a\\09", "rw", "tmpfs", "x\\", "rw"}},
      {"no superblock options (old kernels)", "12 1 8:1 / /boot rw - ext2 /dev/sda1",
       {12, 1, "8:1", "/", "/boot", "rw", "ext2", "/dev/sda1", ""}},
      {"a dash inside a field is no separator", "12 1 8:1 / /a-b rw - ext4 /dev/x-y rw",
       {12, 1, "8:1", "/", "/a-b", "rw", "ext4", "/dev/x-y", "rw"}},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.name));
    MountinfoParse parsed = parse_mountinfo(c.line + "\n", "mountinfo");
    CHECK(messages(parsed.diagnostics) == std::vector<std::string>{});
    REQUIRE(parsed.entries.size() == 1);
    CHECK(parsed.entries[0] == c.expected);
  }
}

TEST_CASE("parse_mountinfo reports malformed lines as FILE:LINE: message and keeps the rest") {
  struct Case {
    const char* line;
    std::string message;
    int column;
  };
  const Case cases[] = {
      {"27 1 254:0 / / rw,relatime ext4 /dev/vda rw",
       "mi:2: missing the ' - ' separator before the filesystem type", 0},
      {"27 1 254:0 / / - ext4 /dev/vda rw", "mi:2: expected at least 6 fields before ' - ', found 5", 16},
      {"27 1 254:0 / / rw -", "mi:2: missing the filesystem type and source after ' - '", 19},
      {"27 1 254:0 / / rw - ext4", "mi:2: missing the source after the filesystem type", 21},
      {"27 1 254:0 / / rw - ext4 /dev/vda rw extra", "mi:2: unexpected field after the superblock options", 38},
      {"x 1 254:0 / / rw - ext4 /dev/vda rw", "mi:2: mount id 'x' is not a number", 1},
      {"-3 1 254:0 / / rw - ext4 /dev/vda rw", "mi:2: mount id '-3' is not a number", 1},
      {"99999999999 1 254:0 / / rw - ext4 /dev/vda rw", "mi:2: mount id '99999999999' is not a number", 1},
      {"27 1x 254:0 / / rw - ext4 /dev/vda rw", "mi:2: parent id '1x' is not a number", 4},
      {"27 1 2540 / / rw - ext4 /dev/vda rw", "mi:2: device '2540' is not MAJOR:MINOR", 6},
      {"27 1 254: / / rw - ext4 /dev/vda rw", "mi:2: device '254:' is not MAJOR:MINOR", 6},
      {"27 1 254:0 root / rw - ext4 /dev/vda rw", "mi:2: root 'root' is not an absolute path", 12},
      {"27 1 254:0 / mnt rw - ext4 /dev/vda rw", "mi:2: mount point 'mnt' is not an absolute path", 14},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.line));
    const std::string text = std::string("1 0 0:1 / / rw - rootfs rootfs rw\n") + c.line +
                             "\n\n3 1 0:2 / /proc rw - proc proc rw";  // a blank line and no final newline
    MountinfoParse parsed = parse_mountinfo(text, "mi");
    CHECK(messages(parsed.diagnostics) == std::vector<std::string>{c.message});
    REQUIRE(parsed.diagnostics.size() == 1);
    CHECK(parsed.diagnostics[0].column == c.column);
    CHECK(parsed.diagnostics[0].source_line == c.line);
    REQUIRE(parsed.entries.size() == 2);
    CHECK(parsed.entries[0].mount_point == "/");
    CHECK(parsed.entries[1].mount_point == "/proc");
  }
}

TEST_CASE("parse_mountinfo reads the sample tables whole") {
  struct Case {
    const char* name;
    const char* text;
    std::size_t entries;
  };
  const Case cases[] = {
      {"vm", kdump::test::kMountinfoVm, 11},
      {"loop lab", kdump::test::kMountinfoLoopLab, 15},
      {"nfs", kdump::test::kMountinfoNfs, 5},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.name));
    MountinfoParse parsed = parse_mountinfo(c.text, c.name);
    CHECK(messages(parsed.diagnostics) == std::vector<std::string>{});
    CHECK(parsed.entries.size() == c.entries);
  }
  MountinfoParse nfs = parse_mountinfo(kdump::test::kMountinfoNfs, "nfs");
  CHECK(nfs.entries[3].source == "[fd00::1]:/srv/dumps");
  CHECK(nfs.entries[4].root == "/crash/cores");
}

TEST_CASE("parse_mountinfo of nothing is nothing") {
  for (const char* text : {"", "\n", "\n\n  \n"}) {
    MountinfoParse parsed = parse_mountinfo(text, "mi");
    CHECK(parsed.entries.empty());
    CHECK(parsed.diagnostics.empty());
  }
}
