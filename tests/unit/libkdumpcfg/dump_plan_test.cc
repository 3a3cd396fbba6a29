#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kdumpcfg/dump_plan.h"

using namespace kdump::cfg;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFileCollector = "makedumpfile -l --message-level 7 -d 31";
constexpr const char* kFlatCollector = "makedumpfile -F -l --message-level 7 -d 31";
constexpr const char* kSshOpts = "-i /root/.ssh/kdump_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=yes";

std::tm when() {
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 10;
  t.tm_mday = 22;
  t.tm_hour = 1;
  t.tm_min = 2;
  t.tm_sec = 3;
  return t;
}

ResolvedTarget file_target(std::string path, std::string mount_point) {
  ResolvedTarget t;
  t.kind = ResolvedKind::kFilesystem;
  t.device = "/dev/vdb1";
  t.fstype = "ext4";
  t.path = std::move(path);
  t.mount_point = std::move(mount_point);
  t.core_collector = kFileCollector;
  return t;
}

ResolvedTarget ssh_target(std::string host, std::string path, std::string collector = kFlatCollector) {
  ResolvedTarget t;
  t.kind = ResolvedKind::kSsh;
  t.user = "root";
  t.host = std::move(host);
  t.port = 22;
  t.sshkey = "/root/.ssh/kdump_id_rsa";
  t.path = std::move(path);
  t.core_collector = std::move(collector);
  return t;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& text, bool executable = false) {
  std::ofstream(p, std::ios::binary) << text;
  if (executable) fs::permissions(p, fs::perms::owner_all);
}

// A fresh directory under $TMPDIR, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kdump-plan-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// Runs the commands as one `sh -e` script with `bin` first in PATH; returns the exit status.
int run_plan(const std::vector<std::string>& commands, const fs::path& dir, const fs::path& bin) {
  std::string script = "set -e\n";
  for (const auto& c : commands) script += c + "\n";
  write_file(dir / "plan.sh", script);
  std::string command = "PATH=" + shell_quote(bin.string()) + ":\"$PATH\" sh " + shell_quote((dir / "plan.sh").string()) +
                        " >" + shell_quote((dir / "plan.log").string()) + " 2>&1";
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("dump_directory_name") {
  CHECK(dump_directory_name("127.0.0.1", when()) == "127.0.0.1-2026-11-22-01:02:03");
  CHECK(dump_directory_name("fd00::5", when()) == "fd00::5-2026-11-22-01:02:03");
  std::tm new_year{};
  new_year.tm_year = 2027 - 1900;
  new_year.tm_mday = 1;
  CHECK(dump_directory_name("10.0.0.2", new_year) == "10.0.0.2-2027-01-01-00:00:00");
}

TEST_CASE("capture_mount_point follows kdump-utils") {
  CHECK(capture_mount_point(file_target("/var/crash", "/")) == "/sysroot");
  CHECK(capture_mount_point(file_target("/crash", "/var")) == "/kdumproot/var");
  CHECK(capture_mount_point(file_target("/crash", "/srv/dump space")) == "/kdumproot/srv/dump space");
  CHECK(capture_mount_point(file_target("/crash", "")) == "/kdumproot");
}

TEST_CASE("plan_dump: the commands of each target kind") {
  struct Case {
    const char* name;
    ResolvedTarget target;
    const char* host_ip;
    PlanOptions options;
    DumpPlan expected;
  };
  ResolvedTarget raw;
  raw.kind = ResolvedKind::kRaw;
  raw.device = "/dev/vdc";
  raw.core_collector = kFlatCollector;
  ResolvedTarget nfs;
  nfs.kind = ResolvedKind::kNfs;
  nfs.server = "nfs.example.com";
  nfs.export_path = "/exports/var";
  nfs.fstype = "nfs4";
  nfs.path = "/crash";
  nfs.core_collector = kFileCollector;
  const std::string ssh_dir = "/var/crash/192.168.122.10-2026-11-22-01:02:03";
  const std::string ssh = std::string("ssh ") + kSshOpts + " root@backup.example.com ";
  const std::string ssh_q = std::string("ssh -q ") + kSshOpts + " root@backup.example.com ";

  const Case cases[] = {
      {"fs on / (kdump-utils mounts it on /sysroot)",
       file_target("/var/crash", "/"),
       "127.0.0.1",
       {},
       {"/var/crash/127.0.0.1-2026-11-22-01:02:03",
        "vmcore-incomplete",
        "vmcore",
        {
            "mkdir -p /sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03",
            "vmcore-dmesg /proc/vmcore > /sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03/vmcore-dmesg-incomplete.txt "
            "&& mv /sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03/vmcore-dmesg-incomplete.txt "
            "/sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03/vmcore-dmesg.txt || true",
            "makedumpfile -l --message-level 7 -d 31 /proc/vmcore "
            "/sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03/vmcore-incomplete",
            "sync -f /sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03/vmcore-incomplete",
            "mv /sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03/vmcore-incomplete "
            "/sysroot/var/crash/127.0.0.1-2026-11-22-01:02:03/vmcore",
        }}},
      {"fs with spaces and a quote, mounted where the caller says",
       file_target("/it's crash/", "/srv/dump space"),
       "127.0.0.1",
       {"/dev/vmcore", "/usr/sbin/vmcore-dmesg", "/mnt/t"},
       {"/it's crash/127.0.0.1-2026-11-22-01:02:03",
        "vmcore-incomplete",
        "vmcore",
        {
            "mkdir -p '/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03'",
            "/usr/sbin/vmcore-dmesg /dev/vmcore > "
            "'/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03/vmcore-dmesg-incomplete.txt' && mv "
            "'/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03/vmcore-dmesg-incomplete.txt' "
            "'/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03/vmcore-dmesg.txt' || true",
            "makedumpfile -l --message-level 7 -d 31 /dev/vmcore "
            "'/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03/vmcore-incomplete'",
            "sync -f '/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03/vmcore-incomplete'",
            "mv '/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03/vmcore-incomplete' "
            "'/mnt/t/it'\\''s crash/127.0.0.1-2026-11-22-01:02:03/vmcore'",
        }}},
      {"nfs, not mounted now (kdump-utils mounts it on /kdumproot)",
       nfs,
       "192.168.122.10",
       {},
       {"/crash/192.168.122.10-2026-11-22-01:02:03",
        "vmcore-incomplete",
        "vmcore",
        {
            "mkdir -p /kdumproot/crash/192.168.122.10-2026-11-22-01:02:03",
            "vmcore-dmesg /proc/vmcore > /kdumproot/crash/192.168.122.10-2026-11-22-01:02:03/"
            "vmcore-dmesg-incomplete.txt && mv /kdumproot/crash/192.168.122.10-2026-11-22-01:02:03/"
            "vmcore-dmesg-incomplete.txt /kdumproot/crash/192.168.122.10-2026-11-22-01:02:03/vmcore-dmesg.txt || true",
            "makedumpfile -l --message-level 7 -d 31 /proc/vmcore "
            "/kdumproot/crash/192.168.122.10-2026-11-22-01:02:03/vmcore-incomplete",
            "sync -f /kdumproot/crash/192.168.122.10-2026-11-22-01:02:03/vmcore-incomplete",
            "mv /kdumproot/crash/192.168.122.10-2026-11-22-01:02:03/vmcore-incomplete "
            "/kdumproot/crash/192.168.122.10-2026-11-22-01:02:03/vmcore",
        }}},
      {"raw",
       raw,
       "127.0.0.1",
       {},
       {"", "", "", {"makedumpfile -F -l --message-level 7 -d 31 /proc/vmcore | dd of=/dev/vdc bs=512", "sync"}}},
      {"ssh streams a flattened dump through a remote dd",
       ssh_target("backup.example.com", "/var/crash"),
       "192.168.122.10",
       {},
       {ssh_dir,
        "vmcore-incomplete",
        "vmcore.flat",
        {
            ssh_q + "'mkdir -p " + ssh_dir + "'",
            "vmcore-dmesg /proc/vmcore | " + ssh + "'umask 0077 && dd of=" + ssh_dir +
                "/vmcore-dmesg-incomplete.txt' && " + ssh_q + "'mv " + ssh_dir + "/vmcore-dmesg-incomplete.txt " +
                ssh_dir + "/vmcore-dmesg.txt' || true",
            std::string(kFlatCollector) + " /proc/vmcore | " + ssh + "'umask 0077 && dd bs=512 of=" + ssh_dir +
                "/vmcore-incomplete'",
            ssh + "'mv " + ssh_dir + "/vmcore-incomplete " + ssh_dir + "/vmcore.flat'",
        }}},
      {"ssh with scp as the collector, to an IPv6 host, a space in the path and another port",
       [] {
         ResolvedTarget t = ssh_target("fd00::2", "/var/my crash", "scp");
         t.port = 2222;
         return t;
       }(),
       "fd00::5",
       {},
       {"/var/my crash/fd00::5-2026-11-22-01:02:03",
        "vmcore-incomplete",
        "vmcore",
        {
            std::string("ssh -q ") + kSshOpts + " -p 2222 root@fd00::2 " +
                "'mkdir -p '\\''/var/my crash/fd00::5-2026-11-22-01:02:03'\\'''",
            std::string("vmcore-dmesg /proc/vmcore | ssh ") + kSshOpts + " -p 2222 root@fd00::2 " +
                "'umask 0077 && dd of='\\''/var/my crash/fd00::5-2026-11-22-01:02:03/vmcore-dmesg-incomplete.txt'\\''' "
                "&& ssh -q " + kSshOpts + " -p 2222 root@fd00::2 " +
                "'mv '\\''/var/my crash/fd00::5-2026-11-22-01:02:03/vmcore-dmesg-incomplete.txt'\\'' "
                "'\\''/var/my crash/fd00::5-2026-11-22-01:02:03/vmcore-dmesg.txt'\\''' || true",
            std::string("scp -q ") + kSshOpts + " -P 2222 /proc/vmcore " +
                "'root@[fd00::2]:/var/my crash/fd00::5-2026-11-22-01:02:03/vmcore-incomplete'",
            std::string("ssh ") + kSshOpts + " -p 2222 root@fd00::2 " +
                "'mv '\\''/var/my crash/fd00::5-2026-11-22-01:02:03/vmcore-incomplete'\\'' "
                "'\\''/var/my crash/fd00::5-2026-11-22-01:02:03/vmcore'\\'''",
        }}},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.name));
    DumpPlan plan = plan_dump(c.target, c.host_ip, when(), c.options);
    CHECK(plan.directory == c.expected.directory);
    CHECK(plan.incomplete_name == c.expected.incomplete_name);
    CHECK(plan.final_name == c.expected.final_name);
    REQUIRE(plan.commands.size() == c.expected.commands.size());
    for (std::size_t i = 0; i < plan.commands.size(); ++i) {
      CAPTURE(i);
      CHECK(plan.commands[i] == c.expected.commands[i]);
    }
  }
}

// The plans are not only strings: run them with stand-ins for the tools.
TEST_CASE("plan_dump: a file target's commands do what they say") {
  TempDir tmp;
  const fs::path bin = tmp.path / "bin";
  fs::create_directories(bin);
  write_file(tmp.path / "vmcore", "ELF core bytes");
  // A collector that copies, as `cp` does (kdump-utils allows core_collector cp).
  ResolvedTarget target = file_target("/it's a \"crash\" $dir", "/");
  target.core_collector = "cp";
  PlanOptions options{(tmp.path / "vmcore").string(), "cat", (tmp.path / "mnt").string()};

  SUBCASE("everything succeeds") {
    DumpPlan plan = plan_dump(target, "127.0.0.1", when(), options);
    REQUIRE(run_plan(plan.commands, tmp.path, bin) == 0);
    const fs::path dir = tmp.path / "mnt" / "it's a \"crash\" $dir" / "127.0.0.1-2026-11-22-01:02:03";
    CHECK(read_file(dir / "vmcore") == "ELF core bytes");
    CHECK(read_file(dir / "vmcore-dmesg.txt") == "ELF core bytes");
    CHECK_FALSE(fs::exists(dir / "vmcore-incomplete"));
    CHECK_FALSE(fs::exists(dir / "vmcore-dmesg-incomplete.txt"));
  }
  SUBCASE("a failing kernel-log step does not stop the capture") {
    options.dmesg_collector = "false";
    DumpPlan plan = plan_dump(target, "127.0.0.1", when(), options);
    REQUIRE(run_plan(plan.commands, tmp.path, bin) == 0);
    const fs::path dir = tmp.path / "mnt" / "it's a \"crash\" $dir" / "127.0.0.1-2026-11-22-01:02:03";
    CHECK(read_file(dir / "vmcore") == "ELF core bytes");
    CHECK_FALSE(fs::exists(dir / "vmcore-dmesg.txt"));
  }
  SUBCASE("a failing collector leaves no vmcore") {
    target.core_collector = "false";
    DumpPlan plan = plan_dump(target, "127.0.0.1", when(), options);
    CHECK(run_plan(plan.commands, tmp.path, bin) != 0);
    const fs::path dir = tmp.path / "mnt" / "it's a \"crash\" $dir" / "127.0.0.1-2026-11-22-01:02:03";
    CHECK_FALSE(fs::exists(dir / "vmcore"));
  }
}

TEST_CASE("plan_dump: a raw target's commands write the device") {
  TempDir tmp;
  write_file(tmp.path / "vmcore", std::string(1500, 'x'));
  ResolvedTarget raw;
  raw.kind = ResolvedKind::kRaw;
  raw.device = (tmp.path / "fake disk").string();  // a file stands in for the device
  raw.core_collector = "cat";
  DumpPlan plan = plan_dump(raw, "127.0.0.1", when(), {(tmp.path / "vmcore").string(), "cat", ""});
  REQUIRE(run_plan(plan.commands, tmp.path, tmp.path) == 0);
  CHECK(read_file(tmp.path / "fake disk") == std::string(1500, 'x'));
}

TEST_CASE("plan_dump: an ssh target's remote commands survive both shells") {
  // A stand-in ssh that, like OpenSSH, joins the remote words with spaces and
  // hands them to a shell (here a local one, in the same temporary tree).
  TempDir tmp;
  const fs::path bin = tmp.path / "bin";
  fs::create_directories(bin);
  write_file(bin / "ssh",
             "#!/bin/sh\n"
             "while [ $# -gt 0 ]; do\n"
             "  case $1 in -q) shift ;; -i|-o|-p) shift 2 ;; *) break ;; esac\n"
             "done\n"
             "shift\n"  // the destination
             "exec sh -c \"$*\"\n",
             true);
  write_file(tmp.path / "vmcore", "flattened bytes");
  const std::string remote_root = (tmp.path / "remote it's $HOME").string();
  ResolvedTarget target = ssh_target("backup.example.com", remote_root, "cat");
  DumpPlan plan = plan_dump(target, "192.168.122.10", when(), {(tmp.path / "vmcore").string(), "cat", ""});
  REQUIRE(run_plan(plan.commands, tmp.path, bin) == 0);
  const fs::path dir = fs::path(remote_root) / "192.168.122.10-2026-11-22-01:02:03";
  CHECK(read_file(dir / "vmcore.flat") == "flattened bytes");
  CHECK(read_file(dir / "vmcore-dmesg.txt") == "flattened bytes");
  CHECK_FALSE(fs::exists(dir / "vmcore-incomplete"));
  struct stat st {};
  REQUIRE(::stat((dir / "vmcore.flat").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // umask 0077 on the remote side
}
