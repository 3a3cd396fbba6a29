#include "transport/nfs_client.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/file_checks.h"
#include "support/nfs_ganesha_server.h"
#include "transport/nfs_error.h"
#include "transport/nfs_exports.h"

namespace kdump {
namespace {

using ::test::slurp;
using ::test::mode_of;

namespace fs = std::filesystem;
using test::NfsGaneshaServer;

// The summary of the NfsError that `body` throws, "" when it throws none.
template <typename Body>
std::string error_of(Body&& body) {
  try {
    body();
  } catch (const NfsError& e) {
    return e.summary();
  }
  return "";
}

TEST_CASE("nfs client: creates a 0700 directory and a 0600 file, writes, stats and reports free space") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsClient client(server.target());
  CHECK(client.write_max() >= 4096);

  CHECK(client.make_directory("/dumps"));
  CHECK_FALSE(client.make_directory("/dumps"));
  CHECK(mode_of(server.export_dir() / "dumps") == 0700);

  NfsFile file = client.create_new("/dumps/f");
  const std::string text = "hello over nfs";
  file.pwrite_all(0, std::as_bytes(std::span(text.data(), text.size())));
  file.fsync();
  file.close();
  CHECK(slurp(server.export_dir() / "dumps" / "f") == text);
  CHECK(mode_of(server.export_dir() / "dumps" / "f") == 0600);

  auto st = client.lstat("/dumps/f");
  REQUIRE(st);
  CHECK(st->size == text.size());
  CHECK_FALSE(st->is_directory());
  CHECK(client.lstat("/dumps")->is_directory());
  CHECK_FALSE(client.lstat("/dumps/none"));

  struct statvfs local {};
  REQUIRE(::statvfs(server.export_dir().c_str(), &local) == 0);
  const double expected = static_cast<double>(local.f_bavail) * static_cast<double>(local.f_frsize);
  const double reported = static_cast<double>(client.available_bytes("/dumps"));
  CHECK(reported > 0);
  CHECK(reported == doctest::Approx(expected).epsilon(0.01));
}

TEST_CASE("nfs client: mount failures name the target and the cause") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  const NfsTarget good = server.target();
  const std::string where = "127.0.0.1:" + good.export_path;

  struct Case {
    const char* name;
    NfsTarget target;
    std::string expected;
  };
  NfsTarget not_exported = good;
  not_exported.export_path = good.export_path + "/elsewhere";
  NfsTarget closed_port = good;
  closed_port.nfs_port = closed_port.mount_port = 1;  // nothing listens on 127.0.0.1:1
  NfsTarget no_server = good;
  no_server.server = "";
  NfsTarget relative = good;
  relative.export_path = "srv";
  NfsTarget bad_host = good;
  bad_host.server = "a?b";
  const Case cases[] = {
      {"export not found", not_exported,
       where + "/elsewhere: cannot mount: export not found (not in the server's export list for this client)"},
      {"server not reachable", closed_port, where + ": cannot mount: server not reachable"},
      {"no server", no_server, ":" + good.export_path + ": cannot mount: invalid target"},
      {"relative export", relative, "127.0.0.1:srv: cannot mount: invalid target"},
      {"bad host", bad_host, "a?b:" + good.export_path + ": cannot mount: invalid target"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(error_of([&] { NfsClient client(c.target); }) == c.expected);
  }
}

TEST_CASE("nfs client: an export refused to this client is reported as not in its export list") {
  if (NfsGaneshaServer::skip_here()) return;
  // ganesha hides an export from the list of a client it refuses.
  NfsGaneshaServer server({.root_squash = false, .tmpfs_bytes = 0, .refuse_clients = true});
  CHECK(error_of([&] { NfsClient client(server.target()); }) ==
        "127.0.0.1:" + server.export_dir().string() +
            ": cannot mount: export not found (not in the server's export list for this client)");
  CHECK(nfs_list_exports(server.target()) == std::vector<std::string>{});
}

TEST_CASE("nfs client: the export list is what the server exports") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  auto exports = nfs_list_exports(server.target());
  REQUIRE(exports);
  CHECK(*exports == std::vector<std::string>{server.export_dir().string()});
  NfsTarget closed = server.target();
  closed.mount_port = 1;
  CHECK_FALSE(nfs_list_exports(closed));
}

TEST_CASE("nfs client: exclusive create refuses existing names, symlinks included") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsClient client(server.target());
  const fs::path outside = server.export_dir().parent_path() / "outside";
  std::ofstream(outside) << "keep";
  std::ofstream(server.export_dir() / "existing") << "old";
  fs::create_symlink(outside, server.export_dir() / "link");
  fs::create_symlink(server.export_dir().parent_path() / "missing", server.export_dir() / "dangling");
  fs::create_symlink(server.export_dir().parent_path(), server.export_dir() / "dirlink");
  const std::string where = "127.0.0.1:" + server.export_dir().string();

  struct Case {
    const char* path;
    std::string expected;
  };
  const Case cases[] = {
      {"/existing", where + ": cannot create /existing: already exists"},
      {"/link", where + ": cannot create /link: already exists"},
      {"/dangling", where + ": cannot create /dangling: already exists"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.path);
    CHECK(error_of([&] { client.create_new(c.path); }) == c.expected);
  }
  CHECK(slurp(outside) == "keep");
  CHECK(slurp(server.export_dir() / "existing") == "old");
  CHECK_FALSE(fs::exists(server.export_dir().parent_path() / "missing"));
  CHECK(error_of([&] { client.make_directory("/dirlink"); }) ==
        where + ": cannot create directory /dirlink: already exists");
}

TEST_CASE("nfs client: rename never replaces an existing file") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  NfsClient client(server.target());
  std::ofstream(server.export_dir() / "a") << "new";
  std::ofstream(server.export_dir() / "b") << "old";
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  CHECK(error_of([&] { client.rename_no_replace("/a", "/b"); }) == where + ": cannot rename /a to /b: already exists");
  CHECK(slurp(server.export_dir() / "a") == "new");
  CHECK(slurp(server.export_dir() / "b") == "old");
  client.rename_no_replace("/a", "/c");
  CHECK_FALSE(fs::exists(server.export_dir() / "a"));
  CHECK(slurp(server.export_dir() / "c") == "new");
  client.remove("/c");
  CHECK_FALSE(fs::exists(server.export_dir() / "c"));
  CHECK(error_of([&] { client.remove("/c"); }) == where + ": cannot remove /c: not found");
}

}  // namespace
}  // namespace kdump
