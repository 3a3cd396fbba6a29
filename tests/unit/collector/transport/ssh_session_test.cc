#include "transport/ssh_session.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "support/sshd_server.h"
#include "unit/collector/transport/ssh_test_util.h"

namespace kdump {
namespace {

std::string error_of(const SshEndpoint& endpoint) {
  try {
    SshSession session(endpoint);
  } catch (const SshError& e) {
    return e.what();
  }
  return "(connected)";
}

TEST_CASE("ssh session: connects with the key and runs a command") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  CHECK(session.target() == "root@127.0.0.1:" + std::to_string(server.port()));
  auto result = session.run("echo out; echo err >&2; exit 3");
  CHECK(result.output == "out\n");
  CHECK(result.errors == "err\n");
  CHECK(result.exit_status == 3);
  CHECK_THROWS_WITH_AS(session.run_checked("echo why >&2; exit 2", "do it"),
                       ("ssh " + session.target() + ": cannot do it (exit status 2): why: Input/output error").c_str(),
                       SshError);
}

TEST_CASE("ssh session: refusals say which target and why") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  const auto target = "ssh root@127.0.0.1:" + std::to_string(server.port()) + ": ";

  auto stranger = server.endpoint();
  stranger.identity_file = server.stranger_key();
  CHECK(error_of(stranger) ==
        target + "the server refused the key " + server.stranger_key() + " for user root: Permission denied");

  auto missing = server.endpoint();
  missing.identity_file = server.dir() + "/no_such_key";
  CHECK(error_of(missing) == target + "cannot read the private key " + server.dir() +
                                 "/no_such_key (sshkey in kdump.conf): No such file or directory");

  auto unknown = server.endpoint();
  unknown.known_hosts = server.empty_config();  // an empty file: no host is known
  CHECK(error_of(unknown) == target + "the host key of 127.0.0.1 is not in " + server.empty_config() +
                                 "; refusing to connect (add it, e.g. with ssh-keyscan after checking it): "
                                 "Permission denied");

  // The server presents a different key than the one recorded.
  const auto changed_hosts = server.dir() + "/changed_known_hosts";
  {
    auto other = test::slurp_file(server.client_key() + ".pub");
    std::ofstream(changed_hosts) << "[127.0.0.1]:" << server.port() << " " << other.substr(0, other.rfind(' '))
                                 << "\n";
  }
  auto changed = server.endpoint();
  changed.known_hosts = changed_hosts;
  CHECK(error_of(changed) == target + "the host key of 127.0.0.1 does not match the one in " + changed_hosts +
                                 "; refusing to connect (the key changed, or someone is in between): "
                                 "Permission denied");

  auto closed = server.endpoint();
  server.kill_all();
  CHECK(error_of(closed).starts_with(target + "cannot connect: "));
}

TEST_CASE("ssh session: StrictHostKeyChecking no does not make an unknown host acceptable") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  const auto config = server.dir() + "/lax_config";
  std::ofstream(config) << "Host *\n  StrictHostKeyChecking no\n";
  auto endpoint = server.endpoint();
  endpoint.config_file = config;
  endpoint.known_hosts = server.empty_config();
  CHECK(error_of(endpoint) ==
        "ssh root@127.0.0.1:" + std::to_string(server.port()) + ": the host key of 127.0.0.1 is not in " +
            server.empty_config() +
            "; refusing to connect (add it, e.g. with ssh-keyscan after checking it) (StrictHostKeyChecking no is "
            "not honoured: the collector never accepts an unverified host key): Permission denied");
}

TEST_CASE("ssh session: the ssh config file gives host name, port, user, key and known_hosts") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  const auto config = server.dir() + "/ssh_config";
  std::ofstream(config) << "Host other\n  Port 1\n"
                        << "Host dumphost\n"
                        << "  HostName 127.0.0.1\n"
                        << "  Port " << server.port() << "\n"
                        << "  User root\n"
                        << "  IdentityFile " << server.client_key() << "\n"
                        << "  UserKnownHostsFile " << server.known_hosts() << "\n"
                        << "Host *\n  Port 1\n  User nobody\n";
  SshEndpoint endpoint;
  endpoint.host = "dumphost";
  endpoint.config_file = config;
  endpoint.timeout_seconds = 10;
  SshSession session(endpoint);
  CHECK(session.target() == "root@127.0.0.1:" + std::to_string(server.port()));
  CHECK(session.run("id -u").output == "0\n");

  std::ofstream(config) << "Host dumphost\n  Port nine\n";
  CHECK(error_of(endpoint) == config + ":2: bad Port 'nine': Invalid argument");
  endpoint.config_file = server.dir() + "/missing_config";
  CHECK(error_of(endpoint) == "cannot read the ssh config file " + endpoint.config_file + ": No such file or directory");
}

TEST_CASE("ssh remote helpers quote paths: hostile names land literally and run nothing") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  const auto dir = server.dir() + "/dumps/" + test::hostile_name(server.dir());
  remote_make_directory(session, dir);
  CHECK(test::mode_of(dir) == 0700);
  std::ofstream(dir + "/vmcore-incomplete") << "dump";
  remote_rename(session, dir + "/vmcore-incomplete", dir + "/vmcore.flat");
  CHECK(test::slurp_file(dir + "/vmcore.flat") == "dump");
  CHECK(!test::exists(dir + "/vmcore-incomplete"));
  CHECK(!test::any_marker(server.dir()));

  // A rename never replaces an existing file.
  std::ofstream(dir + "/second") << "second";
  CHECK_THROWS_WITH_AS(remote_rename(session, dir + "/second", dir + "/vmcore.flat"),
                       ("ssh " + session.target() + ": cannot rename " + dir + "/second to " + dir +
                        "/vmcore.flat (exit status 1): " + dir + "/vmcore.flat exists: Input/output error")
                           .c_str(),
                       SshError);
  CHECK(test::slurp_file(dir + "/vmcore.flat") == "dump");
}

}  // namespace
}  // namespace kdump
