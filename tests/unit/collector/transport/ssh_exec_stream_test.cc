#include "transport/ssh_exec_stream.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "support/sshd_server.h"
#include "unit/collector/transport/ssh_test_util.h"

namespace kdump {
namespace {

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

TEST_CASE("ssh_dd_command quotes every path") {
  CHECK(ssh_dd_command("/var/crash/h-1") ==
        "umask 0077 && mkdir -p -- /var/crash/h-1 && dd bs=512 status=none of=/var/crash/h-1/vmcore-incomplete");
  CHECK(ssh_dd_command("/d/a b;$(x)", "f") ==
        "umask 0077 && mkdir -p -- '/d/a b;$(x)' && dd bs=512 status=none of='/d/a b;$(x)/f'");
  CHECK(ssh_dd_command("/d/it's/", "f") ==
        "umask 0077 && mkdir -p -- '/d/it'\\''s/' && dd bs=512 status=none of='/d/it'\\''s/f'");
}

TEST_CASE("ssh exec stream: bytes go through dd into a 0600 file, hostile paths run nothing") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  for (const auto& dir : {server.dir() + "/crash/plain", server.dir() + "/crash/" + test::hostile_name(server.dir())}) {
    CAPTURE(dir);
    std::string expected;
    for (int i = 0; expected.size() < 3'000'001; ++i) expected += "line " + std::to_string(i) + "\n";
    {
      SshExecStream stream(session, ssh_dd_command(dir), "flattened dump");
      CHECK(stream.name() == "flattened dump");
      // Uneven pieces, some above the 64 KiB channel chunk.
      std::size_t at = 0;
      for (std::size_t piece = 1; at < expected.size(); piece = piece * 3 + 7) {
        const auto n = std::min(piece, expected.size() - at);
        stream.write(bytes_of(expected.substr(at, n)));
        at += n;
      }
      stream.flush();
      stream.close();
    }
    CHECK(test::slurp_file(dir + "/vmcore-incomplete") == expected);
    CHECK(test::mode_of(dir + "/vmcore-incomplete") == 0600);
    CHECK(test::mode_of(dir) == 0700);
    remote_rename(session, dir + "/vmcore-incomplete", dir + "/vmcore.flat");
    CHECK(test::slurp_file(dir + "/vmcore.flat") == expected);
  }
  CHECK(!test::any_marker(server.dir()));
}

TEST_CASE("ssh exec stream: a failing remote command is reported with its stderr") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  std::string error;
  try {
    SshExecStream stream(session, "cat >/dev/null; echo 'disk full' >&2; exit 5", "dump");
    stream.write(bytes_of("some bytes"));
    stream.close();
  } catch (const SshError& e) {
    error = e.what();
  }
  CHECK(error == "ssh " + session.target() + ": the remote command for dump failed (exit status 5): disk full: "
                 "Input/output error");
}

TEST_CASE("ssh exec stream: a remote command that ends early is reported while writing") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  std::ofstream(server.dir() + "/file") << "not a directory";
  const auto dir = server.dir() + "/file/crash";
  std::string error;
  const auto start = std::chrono::steady_clock::now();
  try {
    SshExecStream stream(session, ssh_dd_command(dir), "dump");
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 64; ++i) stream.write(bytes_of(block));
    stream.close();
  } catch (const SshError& e) {
    error = e.what();
  }
  CHECK(error == "ssh " + session.target() + ": the remote command for dump ended before all bytes were written "
                 "(exit status 1): mkdir: cannot create directory '" + server.dir() + "/file': Not a directory: Input/output error");
  // Noticed when it happens, not after the session timeout (10 s).
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("ssh exec stream: a server killed mid-transfer is an error and the file stays -incomplete") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  const auto dir = server.dir() + "/crash";
  const auto temporary = dir + "/vmcore-incomplete";
  SshExecStream stream(session, ssh_dd_command(dir), "dump");

  std::atomic<bool> stop = false;
  std::thread killer([&] {
    struct stat st {};
    while (!stop && !(::stat(temporary.c_str(), &st) == 0 && st.st_size > (8 << 20)))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!stop) server.kill_all();
  });
  const std::string block(4 << 20, 'x');
  std::string error;
  try {
    for (int i = 0; i < 64; ++i) stream.write(bytes_of(block));
    stream.close();
  } catch (const SshError& e) {
    error = e.what();
  }
  stop = true;
  killer.join();
  CAPTURE(error);
  // Depending on timing the loss shows in a write or while reading the exit status.
  CHECK((error.starts_with("ssh " + session.target() + ": dump: cannot write: ") ||
         error.starts_with("ssh " + session.target() + ": dump: cannot read the remote command's exit status: ")));
  CHECK(test::exists(temporary));
  CHECK(!test::exists(dir + "/vmcore.flat"));
}

TEST_CASE("ssh exec stream: a server that hangs is an error after the timeout") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  auto endpoint = server.endpoint();
  endpoint.timeout_seconds = 2;
  SshSession session(endpoint);
  const auto dir = server.dir() + "/crash";
  SshExecStream stream(session, ssh_dd_command(dir), "dump");
  const std::string block(1 << 20, 'x');
  stream.write(bytes_of(block));
  test::KillAfter safety(server, std::chrono::seconds(20));
  server.freeze();
  const auto start = std::chrono::steady_clock::now();
  std::string error;
  try {
    for (int i = 0; i < 64; ++i) stream.write(bytes_of(block));
    stream.close();
  } catch (const SshError& e) {
    error = e.what();
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(error == "ssh " + session.target() + ": dump: cannot write: the server took no data for 2 s: Input/output error");
  CHECK(waited >= std::chrono::seconds(2));
  CHECK(waited < std::chrono::seconds(8));
  CHECK(!test::exists(dir + "/vmcore.flat"));
}

}  // namespace
}  // namespace kdump
