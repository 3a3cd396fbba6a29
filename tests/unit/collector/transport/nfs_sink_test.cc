#include "transport/nfs_sink.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "support/file_checks.h"
#include "support/nfs_ganesha_server.h"
#include "transport/nfs_client.h"
#include "transport/nfs_error.h"

namespace kdump {
namespace {

using ::test::slurp;
using ::test::mode_of;

namespace fs = std::filesystem;
using test::NfsGaneshaServer;

std::string random_bytes(std::size_t size) {
  std::mt19937_64 random(42);
  std::string data(size, '\0');
  for (auto& c : data) c = static_cast<char>(random());
  return data;
}

std::span<const std::byte> bytes_of(const std::string& s, std::size_t from = 0, std::size_t count = std::string::npos) {
  return std::as_bytes(std::span(s.data(), s.size())).subspan(from, std::min(count, s.size() - from));
}

template <typename Body>
std::string error_of(Body&& body) {
  try {
    body();
  } catch (const NfsError& e) {
    return e.summary();
  }
  return "";
}

TEST_CASE("nfs sink: a multi-MiB dump arrives byte for byte, 0600 in a 0700 directory, renamed on finish") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsClient client(server.target());
  REQUIRE(client.make_directory("/host-2026"));
  const fs::path dir = server.export_dir() / "host-2026";
  const std::string data = random_bytes((6u << 20) + 12345);

  NfsSink sink(client, "/host-2026/vmcore");
  CHECK(sink.name() == "127.0.0.1:" + server.export_dir().string() + "/host-2026/vmcore");
  CHECK(sink.temporary_path() == "/host-2026/vmcore-incomplete");
  // Header last, as the dump writers do; the rest in uneven pieces, one larger than a WRITE RPC.
  const std::size_t header = 4096;
  std::size_t at = header;
  for (std::size_t piece : {std::size_t{1}, std::size_t{65536 - 1}, std::size_t{3u << 20}, std::size_t{777}}) {
    sink.write_at(at, bytes_of(data, at, piece));
    at += piece;
  }
  sink.write_at(at, bytes_of(data, at));
  CHECK(fs::exists(dir / "vmcore-incomplete"));
  sink.write_at(0, bytes_of(data, 0, header));
  CHECK_FALSE(fs::exists(dir / "vmcore"));

  sink.finish();
  CHECK_FALSE(fs::exists(dir / "vmcore-incomplete"));
  CHECK(slurp(dir / "vmcore") == data);
  CHECK(mode_of(dir / "vmcore") == 0600);
  CHECK(mode_of(dir) == 0700);
}

TEST_CASE("nfs sink: an existing vmcore is never overwritten") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsClient client(server.target());
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  std::ofstream(server.export_dir() / "vmcore") << "earlier dump";

  SUBCASE("present before the sink starts") {
    CHECK(error_of([&] { NfsSink sink(client, "/vmcore"); }) == where + ": cannot create /vmcore: already exists");
    CHECK_FALSE(fs::exists(server.export_dir() / "vmcore-incomplete"));
  }
  SUBCASE("a leftover vmcore-incomplete is not reused") {
    fs::remove(server.export_dir() / "vmcore");
    std::ofstream(server.export_dir() / "vmcore-incomplete") << "half";
    CHECK(error_of([&] { NfsSink sink(client, "/vmcore"); }) ==
          where + ": cannot create /vmcore-incomplete: already exists");
    CHECK(slurp(server.export_dir() / "vmcore-incomplete") == "half");
    return;
  }
  SUBCASE("appearing while the dump is written") {
    fs::rename(server.export_dir() / "vmcore", server.export_dir() / "later");
    NfsSink sink(client, "/vmcore");
    sink.write_at(0, bytes_of("new dump"));
    fs::rename(server.export_dir() / "later", server.export_dir() / "vmcore");
    CHECK(error_of([&] { sink.finish(); }) ==
          where + ": cannot rename /vmcore-incomplete to /vmcore: already exists");
    CHECK(slurp(server.export_dir() / "vmcore-incomplete") == "new dump");
  }
  CHECK(slurp(server.export_dir() / "vmcore") == "earlier dump");
}

TEST_CASE("nfs sink: a planted symlink at the target name does not redirect the write") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsClient client(server.target());
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  const fs::path victim = server.export_dir().parent_path() / "victim";
  std::ofstream(victim) << "precious";

  struct Case {
    const char* link;
    std::string expected;
  };
  const Case cases[] = {
      {"vmcore-incomplete", where + ": cannot create /vmcore-incomplete: already exists"},
      {"vmcore", where + ": cannot create /vmcore: already exists"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.link);
    fs::create_symlink(victim, server.export_dir() / c.link);
    CHECK(error_of([&] { NfsSink sink(client, "/vmcore"); }) == c.expected);
    CHECK(fs::is_symlink(server.export_dir() / c.link));
    fs::remove(server.export_dir() / c.link);
  }
  CHECK(slurp(victim) == "precious");
  CHECK(mode_of(victim) == 0644);
}

TEST_CASE("nfs sink: a server killed mid-transfer gives a clear error and leaves vmcore-incomplete") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsTarget target = server.target();
  target.timeout_ms = 3000;
  target.reconnect_retries = 2;
  NfsClient client(target);
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  const std::string chunk = random_bytes(1u << 20);

  NfsSink sink(client, "/vmcore");
  std::uint64_t offset = 0;
  for (int i = 0; i < 3; ++i, offset += chunk.size()) sink.write_at(offset, bytes_of(chunk));
  server.kill_now();

  const auto start = std::chrono::steady_clock::now();
  std::string error = error_of([&] {
    for (int i = 0; i < 64; ++i, offset += chunk.size()) sink.write_at(offset, bytes_of(chunk));
  });
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(error == where + ": cannot write to /vmcore-incomplete: server not reachable");
  CHECK(seconds < 30);
  CHECK(error_of([&] { sink.finish(); }) != "");
  CHECK(fs::exists(server.export_dir() / "vmcore-incomplete"));
  CHECK_FALSE(fs::exists(server.export_dir() / "vmcore"));
}

TEST_CASE("nfs sink: a server that stops answering fails the write after the timeout") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsTarget target = server.target();
  target.timeout_ms = 1000;
  NfsClient client(target);
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  const std::string chunk = random_bytes(1u << 20);
  NfsSink sink(client, "/vmcore");
  sink.write_at(0, bytes_of(chunk));
  server.freeze();
  const auto start = std::chrono::steady_clock::now();
  CHECK(error_of([&] { sink.write_at(chunk.size(), bytes_of(chunk)); }) ==
        where + ": cannot write to /vmcore-incomplete: server not responding");
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds >= 0.9);
  CHECK(seconds < 10);
  // Read while the server is still frozen: stop() removes the export.
  CHECK(fs::exists(server.export_dir() / "vmcore-incomplete"));
  CHECK_FALSE(fs::exists(server.export_dir() / "vmcore"));
}

TEST_CASE("nfs sink: a full or refusing export gives a clear cause") {
  if (NfsGaneshaServer::skip_here()) return;
  const std::string chunk = random_bytes(1u << 20);

  SUBCASE("no space") {
    NfsGaneshaServer server({.root_squash = false, .tmpfs_bytes = 4u << 20});
    NfsClient client(server.target());
    CHECK(client.available_bytes("/") <= (4u << 20));
    CHECK(client.available_bytes("/") > (3u << 20));
    const std::string where = "127.0.0.1:" + server.export_dir().string();
    NfsSink sink(client, "/vmcore");
    std::string error = error_of([&] {
      for (std::uint64_t offset = 0; offset < (16u << 20); offset += chunk.size()) sink.write_at(offset, bytes_of(chunk));
    });
    CHECK(error == where + ": cannot write to /vmcore-incomplete: no space");
    CHECK(fs::exists(server.export_dir() / "vmcore-incomplete"));
    CHECK_FALSE(fs::exists(server.export_dir() / "vmcore"));
  }
  SUBCASE("permission denied") {
    NfsGaneshaServer server({.root_squash = true, .tmpfs_bytes = 0});
    NfsClient client(server.target());
    const std::string where = "127.0.0.1:" + server.export_dir().string();
    CHECK(error_of([&] { NfsSink sink(client, "/vmcore"); }) ==
          where + ": cannot create /vmcore-incomplete: permission denied");
    CHECK(error_of([&] { client.make_directory("/host"); }) ==
          where + ": cannot create directory /host: permission denied");
    CHECK(fs::is_empty(server.export_dir()));
  }
}

}  // namespace
}  // namespace kdump
