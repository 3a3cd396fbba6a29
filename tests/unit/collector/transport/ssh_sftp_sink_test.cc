#include "transport/ssh_sftp_sink.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "support/sshd_server.h"
#include "unit/collector/transport/ssh_test_util.h"

namespace kdump {
namespace {

std::vector<std::byte> pattern_bytes(std::size_t size, unsigned seed) {
  std::vector<std::byte> bytes(size);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : bytes) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<std::byte>(x >> 24);
  }
  return bytes;
}

TEST_CASE("sftp sink: bytes arrive exactly, 0600 in a 0700 directory, renamed on finish") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  const auto dir = server.dir() + "/var/crash/127.0.0.1-2026-11-22";
  // Larger than one SFTP chunk, written out of order as the dump writers do.
  const auto body = pattern_bytes(3 * SshSftpSink::kMaxChunk + 12345, 1);
  const auto header = pattern_bytes(4096, 2);
  {
    SshSftpSink sink(session, dir);
    CHECK(sink.name() == session.target() + ":" + dir + "/vmcore");
    CHECK(sink.temporary_path() == dir + "/vmcore-incomplete");
    sink.write_at(header.size(), body);
    CHECK(test::exists(dir + "/vmcore-incomplete"));
    CHECK(!test::exists(dir + "/vmcore"));
    sink.write_at(0, header);
    sink.finish();
  }
  std::string expected(reinterpret_cast<const char*>(header.data()), header.size());
  expected.append(reinterpret_cast<const char*>(body.data()), body.size());
  CHECK(test::slurp_file(dir + "/vmcore") == expected);
  CHECK(!test::exists(dir + "/vmcore-incomplete"));
  CHECK(test::mode_of(dir + "/vmcore") == 0600);
  CHECK(test::mode_of(dir) == 0700);
  CHECK(test::mode_of(server.dir() + "/var/crash") == 0700);

  // A second dump into the same directory is refused rather than overwriting.
  CHECK_THROWS_WITH_AS(SshSftpSink(session, dir),
                       ("ssh " + session.target() + ": cannot create " + dir +
                        "/vmcore: it exists already: File exists")
                           .c_str(),
                       SshError);
  CHECK(test::slurp_file(dir + "/vmcore") == expected);
}

TEST_CASE("sftp sink: a hostile directory name is taken literally") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  const auto dir = server.dir() + "/" + test::hostile_name(server.dir());
  SshSftpSink sink(session, dir);
  const auto bytes = pattern_bytes(1000, 3);
  sink.write_at(0, bytes);
  sink.finish();
  CHECK(test::slurp_file(dir + "/vmcore").size() == 1000);
  CHECK(!test::any_marker(server.dir()));
}

TEST_CASE("sftp sink: a server killed mid-transfer is an error and the file stays -incomplete") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshSession session(server.endpoint());
  const auto dir = server.dir() + "/crash";
  SshSftpSink sink(session, dir);
  const auto temporary = dir + "/vmcore-incomplete";

  // Kill sshd and its sessions once 8 MiB have arrived, while writes go on.
  std::atomic<bool> stop = false;
  std::thread killer([&] {
    struct stat st {};
    while (!stop && !(::stat(temporary.c_str(), &st) == 0 && st.st_size > (8 << 20)))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!stop) server.kill_all();
  });
  const auto block = pattern_bytes(4 << 20, 4);
  std::string error;
  try {
    for (std::uint64_t offset = 0; offset < (256u << 20); offset += block.size()) sink.write_at(offset, block);
    sink.finish();
  } catch (const SshError& e) {
    error = e.what();
  }
  stop = true;
  killer.join();
  CAPTURE(error);
  CHECK(error.starts_with("ssh " + session.target() + ": cannot write " + temporary + ": "));
  CHECK(test::exists(temporary));
  CHECK(!test::exists(dir + "/vmcore"));
}

TEST_CASE("sftp sink: a server that hangs is an error after the timeout") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  auto endpoint = server.endpoint();
  endpoint.timeout_seconds = 2;
  SshSession session(endpoint);
  const auto dir = server.dir() + "/crash";
  SshSftpSink sink(session, dir);
  const auto block = pattern_bytes(1 << 20, 5);
  sink.write_at(0, block);
  test::KillAfter safety(server, std::chrono::seconds(20));
  server.freeze();
  const auto start = std::chrono::steady_clock::now();
  std::string error;
  try {
    for (std::uint64_t offset = block.size(); offset < (64u << 20); offset += block.size()) sink.write_at(offset, block);
    sink.finish();
  } catch (const SshError& e) {
    error = e.what();
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(error == "ssh " + session.target() + ": cannot write " + dir +
                     "/vmcore-incomplete: the server made no progress for 2 s: Input/output error");
  CHECK(waited >= std::chrono::seconds(2));
  CHECK(waited < std::chrono::seconds(8));
  CHECK(!test::exists(dir + "/vmcore"));
}

}  // namespace
}  // namespace kdump
