#include <doctest/doctest.h>

#include "kdumpcfg/config.h"

using namespace kdump::cfg;

TEST_CASE("action names round-trip") {
  struct Case {
    std::string_view name;
    std::optional<Action> action;
  };
  const Case cases[] = {
      {"reboot", Action::kReboot}, {"halt", Action::kHalt},   {"poweroff", Action::kPoweroff},
      {"shell", Action::kShell},   {"dump_to_rootfs", Action::kDumpToRootfs},
      {"Reboot", std::nullopt},    {"", std::nullopt},        {"reboot ", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(parse_action(c.name) == c.action);
    if (c.action) CHECK(action_name(*c.action) == c.name);
  }
}

TEST_CASE("parse_ssh_destination") {
  struct Case {
    std::string_view value;
    std::optional<SshDestination> expected;
  };
  const Case cases[] = {
      {"root@host", SshDestination{"root", "host"}},
      {"kdump@crash.example.com", SshDestination{"kdump", "crash.example.com"}},
      {"root@192.168.1.7", SshDestination{"root", "192.168.1.7"}},
      {"root@[fd00::1]", SshDestination{"root", "fd00::1"}},
      {"user@2001:db8::1:2:3:4", SshDestination{"user", "2001:db8::1:2:3:4"}},
      {"host", std::nullopt},
      {"@host", std::nullopt},
      {"root@", std::nullopt},
      {"root@[]", std::nullopt},
      {"root@[fd00::1", std::nullopt},
      {"root@[host]", std::nullopt},
      {"root@host:22", std::nullopt},
      {"root@host/path", std::nullopt},
      {"a@b@c", std::nullopt},
      {"ro ot@host", std::nullopt},
      {"root@ho st", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.value);
    CHECK(parse_ssh_destination(c.value) == c.expected);
  }
}

TEST_CASE("default_core_collector") {
  struct Case {
    std::optional<TargetKind> kind;
    std::string_view expected;
  };
  const Case cases[] = {
      {std::nullopt, "makedumpfile -l --message-level 1 -d 31"},
      {TargetKind::kFilesystem, "makedumpfile -l --message-level 1 -d 31"},
      {TargetKind::kVirtiofs, "makedumpfile -l --message-level 1 -d 31"},
      {TargetKind::kNfs, "makedumpfile -l --message-level 1 -d 31"},
      {TargetKind::kRaw, "makedumpfile -F -l --message-level 1 -d 31"},
      {TargetKind::kSsh, "makedumpfile -F -l --message-level 1 -d 31"},
  };
  for (const auto& c : cases) CHECK(default_core_collector(c.kind) == c.expected);
}
