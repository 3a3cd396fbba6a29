// A real crash saved to a real NFS server: the crash lab's vmcore goes through
// NfsDestination (libnfs to nfs-ganesha on loopback) the way the capture flow
// saves it (vmcore-dmesg.txt first, then the dump at dump level 31, zlib, as
// kdump-collector's dump command writes it, through cli::write_dump_to), and is read back from the
// export: the log in the saved dump and the saved vmcore-dmesg.txt are
// kexec-tools' vmcore-dmesg output of the original, byte for byte. Then the
// server is killed part way through the dump. Skipped without the lab or ganesha.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "capture/nfs_destination.h"
#include "capture/open_destination.h"
#include "cli/dmesg_command.h"
#include "cli/dump_command.h"
#include "support/file_checks.h"
#include "support/lab_dir.h"
#include "support/nfs_ganesha_server.h"
#include "vmcore/dump.h"

namespace kdump::capture {
namespace {

using ::test::slurp;
using ::test::mode_of;

namespace fs = std::filesystem;
using test::NfsGaneshaServer;

// The lab directory, or empty after saying why the test is skipped.
fs::path lab_or_skip() {
  const fs::path lab = test::find_lab_dir();
  if (lab.empty()) MESSAGE("skipped: no crash-lab vmcore (set KDUMP_LAB_DIR or run tests/lab/crash-lab)");
  std::string reason = NfsGaneshaServer::unavailable_reason();
  if (!reason.empty()) MESSAGE("skipped: " << reason);
  return reason.empty() ? lab : fs::path();
}

// kexec-tools' vmcore-dmesg text of the dump at `path`.
std::string vmcore_dmesg_of(const fs::path& path) {
  auto dump = Dump::open(path.string());
  std::ostringstream out, warn;
  REQUIRE(cli::write_dmesg(*dump, cli::DmesgFormat::kVmcoreDmesg, out, warn) == 0);
  return out.str();
}

// The log into create_file(), as the flow writes it first.
void save_log(Destination& dest, const std::string& dir, const fs::path& vmcore) {
  const std::string text = vmcore_dmesg_of(vmcore);
  auto sink = dest.create_file(dir, "vmcore-dmesg.txt");
  REQUIRE(sink);
  sink->write_at(0, std::as_bytes(std::span(text.data(), text.size())));
  sink->finish();
}

// A ByteSink passing writes on, which kills the server once `limit` bytes went
// through: the crash arrives at the same point of the dump on every run.
class KillingSink final : public ByteSink {
 public:
  KillingSink(ByteSink& inner, NfsGaneshaServer& server, std::uint64_t limit)
      : inner_(inner), server_(server), limit_(limit) {}
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override {
    inner_.write_at(offset, bytes);
    written_ += bytes.size();
    if (written_ >= limit_ && !killed_) {
      server_.kill_now();
      killed_ = true;
    }
  }
  void finish() override { inner_.finish(); }
  std::string name() const override { return inner_.name(); }
  bool killed() const { return killed_; }

 private:
  ByteSink& inner_;
  NfsGaneshaServer& server_;
  std::uint64_t limit_;
  std::uint64_t written_ = 0;
  bool killed_ = false;
};

// The dump as `kdump-collector -c -d 31 --num-threads 2 VMCORE OUT` writes it.
WriteReport write_level31_dump(const fs::path& vmcore, ByteSink& sink) {
  cli::DumpCommand command;
  command.vmcore = vmcore.string();
  command.dump_level = 31;
  command.codec = CodecKind::kZlib;
  command.threads = 2;
  command.message_level = 0;
  std::ostringstream messages;
  return cli::write_dump_to(command, sink, messages);
}

cfg::ResolvedTarget nfs_target(const NfsGaneshaServer& server) {
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kNfs;
  target.server = "127.0.0.1";
  target.export_path = server.export_dir().string();
  target.path = "/var/crash";
  return target;
}

DestinationOptions options_for(const NfsGaneshaServer& server) {
  DestinationOptions options;
  options.nfs_port = server.target().nfs_port;
  options.nfs_mount_port = server.target().mount_port;
  options.timeout_seconds = 5;
  return options;
}

TEST_CASE("lab: a crash saved over NFS reads back with the original's log, files 0600, directories 0700") {
  const fs::path lab = lab_or_skip();
  if (lab.empty()) return;
  MESSAGE("lab vmcore: " << (lab / "vmcore").string());
  NfsGaneshaServer server;
  auto dest = open_destination(nfs_target(server), options_for(server));
  const std::string dir = path_on_destination(nfs_target(server)) + "/" +
                          dest->local_address().value_or("127.0.0.1") + "-2026-11-22-03:30:00";
  CHECK(dir == "/var/crash/127.0.0.1-2026-11-22-03:30:00");
  dest->create_directory(dir, false);
  save_log(*dest, dir, lab / "vmcore");
  auto sink = dest->create_file(dir, "vmcore");
  const WriteReport report = write_level31_dump(lab / "vmcore", *sink);
  MESSAGE("saved " << report.bytes_out << " bytes of dump over NFS in " << report.seconds << " s");

  const fs::path saved = server.export_dir() / "var/crash/127.0.0.1-2026-11-22-03:30:00";
  CHECK(fs::file_size(saved / "vmcore") == report.bytes_out);
  CHECK_FALSE(fs::exists(saved / "vmcore-incomplete"));
  const std::string original = vmcore_dmesg_of(lab / "vmcore");
  CHECK(original.size() > 1000);
  CHECK(vmcore_dmesg_of(saved / "vmcore") == original);
  CHECK(slurp(saved / "vmcore-dmesg.txt") == original);
  if (fs::exists(lab / "ref/vmcore-dmesg.txt")) CHECK(slurp(lab / "ref/vmcore-dmesg.txt") == original);
  for (const char* d : {"var", "var/crash", "var/crash/127.0.0.1-2026-11-22-03:30:00"}) {
    CAPTURE(d);
    CHECK(mode_of(server.export_dir() / d) == 0700);
  }
  CHECK(mode_of(saved / "vmcore") == 0600);
  CHECK(mode_of(saved / "vmcore-dmesg.txt") == 0600);
}

TEST_CASE("lab: a server killed part way through the dump is an error, vmcore-incomplete stays, no vmcore") {
  const fs::path lab = lab_or_skip();
  if (lab.empty()) return;
  NfsGaneshaServer server;
  auto dest = open_destination(nfs_target(server), options_for(server));
  const std::string dir = "/var/crash/127.0.0.1-2026-11-22-03:30:00";
  dest->create_directory(dir, false);
  save_log(*dest, dir, lab / "vmcore");
  auto sink = dest->create_file(dir, "vmcore");
  KillingSink killing(*sink, server, 4u << 20);

  std::string message;
  int code = 0;
  try {
    write_level31_dump(lab / "vmcore", killing);
  } catch (const std::system_error& e) {
    message = e.what();
    code = e.code().value();
  }
  CHECK(killing.killed());
  MESSAGE("after the kill: [" << code << "] " << message);
  CHECK(message.starts_with("127.0.0.1:" + server.export_dir().string() + ": cannot write to " + dir +
                            "/vmcore-incomplete: server not reachable"));
  // Not one of the errors the flow gives up on at once: it reconnects and tries again.
  for (int final_error : {ENOSPC, EDQUOT, EEXIST, EACCES, EPERM, EROFS, ELOOP, ENOTDIR, ENOENT}) CHECK(code != final_error);
  const fs::path saved = server.export_dir() / "var/crash/127.0.0.1-2026-11-22-03:30:00";
  CHECK(fs::exists(saved / "vmcore-incomplete"));
  CHECK_FALSE(fs::exists(saved / "vmcore"));
  CHECK(slurp(saved / "vmcore-dmesg.txt") == vmcore_dmesg_of(lab / "vmcore"));
}

}  // namespace
}  // namespace kdump::capture
