#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "kdumpcfg/config.h"

using namespace kdump::cfg;

namespace {

// Every diagnostic in its short form, one a line, so a failed check prints them.
std::string messages(std::string_view text) {
  std::string out;
  for (const auto& d : parse_config(text, "kdump.conf").diagnostics) out += format_short(d) + "\n";
  return out;
}

std::string lines(const std::vector<std::string>& expected) {
  std::string out;
  for (const auto& m : expected) out += m + "\n";
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ",") + w;
  return out;
}

}  // namespace

TEST_CASE("parse_config: comments, blanks and quotes are read as kdump-utils reads them") {
  struct Case {
    std::string_view input;
    std::string_view path;
  };
  const Case cases[] = {
      {"path /a\n", "/a"},
      {"path /a", "/a"},  // no final newline
      {"   path   /a   \n", "/a"},
      {"\tpath\t/a\t\n", "/a"},
      {"path /a # where dumps go\n", "/a"},
      {"path /a#no space before the comment\n", "/a"},
      {"# path /commented\npath /a\n", "/a"},
      {"\n\n   \n\t\npath /a\n\n", "/a"},
      {"path \"/a b\"\n", "/a b"},
      {"path \"/a\" # quoted, then a comment\n", "/a"},
      {"path /a\"\n", "/a\""},              // one quote alone stays
      {"path /a\"b\"\n", "/a\"b\""},        // quotes inside stay
      {"path \"/a\" \"/b\"\n", "/a\" \"/b"},  // only the outer pair goes
      {"path /a   b\tc\n", "/a b c"},       // runs of blanks become one space
      {"path /a\r\n", "/a"},                // CRLF line endings
      {"path /a\r\nfinal_action halt\r\n", "/a"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const ParseResult r = parse_config(c.input, "kdump.conf");
    CHECK(messages(c.input) == "");
    CHECK(r.config.path == c.path);
  }
}

TEST_CASE("parse_config: dump targets") {
  struct Case {
    std::string_view input;
    TargetKind kind;
    std::string_view directive;
    std::string_view value;
  };
  const Case cases[] = {
      {"raw /dev/vdb1", TargetKind::kRaw, "raw", "/dev/vdb1"},
      {"ext2 /dev/sda1", TargetKind::kFilesystem, "ext2", "/dev/sda1"},
      {"ext3 LABEL=crash", TargetKind::kFilesystem, "ext3", "LABEL=crash"},
      {"ext4 UUID=03138356-5e61-4ab3-b58e-27507ac41937", TargetKind::kFilesystem, "ext4",
       "UUID=03138356-5e61-4ab3-b58e-27507ac41937"},
      {"xfs /dev/mapper/vg-crash", TargetKind::kFilesystem, "xfs", "/dev/mapper/vg-crash"},
      {"btrfs LABEL=\"my disk\"", TargetKind::kFilesystem, "btrfs", "LABEL=\"my disk\""},
      {"btrfs \"LABEL=my disk\"", TargetKind::kFilesystem, "btrfs", "LABEL=my disk"},
      {"minix /dev/loop0", TargetKind::kFilesystem, "minix", "/dev/loop0"},
      {"virtiofs myfs", TargetKind::kVirtiofs, "virtiofs", "myfs"},
      {"nfs my.server.com:/export/tmp", TargetKind::kNfs, "nfs", "my.server.com:/export/tmp"},
      {"nfs 192.168.1.2:/", TargetKind::kNfs, "nfs", "192.168.1.2:/"},
      {"nfs [2001:db8::1:2:3:4]:/export/tmp", TargetKind::kNfs, "nfs", "[2001:db8::1:2:3:4]:/export/tmp"},
      {"ssh user@my.server.com", TargetKind::kSsh, "ssh", "user@my.server.com"},
      {"ssh root@[fd00::1]", TargetKind::kSsh, "ssh", "root@[fd00::1]"},
      {"ssh user@2001:db8::1:2:3:4", TargetKind::kSsh, "ssh", "user@2001:db8::1:2:3:4"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const ParseResult r = parse_config(std::string(c.input) + "\n", "kdump.conf");
    CHECK(messages(c.input) == "");
    REQUIRE(r.config.target.has_value());
    CHECK(*r.config.target == ConfiguredTarget{c.kind, std::string(c.directive), std::string(c.value), 1});
    CHECK(r.config.directive_lines.at(std::string(c.directive)) == 1);
  }
}

TEST_CASE("parse_config: settings land in their fields") {
  struct Case {
    std::string_view input;
    std::function<std::string(const Config&)> field;
    std::string_view expected;
  };
  auto action = [](Action a) { return std::string(action_name(a)); };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  const Case cases[] = {
      {"path /var/crash/here", [](const Config& c) { return c.path; }, "/var/crash/here"},
      {"sshkey /root/.ssh/other_key", [](const Config& c) { return c.sshkey; }, "/root/.ssh/other_key"},
      {"core_collector makedumpfile -c -d 31", [](const Config& c) { return c.core_collector; },
       "makedumpfile -c -d 31"},
      {"core_collector makedumpfile -c -d 31", [](const Config& c) { return c.core_collector_configured; },
       "makedumpfile -c -d 31"},
      {"core_collector cp", [&](const Config& c) { return flag(c.core_collector_set); }, "true"},
      {"kdump_pre /usr/bin/pre.sh", [](const Config& c) { return c.kdump_pre; }, "/usr/bin/pre.sh"},
      {"kdump_post /usr/bin/post.sh", [](const Config& c) { return c.kdump_post; }, "/usr/bin/post.sh"},
      {"kdump_emergency /usr/bin/sos.sh", [](const Config& c) { return c.kdump_emergency; }, "/usr/bin/sos.sh"},
      {"extra_bins /usr/bin/lftp  /usr/bin/curl", [](const Config& c) { return joined(c.extra_bins); },
       "/usr/bin/lftp,/usr/bin/curl"},
      {"extra_modules gfs2 megaraid_sas", [](const Config& c) { return joined(c.extra_modules); },
       "gfs2,megaraid_sas"},
      {"failure_action shell", [&](const Config& c) { return action(c.failure_action); }, "shell"},
      {"failure_action dump_to_rootfs", [&](const Config& c) { return action(c.failure_action); },
       "dump_to_rootfs"},
      {"failure_action halt", [&](const Config& c) { return action(c.failure_action); }, "halt"},
      {"final_action poweroff", [&](const Config& c) { return action(c.final_action); }, "poweroff"},
      {"final_action halt", [&](const Config& c) { return action(c.final_action); }, "halt"},
      {"force_rebuild 1", [&](const Config& c) { return flag(c.force_rebuild); }, "true"},
      {"force_rebuild 0", [&](const Config& c) { return flag(c.force_rebuild); }, "false"},
      {"force_no_rebuild 1", [&](const Config& c) { return flag(c.force_no_rebuild); }, "true"},
      {"force_rebuild 1\nforce_no_rebuild 0", [&](const Config& c) { return flag(c.force_rebuild); }, "true"},
      {"dracut_args --omit-drivers \"cfg80211 snd\" --add-drivers \"ext2 ext3\"",
       [](const Config& c) { return c.dracut_args; }, "--omit-drivers \"cfg80211 snd\" --add-drivers \"ext2 ext3\""},
      {"fence_kdump_args -p 7410 -f auto -c 0 -i 10", [](const Config& c) { return c.fence_kdump_args; },
       "-p 7410 -f auto -c 0 -i 10"},
      {"fence_kdump_nodes node1 node2", [](const Config& c) { return joined(c.fence_kdump_nodes); },
       "node1,node2"},
      {"auto_reset_crashkernel no", [&](const Config& c) { return flag(c.auto_reset_crashkernel); }, "false"},
      {"auto_reset_crashkernel yes", [&](const Config& c) { return flag(c.auto_reset_crashkernel); }, "true"},
      {"# a comment\n\npath /x\nfinal_action halt",
       [](const Config& c) {
         std::string out;
         for (const auto& [name, line] : c.directive_lines) out += name + "@" + std::to_string(line) + " ";
         return out;
       },
       "final_action@4 path@3 "},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const ParseResult r = parse_config(c.input, "kdump.conf");
    CHECK(messages(c.input) == "");
    CHECK(c.field(r.config) == c.expected);
  }
}

TEST_CASE("parse_config: defaults are kdump-utils' defaults") {
  const ParseResult r = parse_config("# nothing but a comment\n", "kdump.conf");
  CHECK(r.ok());
  CHECK(r.diagnostics.empty());
  const Config& c = r.config;
  CHECK_FALSE(c.target.has_value());
  CHECK(c.path == "/var/crash");
  CHECK(c.sshkey == "/root/.ssh/kdump_id_rsa");
  CHECK(c.core_collector == "makedumpfile -l --message-level 1 -d 31");
  CHECK_FALSE(c.core_collector_set);
  CHECK(c.core_collector_configured.empty());
  CHECK(c.failure_action == Action::kReboot);
  CHECK(c.final_action == Action::kReboot);
  CHECK_FALSE(c.force_rebuild);
  CHECK_FALSE(c.force_no_rebuild);
  CHECK(c.auto_reset_crashkernel);
  CHECK(c.extra_bins.empty());
  CHECK(c.directive_lines.empty());
}

TEST_CASE("parse_config: the default core collector follows the target") {
  struct Case {
    std::string_view input;
    std::string_view collector;
  };
  const Case cases[] = {
      {"", "makedumpfile -l --message-level 1 -d 31"},
      {"ext4 /dev/sda1", "makedumpfile -l --message-level 1 -d 31"},
      {"nfs host:/export", "makedumpfile -l --message-level 1 -d 31"},
      {"virtiofs tag", "makedumpfile -l --message-level 1 -d 31"},
      {"raw /dev/sdb", "makedumpfile -F -l --message-level 1 -d 31"},
      {"ssh root@host", "makedumpfile -F -l --message-level 1 -d 31"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const ParseResult r = parse_config(c.input, "kdump.conf");
    CHECK(r.diagnostics.empty());
    CHECK(r.config.core_collector == c.collector);
  }
}

TEST_CASE("parse_config: a configured core collector is rewritten for the target, with a warning") {
  struct Case {
    std::string_view input;
    std::string_view collector;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"ssh root@host\ncore_collector makedumpfile -l -d 31\n", "makedumpfile -l -d 31 -F",
       {"kdump.conf:2: warning: core_collector: added -F (an ssh target receives a flattened stream)"}},
      {"core_collector makedumpfile -l -d 31\nraw /dev/sdb\n", "makedumpfile -l -d 31 -F",
       {"kdump.conf:1: warning: core_collector: added -F (a raw target receives a flattened stream)"}},
      {"ext4 /dev/sda1\ncore_collector makedumpfile -F -l -d 31\n", "makedumpfile -l -d 31",
       {"kdump.conf:2: warning: core_collector: removed -F (a file system target gets a normal dump file)"}},
      {"core_collector makedumpfile -Fl -d 31\n", "makedumpfile -l -d 31",
       {"kdump.conf:1: warning: core_collector: removed -F (the local file system gets a normal dump file)"}},
      {"nfs h:/e\ncore_collector kdump-collector -F -d 31\n", "kdump-collector -d 31",
       {"kdump.conf:2: warning: core_collector: removed -F (an nfs target gets a normal dump file)"}},
      {"ssh root@host\ncore_collector makedumpfile -F -l -d 31\n", "makedumpfile -F -l -d 31", {}},
      {"ssh root@host\ncore_collector scp\n", "scp", {}},
      {"ext4 /dev/sda1\ncore_collector cp --sparse=always\n", "cp --sparse=always", {}},
      {"core_collector \"makedumpfile -c -d 31\"\n", "makedumpfile -c -d 31", {}},
      {"dracut_args --mount \"/dev/sdc /mnt ext4 defaults\"\ncore_collector makedumpfile -F -d 31\n",
       "makedumpfile -d 31",
       {"kdump.conf:2: warning: core_collector: removed -F (the local file system gets a normal dump file)"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const ParseResult r = parse_config(c.input, "kdump.conf");
    CHECK(messages(c.input) == lines(c.expected));
    CHECK(r.config.core_collector == c.collector);
    CHECK(r.config.core_collector_notes.size() == c.expected.size());
    CHECK(r.ok());
  }
}

TEST_CASE("parse_config: every problem is reported as FILE:LINE: message") {
  struct Case {
    std::string input;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      // Unknown directives, with a suggestion when one is near.
      {"nsf host:/export\n", {"kdump.conf:1: unknown directive 'nsf'; did you mean 'nfs'?"}},
      {"pth /var/crash\n", {"kdump.conf:1: unknown directive 'pth'; did you mean 'path'?"}},
      {"core_colector makedumpfile\n",
       {"kdump.conf:1: unknown directive 'core_colector'; did you mean 'core_collector'?"}},
      {"EXT4 /dev/sda1\n", {"kdump.conf:1: unknown directive 'EXT4'; did you mean 'ext4'?"}},
      {"failure-action reboot\n",
       {"kdump.conf:1: unknown directive 'failure-action'; did you mean 'failure_action'?"}},
      {"frobnicate yes\n", {"kdump.conf:1: unknown directive 'frobnicate'"}},
      {"   xyz\n", {"kdump.conf:1: unknown directive 'xyz'"}},
      // Retired directives, each with what replaces it.
      {"net user@host\n",
       {"kdump.conf:1: directive 'net' is no longer supported; use 'nfs host:/export' or 'ssh user@host' "
        "instead"}},
      {"options bnx2x disable_tpa=1\n",
       {"kdump.conf:1: directive 'options' is no longer supported; pass module parameters on the capture "
        "kernel's command line as module.param=value instead"}},
      {"link_delay 10\n",
       {"kdump.conf:1: directive 'link_delay' is no longer supported; set rd.net.timeout.carrier=SECONDS on "
        "the capture kernel's command line instead"}},
      {"disk_timeout 30\n",
       {"kdump.conf:1: directive 'disk_timeout' is no longer supported; set rd.timeout=SECONDS on the capture "
        "kernel's command line instead"}},
      {"debug_mem_level 2\n",
       {"kdump.conf:1: directive 'debug_mem_level' is no longer supported; set rd.memdebug=LEVEL on the "
        "capture kernel's command line instead"}},
      {"blacklist nouveau\n",
       {"kdump.conf:1: directive 'blacklist' is no longer supported; set rd.driver.blacklist=MODULE on the "
        "capture kernel's command line instead"}},
      // The old name of failure_action works, with a warning.
      {"default shell\n",
       {"kdump.conf:1: warning: 'default' is the old name of 'failure_action'; use 'failure_action' instead"}},
      {"default bogus\n",
       {"kdump.conf:1: warning: 'default' is the old name of 'failure_action'; use 'failure_action' instead",
        "kdump.conf:1: invalid default 'bogus'; expected reboot, halt, poweroff, shell or dump_to_rootfs"}},
      // A directive twice.
      {"path /a\npath /b\n", {"kdump.conf:2: duplicate path (first set on line 1)"}},
      {"extra_bins /a\n\nextra_bins /b\n", {"kdump.conf:3: duplicate extra_bins (first set on line 1)"}},
      {"failure_action halt\ndefault shell\n",
       {"kdump.conf:2: warning: 'default' is the old name of 'failure_action'; use 'failure_action' instead",
        "kdump.conf:2: duplicate failure_action (first set on line 1)"}},
      {"path /a\npath /a/b\npath /c\n",
       {"kdump.conf:2: duplicate path (first set on line 1)", "kdump.conf:3: duplicate path (first set on line 1)"}},
      // More than one dump target.
      {"ssh root@host\nnfs host:/export\n",
       {"kdump.conf:2: more than one dump target: 'nfs' here, 'ssh' on line 1"}},
      {"ext4 /dev/sda1\next4 /dev/sdb1\n",
       {"kdump.conf:2: more than one dump target: 'ext4' here, 'ext4' on line 1"}},
      {"raw /dev/sdb\ndracut_args --mount \"/dev/sdc /mnt ext4 defaults\"\n",
       {"kdump.conf:2: more than one dump target: 'dracut_args --mount' here, 'raw' on line 1"}},
      {"dracut_args --mount \"/dev/sdc /mnt ext4 defaults\" --mount \"/dev/sdd /m xfs defaults\"\n",
       {"kdump.conf:1: invalid dracut_args: more than one --mount"}},
      // A directive without a value.
      {"path\n", {"kdump.conf:1: 'path' needs a value"}},
      {"ssh    # the host comes later\n", {"kdump.conf:1: 'ssh' needs a value"}},
      {"core_collector \"\"\n", {"kdump.conf:1: 'core_collector' needs a value"}},
      {"path \"\n", {"kdump.conf:1: invalid path '\"'; expected an absolute path"}},  // one quote is no pair
      // Actions.
      {"failure_action reboot_now\n",
       {"kdump.conf:1: invalid failure_action 'reboot_now'; expected reboot, halt, poweroff, shell or "
        "dump_to_rootfs"}},
      {"final_action shell\n", {"kdump.conf:1: invalid final_action 'shell'; expected reboot, halt or poweroff"}},
      {"final_action dump_to_rootfs\n",
       {"kdump.conf:1: invalid final_action 'dump_to_rootfs'; expected reboot, halt or poweroff"}},
      {"failure_action Reboot\n",
       {"kdump.conf:1: invalid failure_action 'Reboot'; expected reboot, halt, poweroff, shell or "
        "dump_to_rootfs"}},
      // force_rebuild and force_no_rebuild.
      {"force_rebuild 1\nforce_no_rebuild 1\n",
       {"kdump.conf:2: force_rebuild and force_no_rebuild cannot both be 1"}},
      {"force_no_rebuild 1\n\nforce_rebuild 1\n",
       {"kdump.conf:3: force_rebuild and force_no_rebuild cannot both be 1"}},
      {"force_rebuild yes\n", {"kdump.conf:1: invalid force_rebuild 'yes'; expected 0 or 1"}},
      {"force_no_rebuild 2\n", {"kdump.conf:1: invalid force_no_rebuild '2'; expected 0 or 1"}},
      // ssh and nfs values.
      {"ssh my.server.com\n", {"kdump.conf:1: invalid ssh 'my.server.com'; expected user@host"}},
      {"ssh @my.server.com\n", {"kdump.conf:1: invalid ssh '@my.server.com'; expected user@host"}},
      {"ssh root@\n", {"kdump.conf:1: invalid ssh 'root@'; expected user@host"}},
      {"ssh root@[fd00::1\n", {"kdump.conf:1: invalid ssh 'root@[fd00::1'; expected user@host"}},
      {"ssh root@host:22\n", {"kdump.conf:1: invalid ssh 'root@host:22'; expected user@host"}},
      {"ssh root@host extra\n", {"kdump.conf:1: invalid ssh 'root@host extra'; expected user@host"}},
      {"nfs my.server.com\n", {"kdump.conf:1: invalid nfs 'my.server.com'; expected host:/export"}},
      {"nfs my.server.com:export\n", {"kdump.conf:1: invalid nfs 'my.server.com:export'; expected host:/export"}},
      {"nfs :/export\n", {"kdump.conf:1: invalid nfs ':/export'; expected host:/export"}},
      {"nfs [fd00::1:/export\n", {"kdump.conf:1: invalid nfs '[fd00::1:/export'; expected host:/export"}},
      // A wrong target value still decides how the collector is adjusted.
      {"ssh crash.example.com\ncore_collector makedumpfile -d 31\n",
       {"kdump.conf:1: invalid ssh 'crash.example.com'; expected user@host",
        "kdump.conf:2: warning: core_collector: added -F (an ssh target receives a flattened stream)"}},
      // Devices, tags, paths and the rest.
      {"ext4 sda1\n", {"kdump.conf:1: invalid ext4 'sda1'; expected /dev/..., UUID=... or LABEL=..."}},
      {"raw UUID=\n", {"kdump.conf:1: invalid raw 'UUID='; expected /dev/..., UUID=... or LABEL=..."}},
      {"xfs /dev/\n", {"kdump.conf:1: invalid xfs '/dev/'; expected /dev/..., UUID=... or LABEL=..."}},
      {"virtiofs my/fs\n", {"kdump.conf:1: invalid virtiofs 'my/fs'; expected a virtiofs tag (one word, no '/')"}},
      {"path var/crash\n", {"kdump.conf:1: invalid path 'var/crash'; expected an absolute path"}},
      {"kdump_pre /bin/pre.sh --now\n",
       {"kdump.conf:1: invalid kdump_pre '/bin/pre.sh --now'; expected one program path, without arguments"}},
      {"auto_reset_crashkernel true\n",
       {"kdump.conf:1: invalid auto_reset_crashkernel 'true'; expected yes or no"}},
      {"path /" + std::string(100, 'x') + "\npath /b\n",
       {"kdump.conf:2: duplicate path (first set on line 1)"}},
      {std::string(100, 'q') + " value\n",
       {"kdump.conf:1: unknown directive '" + std::string(60, 'q') + "...'"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    CHECK(messages(c.input) == lines(c.expected));
    CHECK(parse_config(c.input, "kdump.conf").ok() ==
          std::none_of(c.expected.begin(), c.expected.end(),
                       [](const std::string& m) { return m.find(": warning: ") == std::string::npos; }));
  }
}

TEST_CASE("parse_config: several problems in one file are all reported, in line order") {
  const std::string_view text =
      "# kdump.conf with many mistakes\n"
      "nsf server:/export\n"
      "ssh root@host\n"
      "path relative/dir\n"
      "final_action shell\n"
      "net root@host\n"
      "default halt\n"
      "nfs server:/export\n"
      "path /var/crash\n"
      "force_rebuild 1\n"
      "force_no_rebuild 1\n"
      "core_collector makedumpfile -d 31\n";
  const std::vector<std::string> expected = {
      "kdump.conf:2: unknown directive 'nsf'; did you mean 'nfs'?",
      "kdump.conf:4: invalid path 'relative/dir'; expected an absolute path",
      "kdump.conf:5: invalid final_action 'shell'; expected reboot, halt or poweroff",
      "kdump.conf:6: directive 'net' is no longer supported; use 'nfs host:/export' or 'ssh user@host' instead",
      "kdump.conf:7: warning: 'default' is the old name of 'failure_action'; use 'failure_action' instead",
      "kdump.conf:8: more than one dump target: 'nfs' here, 'ssh' on line 3",
      "kdump.conf:9: duplicate path (first set on line 4)",
      "kdump.conf:11: force_rebuild and force_no_rebuild cannot both be 1",
      "kdump.conf:12: warning: core_collector: added -F (an ssh target receives a flattened stream)",
  };
  const ParseResult r = parse_config(text, "kdump.conf");
  CHECK(messages(text) == lines(expected));
  CHECK_FALSE(r.ok());
  // What was valid is still there.
  REQUIRE(r.config.target.has_value());
  CHECK(r.config.target->value == "root@host");
  CHECK(r.config.failure_action == Action::kHalt);
  CHECK(r.config.core_collector == "makedumpfile -d 31 -F");
}

TEST_CASE("parse_config: diagnostics carry the column and the source line for a caret") {
  struct Case {
    std::string_view input;
    std::string expected;
  };
  const Case cases[] = {
      {"  nsf server:/export\n",
       "/etc/kdump.conf:1: unknown directive 'nsf'; did you mean 'nfs'?\n"
       "  nsf server:/export\n"
       "  ^"},
      {"path   var/crash  # relative\n",
       "/etc/kdump.conf:1: invalid path 'var/crash'; expected an absolute path\n"
       "path   var/crash  # relative\n"
       "       ^"},
      {"\tfinal_action\tshell\r\n",
       "/etc/kdump.conf:1: invalid final_action 'shell'; expected reboot, halt or poweroff\n"
       "\tfinal_action\tshell\n"
       "\t            \t^"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const ParseResult r = parse_config(c.input, "/etc/kdump.conf");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(format_with_source(r.diagnostics[0]) == c.expected);
  }
}
