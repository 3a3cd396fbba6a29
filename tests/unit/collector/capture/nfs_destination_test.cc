// NfsDestination against a real nfs-ganesha on loopback: the directory walk
// (0700, parents made, an existing dump directory refused, symbolic links
// refused), files and streams (0600, incomplete until finished), the
// open_destination() wiring and its errors, and a frozen server. The lab
// vmcore saved through it is in lab_nfs_destination_test.cc.
#include "capture/nfs_destination.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "capture/open_destination.h"
#include "support/file_checks.h"
#include "support/nfs_ganesha_server.h"
#include "transport/nfs_error.h"

namespace kdump::capture {
namespace {

using ::test::slurp;
using ::test::mode_of;

namespace fs = std::filesystem;
using test::NfsGaneshaServer;

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

// "[errno] message" of what `action` throws ("" if nothing); an NfsError
// without libnfs's own text, which varies.
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const NfsError& e) {
    return "[" + std::to_string(e.code().value()) + "] " + e.summary();
  } catch (const std::system_error& e) {
    return "[" + std::to_string(e.code().value()) + "] " + e.what();
  }
  return "";
}

std::string error(int code, const std::string& message) { return "[" + std::to_string(code) + "] " + message; }

// What the resolver makes of "nfs 127.0.0.1:<export>" and "path <path>".
cfg::ResolvedTarget nfs_target(const NfsGaneshaServer& server, const std::string& path) {
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kNfs;
  target.fstype = "nfs";
  target.server = "127.0.0.1";
  target.export_path = server.export_dir().string();
  target.path = path;
  return target;
}

DestinationOptions options_for(const NfsGaneshaServer& server, int timeout_seconds = 5) {
  DestinationOptions options;
  options.nfs_port = server.target().nfs_port;
  options.nfs_mount_port = server.target().mount_port;
  options.timeout_seconds = timeout_seconds;
  return options;
}

TEST_CASE("nfs destination: directories 0700 with their parents, files 0600, renamed when finished") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  auto dest = open_destination(nfs_target(server, "/var/crash"), options_for(server));
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  CHECK(dest->describe() == "nfs " + where);
  CHECK(dest->holds_files());
  CHECK(dest->local_address() == "127.0.0.1");
  CHECK(dest->local_path("/var/crash") == std::nullopt);

  const std::string dir = "/var/crash/127.0.0.1-2026-11-22-03:30:00";
  dest->create_directory(dir, false);
  const fs::path local = server.export_dir() / "var/crash/127.0.0.1-2026-11-22-03:30:00";
  CHECK(mode_of(server.export_dir() / "var") == 0700);
  CHECK(mode_of(server.export_dir() / "var/crash") == 0700);
  CHECK(mode_of(local) == 0700);
  CHECK(error_of([&] { dest->create_directory(dir, false); }) ==
        error(EEXIST, where + ": cannot create directory " + dir +
                              ": it exists already (an earlier dump is never written into)"));
  dest->create_directory(dir, true);  // a retry of this capture

  const auto available = dest->available_bytes(dir);
  REQUIRE(available);
  CHECK(*available > 0);

  auto log = dest->create_file(dir, "vmcore-dmesg.txt");
  REQUIRE(log);
  CHECK(log->name() == where + dir + "/vmcore-dmesg.txt");
  log->write_at(6, bytes_of("world\n"));
  log->write_at(0, bytes_of("hello "));
  CHECK(fs::exists(local / "vmcore-dmesg.txt-incomplete"));
  CHECK_FALSE(fs::exists(local / "vmcore-dmesg.txt"));
  log->finish();
  CHECK(slurp(local / "vmcore-dmesg.txt") == "hello world\n");
  CHECK(mode_of(local / "vmcore-dmesg.txt") == 0600);
  CHECK(error_of([&] { dest->create_file(dir, "vmcore-dmesg.txt"); }) ==
        error(EEXIST, where + ": cannot create " + dir + "/vmcore-dmesg.txt: already exists"));

  SUBCASE("a stream is written in order and named by commit()") {
    auto stream = dest->create_stream(dir, "vmcore-incomplete", "vmcore.flat");
    CHECK(stream->name() == where + dir + "/vmcore.flat");
    std::string expected;
    for (int i = 0; i < 5000; ++i) {  // small records, as the flattened format writes, past the buffer
      const std::string record = "record " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 700), 'x');
      stream->write(bytes_of(record));
      expected += record;
    }
    const std::string large((3u << 20) + 5, 'L');  // larger than the buffer: written through
    stream->write(bytes_of(large));
    expected += large;
    stream->write(bytes_of("end"));
    expected += "end";
    stream->flush();
    CHECK(fs::file_size(local / "vmcore-incomplete") == expected.size());
    CHECK_FALSE(fs::exists(local / "vmcore.flat"));
    stream->commit();
    CHECK(slurp(local / "vmcore.flat") == expected);
    CHECK(mode_of(local / "vmcore.flat") == 0600);
    CHECK_FALSE(fs::exists(local / "vmcore-incomplete"));
    CHECK(error_of([&] { dest->create_stream(dir, "vmcore-incomplete", "vmcore.flat"); }) ==
          error(EEXIST, where + ": cannot create " + dir + "/vmcore.flat: already exists"));
  }
  SUBCASE("remove_partial removes what a failed attempt left, and nothing else") {
    auto sink = dest->create_file(dir, "vmcore");
    sink->write_at(0, bytes_of("half a dump"));
    sink.reset();
    CHECK(fs::exists(local / "vmcore-incomplete"));
    dest->remove_partial(dir, "vmcore-incomplete");
    CHECK_FALSE(fs::exists(local / "vmcore-incomplete"));
    dest->remove_partial(dir, "vmcore-incomplete");  // absent: no error
    CHECK(fs::exists(local / "vmcore-dmesg.txt"));
  }
}

TEST_CASE("nfs destination: a symbolic link planted in the dump path is refused, not followed") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  auto dest = open_destination(nfs_target(server, "/var/crash"), options_for(server));
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  // Inside the export and outside it: libnfs would resolve either.
  const fs::path outside = server.export_dir().parent_path() / "victim";
  fs::create_directories(outside);
  fs::create_directories(server.export_dir() / "inside");

  // Each case under its own top directory: ganesha caches what it looked up,
  // and names replaced behind its back would be served stale.
  struct Case {
    std::string name;
    fs::path link;       // relative to the export
    fs::path points_to;  // absolute
    std::string dir;
    std::string refused;  // the component refused
  };
  const std::string date = "127.0.0.1-2026-11-22-03:30:00";
  const Case cases[] = {
      {"a parent, pointing out of the export", "a", outside, "/a/crash/" + date, "/a"},
      {"a parent, pointing into the export", "b", server.export_dir() / "inside", "/b/crash/" + date, "/b"},
      {"the dump directory itself", "c/crash/" + date, outside, "/c/crash/" + date, "/c/crash/" + date},
      {"a dangling link", "d/crash", server.export_dir() / "nowhere", "/d/crash/" + date, "/d/crash"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    fs::create_directories((server.export_dir() / c.link).parent_path());
    fs::create_symlink(c.points_to, server.export_dir() / c.link);
    for (bool reuse : {false, true}) {
      CHECK(error_of([&] { dest->create_directory(c.dir, reuse); }) ==
            error(ELOOP, where + ": cannot create directory " + c.refused + ": it is a symbolic link (refused, not followed)"));
    }
    CHECK(fs::is_symlink(server.export_dir() / c.link));
    CHECK(fs::is_empty(outside));
    CHECK(fs::is_empty(server.export_dir() / "inside"));
    CHECK_FALSE(fs::exists(server.export_dir() / "nowhere"));
  }

  std::ofstream(server.export_dir() / "file") << "not a directory";
  CHECK(error_of([&] { dest->create_directory("/file/dump", false); }) ==
        error(ENOTDIR, where + ": cannot create directory /file: it exists and is not a directory"));
  CHECK(error_of([&] { dest->create_directory("/var/../etc", false); }) ==
        error(EINVAL, "dump path /var/../etc climbs with ..: Invalid argument"));
}

TEST_CASE("nfs destination: a missing export or server is an error naming the target and the cause") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  const std::string where = "127.0.0.1:" + server.export_dir().string();

  cfg::ResolvedTarget missing = nfs_target(server, "/var/crash");
  missing.export_path += "/elsewhere";
  // ganesha answers MNT3ERR_ACCES for a path it does not export; the export list says which.
  CHECK(error_of([&] { open_destination(missing, options_for(server)); }) ==
        error(EACCES, where + "/elsewhere: cannot mount: export not found (not in the server's export list for this client)"));

  DestinationOptions closed = options_for(server);
  closed.nfs_port = closed.nfs_mount_port = 1;  // nothing listens on 127.0.0.1:1
  // Not EACCES or ENOENT: the flow tries again.
  CHECK(error_of([&] { open_destination(nfs_target(server, "/"), closed); }) ==
        error(EIO, where + ": cannot mount: server not reachable"));
}

TEST_CASE("nfs destination: a mount point that is not an NFS mount now is not written through") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  // Resolved from another kernel's mountinfo: the directory exists here but holds no mount.
  const fs::path stale = server.export_dir().parent_path() / "stale-mount-point";
  fs::create_directories(stale);
  cfg::ResolvedTarget target = nfs_target(server, "/crash");
  target.mount_point = stale.string();
  target.mount_root = "/";
  auto dest = open_destination(target, options_for(server));
  CHECK(dest->describe() == "nfs 127.0.0.1:" + server.export_dir().string());
  dest->create_directory("/crash/dump", false);
  CHECK(fs::is_directory(server.export_dir() / "crash/dump"));
  CHECK(fs::is_empty(stale));
}

TEST_CASE("nfs destination: a server that stops answering fails the write within the timeout") {
  if (NfsGaneshaServer::skip_here()) return;
  NfsGaneshaServer server;
  auto dest = open_destination(nfs_target(server, "/"), options_for(server, 2));
  dest->create_directory("/dump", false);
  auto sink = dest->create_file("/dump", "vmcore");
  const std::string chunk(1u << 20, 'v');
  sink->write_at(0, bytes_of(chunk));
  server.freeze();
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_of([&] {
    for (std::uint64_t at = chunk.size(); at < (64u << 20); at += chunk.size()) sink->write_at(at, bytes_of(chunk));
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(message == error(ETIMEDOUT, "127.0.0.1:" + server.export_dir().string() +
                                        ": cannot write to /dump/vmcore-incomplete: server not responding"));
  MESSAGE("a frozen server failed the write after " << seconds << " s (timeout 2 s)");
  CHECK(seconds < 60);  // not a hang; the exact time is the timeout plus the machine's noise
  // Read while the server is still frozen: stop() removes the export.
  CHECK(fs::exists(server.export_dir() / "dump/vmcore-incomplete"));
  CHECK_FALSE(fs::exists(server.export_dir() / "dump/vmcore"));
}

}  // namespace
}  // namespace kdump::capture
