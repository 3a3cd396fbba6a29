#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "kdumpcfg/dump_plan.h"

using namespace kdump::cfg;

namespace {

// What /bin/sh makes of `printf %s WORD`: the word after the shell's parsing.
std::string through_shell(const std::string& quoted) {
  std::string command = "printf %s " + quoted;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[256];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  CHECK(::pclose(pipe) == 0);
  return out;
}

}  // namespace

TEST_CASE("shell_quote") {
  struct Case {
    std::string word;
    std::string expected;
  };
  const Case cases[] = {
      {"/var/crash", "/var/crash"},
      {"127.0.0.1-2026-11-22-01:02:03", "127.0.0.1-2026-11-22-01:02:03"},
      {"root@host", "root@host"},
      {"a,b+c=d%e_f", "a,b+c=d%e_f"},
      {"", "''"},
      {"/srv/dump space", "'/srv/dump space'"},
      {"it's", "'it'\\''s'"},
      {"'", "''\\'''"},
      {"$HOME", "'$HOME'"},
      {"`id`", "'`id`'"},
      {"a;b|c&d", "'a;b|c&d'"},
      {"*", "'*'"},
      {"~root", "'~root'"},
      {"tab\there", "'tab\there'"},
      {"new\nline", "'new\nline'"},
      {"back\\slash", "'back\\slash'"},
      {"\"dq\"", "'\"dq\"'"},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.word));
    CHECK(shell_quote(c.word) == c.expected);
    if (!c.word.empty() && c.word[0] != '-') CHECK(through_shell(shell_quote(c.word)) == c.word);
  }
}

TEST_CASE("shell_quote twice survives two shells") {
  // What ssh does: the local shell parses the outer quoting, the remote shell the inner.
  for (std::string word : {"/var/my crash", "it's", "$(reboot)", "a'b\"c d"}) {
    CAPTURE(word);
    const std::string remote = "printf %s " + shell_quote(word);
    CHECK(through_shell("\"$(sh -c " + shell_quote(remote) + ")\"") == word);
  }
}
