#include "transport/ssh_config.h"

#include <doctest/doctest.h>

namespace kdump {
namespace {

TEST_CASE("ssh_config Host patterns") {
  struct Case {
    const char* patterns;
    const char* host;
    bool matches;
  } cases[] = {
      {"*", "dump.example", true},
      {"dump.example", "dump.example", true},
      {"DUMP.example", "dump.example", true},
      {"dump.*", "dump.example", true},
      {"d?mp.example", "dump.example", true},
      {"d?mp.example", "dmp.example", false},
      {"other web*", "dump.example", false},
      {"other dump*", "dump.example", true},
      {"* !dump.example", "dump.example", false},
      {"!dump.example *", "dump.example", false},
      {"* !dump.example", "web.example", true},
      {"!web.example", "dump.example", false},  // a negation alone matches nothing
      {"", "dump.example", false},
      {"*.example", ".example", true},
      {"d*p*e", "dump.example", true},
      {"d*p*x", "dump.example", false},
      {"**", "", true},
      // Many stars against a long non-match must finish at once (no exponential backtracking).
      {"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.patterns);
    CHECK(ssh_host_matches(c.patterns, c.host) == c.matches);
  }
}

TEST_CASE("ssh_config values for one host: first value wins") {
  const char* text =
      "# comment\n"
      "StrictHostKeyChecking accept-new\n"
      "Host web*\n"
      "  Port 2200\n"
      "  User web\n"
      "Host dump dump.example\n"
      "  HostName 10.0.0.5\n"
      "  port=2222\n"
      "  IDENTITYFILE ~/.ssh/kdump_key\n"
      "  IdentityFile ~/.ssh/second\n"
      "  UserKnownHostsFile \"~/my hosts\" ~/.ssh/other\n"
      "Match exec \"true\"\n"
      "  User matched\n"
      "Host *\n"
      "  User fallback\n"
      "  Port 22\n";
  auto values = resolve_ssh_config(text, "dump", "cfg", "/home/k");
  CHECK(values.errors.empty());
  CHECK(values.hostname == "10.0.0.5");
  CHECK(values.port == 2222);
  CHECK(values.user == "fallback");
  CHECK(values.identity_file == "/home/k/.ssh/kdump_key");
  CHECK(values.known_hosts_file == "/home/k/my hosts");
  CHECK(values.strict_host_key_checking == "accept-new");

  auto web = resolve_ssh_config(text, "web1", "cfg", "/home/k");
  CHECK(web.port == 2200);
  CHECK(web.user == "web");
  CHECK(!web.hostname);
}

TEST_CASE("ssh_config errors name the file and line") {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"Port 0\n", "f:1: bad Port '0'"},
      {"Port 65536\n", "f:1: bad Port '65536'"},
      {"\nPort 22x\n", "f:2: bad Port '22x'"},
      {"Host *\n  User\n", "f:2: User needs a value"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto values = resolve_ssh_config(c.text, "h", "f", "/root");
    REQUIRE(values.errors.size() == 1);
    CHECK(values.errors[0] == c.error);
  }
  // A bad value in a block for another host is not read.
  CHECK(resolve_ssh_config("Host other\nPort x\n", "h", "f", "/root").errors.empty());
}

}  // namespace
}  // namespace kdump
