#include "capture/ssh_destination.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "capture/open_destination.h"
#include "support/sshd_server.h"
#include "unit/collector/transport/ssh_test_util.h"

namespace kdump::capture {
namespace {

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

// The errno and message of what `action` throws ("" and 0 if nothing).
template <typename Action>
std::pair<int, std::string> error_of(Action&& action) {
  try {
    action();
  } catch (const std::system_error& e) {
    return {e.code().value(), e.what()};
  }
  return {0, ""};
}

cfg::ResolvedTarget ssh_target(const test::SshdServer& server, const std::string& path) {
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kSsh;
  target.user = "root";
  target.host = "127.0.0.1";
  target.port = 22;  // what the resolver always says; the ssh config's Port applies
  target.sshkey = server.client_key();
  target.path = path;
  return target;
}

// An ssh_config as a user of `kdump-collector capture --ssh-config` writes it.
std::string write_ssh_config(const test::SshdServer& server, const std::string& known_hosts) {
  const auto path = server.dir() + "/capture_ssh_config";
  std::ofstream(path) << "Host 127.0.0.1\n  Port " << server.port() << "\n  UserKnownHostsFile " << known_hosts
                      << "\n";
  return path;
}

TEST_CASE("parse_df_available reads df -P -k output") {
  struct Case {
    const char* text;
    std::optional<std::uint64_t> expected;
  } cases[] = {
      {"Filesystem     1024-blocks    Used Available Capacity Mounted on\n"
       "/dev/vda1         20511312 8123456  11322940      42% /\n",
       11322940ull * 1024},
      // Spaces in the device and the mount point.
      {"Filesystem 1024-blocks Used Available Capacity Mounted on\n"
       "my disk 100 40 60 40% /mnt/a b\n",
       60ull * 1024},
      {"Filesystem 1024-blocks Used Available Capacity Mounted on\n", std::nullopt},
      {"", std::nullopt},
      {"df: /x: No such file or directory\n", std::nullopt},
      {"Filesystem 1024-blocks Used Available Capacity Mounted on\nfs 100 40 sixty 40% /\n", std::nullopt},
      {"Filesystem 1024-blocks Used Available Capacity Mounted on\nfs 1 1 99999999999999999999 1% /\n", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(parse_df_available(c.text) == c.expected);
  }
}

TEST_CASE("ssh_endpoint_for: kdump.conf's user, host and key, and port 22 leaves the config's Port") {
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kSsh;
  target.user = "kdump";
  target.host = "dumps.example";
  target.port = 22;
  target.sshkey = "/root/.ssh/kdump_id_rsa";
  const auto endpoint = ssh_endpoint_for(target, "/etc/kdump/ssh_config", 7);
  CHECK(endpoint.user == "kdump");
  CHECK(endpoint.host == "dumps.example");
  CHECK(endpoint.port == 0);
  CHECK(endpoint.identity_file == "/root/.ssh/kdump_id_rsa");
  CHECK(endpoint.config_file == "/etc/kdump/ssh_config");
  CHECK(endpoint.known_hosts.empty());
  CHECK(endpoint.timeout_seconds == 7);
  target.port = 2222;
  CHECK(ssh_endpoint_for(target, "", 30).port == 2222);
}

TEST_CASE("ssh destination: opened from a resolved target and an ssh config, naming itself and its address") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  DestinationOptions options;
  options.ssh_config = write_ssh_config(server, server.known_hosts());
  options.timeout_seconds = 10;
  auto dest = open_destination(ssh_target(server, server.dir() + "/crash"), options);
  CHECK(dest->describe() == "ssh root@127.0.0.1:" + std::to_string(server.port()));
  CHECK(dest->holds_files());
  CHECK(dest->local_address() == "127.0.0.1");
  CHECK(!dest->local_path("/x"));
  CHECK(path_on_destination(ssh_target(server, "/var/crash")) == "/var/crash");
}

TEST_CASE("ssh destination: directories are 0700, new unless reused, and never symbolic links") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshDestination dest(server.endpoint());
  const auto dir = server.dir() + "/crash/deep/127.0.0.1-2026-01-02-03:04:05";
  dest.create_directory(dir, false);
  CHECK(test::mode_of(dir) == 0700);
  CHECK(test::mode_of(server.dir() + "/crash") == 0700);
  CHECK(test::mode_of(server.dir() + "/crash/deep") == 0700);

  auto [code, message] = error_of([&] { dest.create_directory(dir, false); });
  CHECK(code == EEXIST);
  CHECK(message == dest.describe() + ": " + dir + " exists already (an earlier dump is never written into): File exists");
  dest.create_directory(dir, true);  // a retry of this capture

  ::symlink(server.dir().c_str(), (server.dir() + "/crash/link").c_str());
  for (bool reuse : {false, true}) {
    auto [link_code, link_message] = error_of([&] { dest.create_directory(server.dir() + "/crash/link", reuse); });
    CHECK(link_code == ELOOP);
    CHECK(link_message == dest.describe() + ": " + server.dir() +
                              "/crash/link is a symbolic link (refused, not followed): Too many levels of symbolic links");
  }
  std::ofstream(server.dir() + "/crash/file") << "x";
  auto [file_code, file_message] = error_of([&] { dest.create_directory(server.dir() + "/crash/file", true); });
  CHECK(file_code == ENOTDIR);
  // A parent that cannot be made: a file in the way.
  auto [parent_code, parent_message] = error_of([&] { dest.create_directory(server.dir() + "/crash/file/sub", false); });
  CHECK(parent_code == EACCES);
  CHECK(parent_message.starts_with(dest.describe() + ": cannot create directory " + server.dir() +
                                   "/crash/file/sub (exit status 1): mkdir: "));

  // Other processes write to the same file system meanwhile: close, not equal.
  auto check_free = [&](const std::string& where) {
    const auto free = dest.available_bytes(where);
    REQUIRE(free);
    struct statvfs st;
    REQUIRE(::statvfs(where.c_str(), &st) == 0);
    const double local = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
    CHECK(static_cast<double>(*free) == doctest::Approx(local).epsilon(0.05));
  };
  check_free(dir);  // df run on its own (the last create_directory failed)
  dest.create_directory(dir, true);
  check_free(dir);  // the answer of the df that ran with the mkdir
  CHECK(!dest.available_bytes(server.dir() + "/no/such/dir"));
}

TEST_CASE("ssh destination: files over SFTP and streams through dd, 0600, renamed only when complete") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshDestination dest(server.endpoint());
  const auto dir = server.dir() + "/crash/d";
  dest.create_directory(dir, false);

  auto file = dest.create_file(dir, "vmcore-dmesg.txt");
  REQUIRE(file);
  file->write_at(6, bytes_of("world\n"));
  file->write_at(0, bytes_of("hello "));
  CHECK(test::exists(dir + "/vmcore-dmesg.txt-incomplete"));
  file->finish();
  CHECK(test::slurp_file(dir + "/vmcore-dmesg.txt") == "hello world\n");
  CHECK(test::mode_of(dir + "/vmcore-dmesg.txt") == 0600);

  std::string expected;
  for (int i = 0; expected.size() < 2'000'000; ++i) expected += "record " + std::to_string(i) + "\n";
  auto stream = dest.create_stream(dir, "vmcore-incomplete", "vmcore.flat");
  stream->write(bytes_of(expected));
  stream->flush();
  CHECK(!test::exists(dir + "/vmcore.flat"));
  stream->commit();
  CHECK(test::slurp_file(dir + "/vmcore.flat") == expected);
  CHECK(test::mode_of(dir + "/vmcore.flat") == 0600);
  CHECK(!test::exists(dir + "/vmcore-incomplete"));

  // A final name that exists is refused before any byte is sent.
  auto [code, message] = error_of([&] { dest.create_stream(dir, "vmcore-incomplete", "vmcore.flat"); });
  CHECK(code == EEXIST);
  CHECK(message == dest.describe() + ": cannot create " + dir + "/vmcore.flat: it exists already: File exists");
  CHECK(!test::exists(dir + "/vmcore-incomplete"));  // dd never started
  ::symlink("nowhere", (dir + "/dangling").c_str());
  CHECK(error_of([&] { dest.create_stream(dir, "vmcore-incomplete", "dangling"); }).first == EEXIST);
  auto [file_code, file_message] = error_of([&] { dest.create_file(dir, "vmcore-dmesg.txt"); });
  CHECK(file_code == EEXIST);

  std::ofstream(dir + "/vmcore-incomplete") << "partial";
  dest.remove_partial(dir, "vmcore-incomplete");
  CHECK(!test::exists(dir + "/vmcore-incomplete"));
  dest.remove_partial(dir, "vmcore-incomplete");  // absent: no error
}

TEST_CASE("ssh destination: a hostile dump path runs nothing and lands in the literal directory") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  SshDestination dest(server.endpoint());
  const auto hostile = test::hostile_name(server.dir()) + " $(touch /tmp/kdump-ssh-pwned-" +
                       std::to_string(::getpid()) + ") ;";
  const auto dir = server.dir() + "/crash/" + hostile + "/127.0.0.1-x";
  dest.create_directory(dir, false);
  dest.create_directory(dir, true);
  CHECK(dest.available_bytes(dir));
  auto file = dest.create_file(dir, "vmcore-dmesg.txt");
  file->write_at(0, bytes_of("log\n"));
  file->finish();
  auto stream = dest.create_stream(dir, "vmcore-incomplete", "vmcore.flat");
  stream->write(bytes_of("flat"));
  stream->commit();
  dest.remove_partial(dir, "vmcore-incomplete");
  CHECK(test::slurp_file(dir + "/vmcore-dmesg.txt") == "log\n");
  CHECK(test::slurp_file(dir + "/vmcore.flat") == "flat");
  CHECK(test::mode_of(dir) == 0700);
  CHECK(!test::any_marker(server.dir()));
  CHECK(!test::exists("/tmp/kdump-ssh-pwned-" + std::to_string(::getpid())));
}

TEST_CASE("ssh destination: a refused key and an unknown host key are permission errors naming the cause") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  const auto target = "ssh root@127.0.0.1:" + std::to_string(server.port()) + ": ";
  DestinationOptions options;
  options.ssh_config = write_ssh_config(server, server.known_hosts());
  auto stranger = ssh_target(server, "/crash");
  stranger.sshkey = server.stranger_key();
  auto [key_code, key_message] = error_of([&] { open_destination(stranger, options); });
  CHECK(key_code == EACCES);
  CHECK(key_message == target + "the server refused the key " + server.stranger_key() + " for user root: Permission denied");

  // An empty known_hosts: the key is never accepted, whatever the config says.
  const auto empty = server.dir() + "/empty_known_hosts";
  std::ofstream(empty).flush();
  options.ssh_config = write_ssh_config(server, empty);
  std::ofstream(options.ssh_config, std::ios::app) << "  StrictHostKeyChecking no\n";
  auto [host_code, host_message] = error_of([&] { open_destination(ssh_target(server, "/crash"), options); });
  CHECK(host_code == EACCES);
  CHECK(host_message.starts_with(target + "the host key of 127.0.0.1 is not in " + empty + "; refusing to connect"));
  CHECK(host_message.find("StrictHostKeyChecking no is not honoured") != std::string::npos);
}

TEST_CASE("ssh destination: a server killed mid-stream is an I/O error that leaves vmcore-incomplete and no vmcore.flat") {
  KDUMP_SKIP_WITHOUT_SSHD();
  test::SshdServer server;
  test::KillAfter limit(server, std::chrono::seconds(120));
  SshDestination dest(server.endpoint());
  const auto dir = server.dir() + "/crash/d";
  dest.create_directory(dir, false);
  const auto temporary = dir + "/vmcore-incomplete";

  std::atomic<bool> stop = false;
  std::thread killer([&] {
    struct stat st {};
    while (!stop && !(::stat(temporary.c_str(), &st) == 0 && st.st_size > (8 << 20)))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!stop) server.kill_all();
  });
  const std::string block(1 << 20, 'x');
  auto [code, message] = error_of([&] {
    auto stream = dest.create_stream(dir, "vmcore-incomplete", "vmcore.flat");
    for (int i = 0; i < 1024; ++i) stream->write(bytes_of(block));
    stream->commit();
  });
  stop = true;
  killer.join();
  CAPTURE(message);
  CHECK(code != 0);
  // Not one of the codes the capture flow gives up on at once: it reconnects and retries.
  for (int final_code : {EACCES, EPERM, ENOSPC, EEXIST, ENOENT}) CHECK(code != final_code);
  CHECK(message.starts_with(dest.describe() + ": "));
  CHECK(test::exists(temporary));
  CHECK(!test::exists(dir + "/vmcore.flat"));
}

}  // namespace
}  // namespace kdump::capture
