// `kdump-collector capture` end to end with an nfs target: the binary, run as
// the initramfs will run it (--config, --vmcore on the lab's vmcore,
// --simulate-actions), saves to a real nfs-ganesha on loopback through
// libnfs. Checked: the printed action, what lands in the export (names,
// modes, vmcore-dmesg.txt and the saved dump's log identical to kexec-tools'
// vmcore-dmesg of the original), a missing export (named, not retried), a
// full export (not retried, the log kept), and the server killed or frozen
// part way through the dump (bounded retries, each bounded by --timeout, then
// failure_action; vmcore-incomplete stays, no vmcore, nothing claims success).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/dmesg_command.h"
#include "support/file_checks.h"
#include "support/lab_dir.h"
#include "support/nfs_ganesha_server.h"
#include "vmcore/dump.h"

namespace kdump {
namespace {

using ::test::slurp;
using ::test::mode_of;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::NfsGaneshaServer;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The lab's vmcore and the built binary; empty (after saying why) when this run cannot have them.
struct Needs {
  fs::path lab;
  fs::path binary;
  explicit operator bool() const { return !lab.empty() && !binary.empty(); }
};

Needs needs_or_skip() {
  Needs needs;
  if (auto why = NfsGaneshaServer::unavailable_reason(); !why.empty()) {
    MESSAGE("skipped: " << why);
    return needs;
  }
  // Next to this test binary (<build>/tests/) unless KDUMP_BUILD_DIR names the build.
  const char* build = std::getenv("KDUMP_BUILD_DIR");
  const fs::path build_dir =
      build && *build ? fs::path(build) : fs::read_symlink("/proc/self/exe").parent_path().parent_path();
  needs.lab = test::find_lab_dir();
  if (needs.lab.empty()) MESSAGE("skipped: no crash-lab vmcore (set KDUMP_LAB_DIR or run tests/lab/crash-lab)");
  needs.binary = build_dir / "collector/kdump-collector";
  REQUIRE_MESSAGE(fs::exists(needs.binary), needs.binary.string() << " is not built");
  return needs;
}

// A scratch directory with a kdump.conf, the capture's stdout and stderr, and empty hook directories.
struct Scratch {
  fs::path dir;
  Scratch() {
    char name[] = "/tmp/kdump-capture-nfs-XXXXXX";
    REQUIRE(::mkdtemp(name));
    dir = name;
    fs::create_directories(dir / "hooks/pre.d");
    fs::create_directories(dir / "hooks/post.d");
  }
  ~Scratch() { fs::remove_all(dir); }
};

struct Run {
  int status = -1;  // exit status; -1 if it had to be killed
  std::string out;  // stdout: the printed actions
  std::string log;  // stderr
};

// Runs the capture; `watch` is called every few milliseconds while it runs.
Run capture(const fs::path& binary, const Scratch& scratch, const fs::path& vmcore, const NfsGaneshaServer& server,
            const std::function<void()>& watch = {}, int timeout_seconds = 5) {
  const std::vector<std::string> args = {
      binary.string(), "capture", "--config", (scratch.dir / "kdump.conf").string(), "--vmcore", vmcore.string(),
      "--simulate-actions", "--hooks-dir", (scratch.dir / "hooks").string(), "--retry-delay", "0", "--timeout",
      std::to_string(timeout_seconds), "--nfs-port", std::to_string(server.target().nfs_port), "--nfs-mount-port",
      std::to_string(server.target().mount_port)};
  const fs::path out = scratch.dir / "out", log = scratch.dir / "log";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  Run run;
  const auto deadline = std::chrono::steady_clock::now() + 600s;  // far beyond any timeout: a hang
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL_CHECK("the capture hung");
      break;
    }
    if (watch) watch();
    std::this_thread::sleep_for(5ms);
  }
  if (WIFEXITED(status)) run.status = WEXITSTATUS(status);
  run.out = slurp(out);
  run.log = slurp(log);
  return run;
}

// The one dump directory under the export's /var/crash, or empty.
fs::path dump_directory(const NfsGaneshaServer& server) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(server.export_dir() / "var/crash", ec)) found.push_back(e.path());
  return found.size() == 1 ? found.front() : fs::path();
}

std::string vmcore_dmesg_of(const fs::path& path) {
  auto dump = Dump::open(path.string());
  std::ostringstream out, warn;
  REQUIRE(cli::write_dmesg(*dump, cli::DmesgFormat::kVmcoreDmesg, out, warn) == 0);
  return out.str();
}

void write_config(const Scratch& scratch, const std::string& nfs, const std::string& extra) {
  std::ofstream(scratch.dir / "kdump.conf") << "nfs " << nfs << "\npath /var/crash\n" << extra;
}

TEST_CASE("lab: capture to nfs saves the dump and its log into the export, then the final action") {
  const Needs needs = needs_or_skip();
  if (!needs) return;
  const fs::path& lab = needs.lab;
  const fs::path& binary = needs.binary;
  NfsGaneshaServer server;
  Scratch scratch;
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  write_config(scratch, where, "core_collector makedumpfile -l --message-level 7 -d 31\nfinal_action poweroff\n");

  const Run run = capture(binary, scratch, lab / "vmcore", server);
  INFO("capture log:\n" << run.log);
  CHECK(run.status == 0);
  CHECK(run.out == "action: poweroff\n");
  const fs::path dir = dump_directory(server);
  REQUIRE(!dir.empty());
  const std::string name = dir.filename().string();
  CHECK(name.starts_with("127.0.0.1-"));  // the source address of the connection to the server
  CHECK(name.size() == std::string("127.0.0.1-2026-11-22-03:30:00").size());
  CHECK(count_of(run.log, "saved vmcore-dmesg.txt and vmcore to nfs " + where + " in /var/crash/" + name) == 1);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"vmcore", "vmcore-dmesg.txt"});
  for (const fs::path& d : {server.export_dir() / "var", server.export_dir() / "var/crash", dir}) {
    CAPTURE(d);
    CHECK(mode_of(d) == 0700);
  }
  CHECK(mode_of(dir / "vmcore") == 0600);
  CHECK(mode_of(dir / "vmcore-dmesg.txt") == 0600);
  const std::string original = vmcore_dmesg_of(lab / "vmcore");
  CHECK(slurp(dir / "vmcore-dmesg.txt") == original);
  CHECK(vmcore_dmesg_of(dir / "vmcore") == original);
  if (fs::exists(lab / "ref/vmcore-dmesg.txt")) CHECK(slurp(lab / "ref/vmcore-dmesg.txt") == original);
}

TEST_CASE("lab: capture to a missing nfs export names it, does not retry, and takes the failure action") {
  const Needs needs = needs_or_skip();
  if (!needs) return;
  const fs::path& lab = needs.lab;
  const fs::path& binary = needs.binary;
  NfsGaneshaServer server;
  Scratch scratch;
  const std::string missing = "127.0.0.1:" + server.export_dir().string() + "/missing";
  write_config(scratch, missing, "failure_action halt\n");

  const Run run = capture(binary, scratch, lab / "vmcore", server);
  INFO("capture log:\n" << run.log);
  CHECK(run.status == 1);
  CHECK(run.out == "action: halt\n");
  CHECK(count_of(run.log, missing + ": cannot mount: export not found") == 1);
  CHECK(count_of(run.log, "saved ") == 0);
  CHECK(fs::is_empty(server.export_dir()));
}

TEST_CASE("lab: capture to nfs with the server killed mid-dump retries a bounded number of times, then fails") {
  const Needs needs = needs_or_skip();
  if (!needs) return;
  const fs::path& lab = needs.lab;
  const fs::path& binary = needs.binary;
  NfsGaneshaServer server;
  Scratch scratch;
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  // Dump level 0 and no compression: hundreds of MiB, so the kill lands well inside the dump.
  write_config(scratch, where, "core_collector makedumpfile -d 0\nfailure_action halt\n");

  bool killed = false;
  fs::path dir;
  const Run run = capture(binary, scratch, lab / "vmcore", server, [&] {
    if (killed) return;
    dir = dump_directory(server);
    std::error_code ec;
    if (dir.empty()) return;
    const auto size = fs::file_size(dir / "vmcore-incomplete", ec);
    if (!ec && size >= (8u << 20)) {
      server.kill_now();
      killed = true;
    }
  });
  INFO("capture log:\n" << run.log);
  REQUIRE(killed);
  CHECK(run.status == 1);
  CHECK(run.out == "action: halt\n");
  CHECK(count_of(run.log, "cannot write to /var/crash/" + dir.filename().string() + "/vmcore-incomplete") == 1);
  CHECK(count_of(run.log, "saving to nfs " + where + " failed") == 1);  // the attempt that lost the server
  CHECK(count_of(run.log, "saving to the target failed: " + where + ": cannot mount: server not reachable") == 2);
  CHECK(count_of(run.log, "giving up after 3 attempts") == 1);
  CHECK(count_of(run.log, "saved ") == 0);
  CHECK(fs::exists(dir / "vmcore-incomplete"));
  CHECK_FALSE(fs::exists(dir / "vmcore"));
  CHECK(slurp(dir / "vmcore-dmesg.txt") == vmcore_dmesg_of(lab / "vmcore"));
}

TEST_CASE("lab: capture to a full nfs export keeps vmcore-dmesg.txt and vmcore-incomplete, and does not retry") {
  const Needs needs = needs_or_skip();
  if (!needs) return;
  const fs::path& lab = needs.lab;
  const fs::path& binary = needs.binary;
  NfsGaneshaServer server({.root_squash = false, .tmpfs_bytes = 4u << 20});  // the dump is about 18 MB
  Scratch scratch;
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  write_config(scratch, where, "failure_action poweroff\n");

  const Run run = capture(binary, scratch, lab / "vmcore", server);
  INFO("capture log:\n" << run.log);
  CHECK(run.status == 1);
  CHECK(run.out == "action: poweroff\n");
  const fs::path dir = dump_directory(server);
  REQUIRE(!dir.empty());
  CHECK(count_of(run.log, "cannot write to /var/crash/" + dir.filename().string() + "/vmcore-incomplete: no space") == 1);
  CHECK(count_of(run.log, "failed") == 1);  // ENOSPC is not retried
  CHECK(count_of(run.log, "saved ") == 0);
  CHECK(fs::exists(dir / "vmcore-incomplete"));
  CHECK_FALSE(fs::exists(dir / "vmcore"));
  CHECK(slurp(dir / "vmcore-dmesg.txt") == vmcore_dmesg_of(lab / "vmcore"));
}

TEST_CASE("lab: capture to nfs with the server frozen mid-dump fails after the timeouts instead of hanging") {
  const Needs needs = needs_or_skip();
  if (!needs) return;
  const fs::path& lab = needs.lab;
  const fs::path& binary = needs.binary;
  NfsGaneshaServer server;
  Scratch scratch;
  const std::string where = "127.0.0.1:" + server.export_dir().string();
  write_config(scratch, where, "core_collector makedumpfile -d 0\nfailure_action halt\n");

  bool frozen = false;
  fs::path dir;
  const auto start = std::chrono::steady_clock::now();
  const Run run = capture(
      binary, scratch, lab / "vmcore", server,
      [&] {
        if (frozen) return;
        dir = dump_directory(server);
        if (dir.empty()) return;
        std::error_code ec;
        const auto size = fs::file_size(dir / "vmcore-incomplete", ec);
        if (!ec && size >= (8u << 20)) {
          server.freeze();  // connections stay open; nothing answers
          frozen = true;
        }
      },
      2);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO("capture log:\n" << run.log);
  REQUIRE(frozen);
  MESSAGE("the capture gave up on a frozen server after " << seconds << " s (--timeout 2, 3 attempts)");
  CHECK(run.status == 1);  // it returned by itself (the runner kills a hang only after 600 s)
  CHECK(run.out == "action: halt\n");
  CHECK(count_of(run.log, "cannot write to /var/crash/" + dir.filename().string() +
                              "/vmcore-incomplete: server not responding") == 1);
  CHECK(count_of(run.log, "saving to the target failed: " + where + ": cannot mount: server not responding") == 2);
  CHECK(count_of(run.log, "giving up after 3 attempts") == 1);
  CHECK(count_of(run.log, "saved ") == 0);
  // Read while the server is still frozen: stop() removes the export.
  CHECK(fs::exists(dir / "vmcore-incomplete"));
  CHECK_FALSE(fs::exists(dir / "vmcore"));
}

}  // namespace
}  // namespace kdump
