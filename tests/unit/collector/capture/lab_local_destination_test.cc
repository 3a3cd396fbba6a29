// The crash lab's real vmcore saved through the local destinations the way
// the capture flow does it, on real file systems (as root): an ext4 image on
// a loop device that is not mounted (mounted by LABEL=, unmounted after), a
// tmpfs too small for the dump (ENOSPC part way: vmcore-incomplete stays, the
// log written first survives), and a raw loop device holding old bytes
// (flattened stream from byte 0, readable back through -R, which stops at the
// end record). Skips with a message without the lab or without mounts.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include "capture/open_destination.h"
#include "cli/dmesg_command.h"
#include "cli/dump_command.h"
#include "sink/fd_stream.h"
#include "sink/file_sink.h"
#include "support/file_checks.h"
#include "support/block_devices.h"
#include "support/lab_dir.h"
#include "vmcore/dump.h"
#include "writer/flattened_writer.h"
#include "writer/rearrange.h"

namespace kdump::capture {
namespace {

using ::test::slurp;
using ::test::mode_of;

namespace fs = std::filesystem;

#define KDUMP_SKIP_WITHOUT_LAB_AND_LOOP()                                              \
  const fs::path lab = test::find_lab_dir();                                           \
  if (lab.empty()) {                                                                   \
    MESSAGE("skipped: no crash lab output (run tests/lab/crash-lab or the lab fixture)"); \
    return;                                                                            \
  }                                                                                    \
  if (auto why = test::why_no_loop_devices(); !why.empty()) {                          \
    MESSAGE("skipped: " << why);                                                       \
    return;                                                                            \
  }

struct TempDir {
  TempDir() {
    char name[] = "/tmp/kdump-lab-local-XXXXXX";
    REQUIRE(::mkdtemp(name));
    path = name;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

std::string vmcore_dmesg(const std::string& path) {
  auto dump = Dump::open(path);
  std::ostringstream out, warn;
  REQUIRE(cli::write_dmesg(*dump, cli::DmesgFormat::kVmcoreDmesg, out, warn) == 0);
  return out.str();
}

// The capture flow's dump: makedumpfile -l -d 31, through the real writer.
void write_lab_dump(const fs::path& lab, ByteSink& sink) {
  cli::DumpCommand command;
  command.vmcore = (lab / "vmcore").string();
  command.dump_level = 31;
  command.codec = CodecKind::kLzo;
  command.message_level = 0;
  std::ostringstream messages;
  cli::write_dump_to(command, sink, messages);
}

// The log first, as the flow writes it.
void save_log(Destination& dest, const std::string& dir, const std::string& log) {
  auto file = dest.create_file(dir, "vmcore-dmesg.txt");
  REQUIRE(file);
  file->write_at(0, std::as_bytes(std::span(log.data(), log.size())));
  file->finish();
}

const std::string kDirName = "127.0.0.1-2026-11-22-03:30:00";

TEST_CASE("fs destination: the lab vmcore saved to an ext4 file system found by LABEL=, mounted and unmounted") {
  KDUMP_SKIP_WITHOUT_LAB_AND_LOOP();
  TempDir tmp;
  test::LoopDevice loop(tmp.path + "/ext4.img", 512ull << 20);
  const std::string label = test::unique_label("kdlab");
  loop.make_ext4(label);
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kFilesystem;
  target.device = "LABEL=" + label;
  target.fstype = "ext4";
  target.path = "/var/crash";
  DestinationOptions options;
  options.mount_base = tmp.path + "/run";
  const std::string dir = path_on_destination(target) + "/" + kDirName;
  const std::string log = vmcore_dmesg((lab / "vmcore").string());
  std::string mount_point;
  {
    auto dest = open_destination(target, options);
    mount_point = *dest->local_path("/");
    CHECK(test::is_mount_point(mount_point));
    dest->create_directory(dir, false);
    CHECK(dest->available_bytes(dir).value_or(0) > (400ull << 20));
    save_log(*dest, dir, log);
    auto sink = dest->create_file(dir, "vmcore");
    write_lab_dump(lab, *sink);
  }
  CHECK_FALSE(test::is_mount_point(mount_point));
  CHECK_FALSE(fs::exists(mount_point));

  // On the device: the directory, the log and a dump of the same crash.
  auto dest = open_destination(target, options);
  const std::string saved = *dest->local_path(dir);
  CHECK(mode_of(saved) == 0700);
  CHECK(mode_of(saved + "/vmcore") == 0600);
  CHECK_FALSE(fs::exists(saved + "/vmcore-incomplete"));
  CHECK(slurp(saved + "/vmcore-dmesg.txt") == slurp((lab / "ref/vmcore-dmesg.txt").string()));
  CHECK(vmcore_dmesg(saved + "/vmcore") == log);
  CHECK(Dump::open(saved + "/vmcore")->description().format == "kdump-compressed");
}

TEST_CASE("fs destination: a tmpfs too small for the lab vmcore fails with ENOSPC, the log survives") {
  KDUMP_SKIP_WITHOUT_LAB_AND_LOOP();
  TempDir tmp;
  test::TmpfsMount small(tmp.path + "/small", 8 << 20);
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kFilesystem;
  target.device = "tmpfs";
  target.fstype = "tmpfs";
  target.path = "/";
  target.mount_point = small.dir();
  target.mount_root = "/";
  const std::string dir = path_on_destination(target) + "/" + kDirName;
  const std::string log = vmcore_dmesg((lab / "vmcore").string());
  auto dest = open_destination(target, DestinationOptions{});
  dest->create_directory(dir, false);
  CHECK(dest->available_bytes(dir).value_or(0) <= (8u << 20));
  save_log(*dest, dir, log);
  const std::string incomplete = small.dir() + "/" + kDirName + "/vmcore-incomplete";
  try {
    auto sink = dest->create_file(dir, "vmcore");
    write_lab_dump(lab, *sink);
    FAIL("the dump fit into 8 MiB");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == ENOSPC);
    CHECK(std::string(e.what()) == "cannot write to " + incomplete + ": No space left on device");
  }
  CHECK(fs::exists(incomplete));
  CHECK(fs::file_size(incomplete) > (4u << 20));
  CHECK_FALSE(fs::exists(small.dir() + "/" + kDirName + "/vmcore"));
  CHECK(slurp(small.dir() + "/" + kDirName + "/vmcore-dmesg.txt") == log);
  // A retry starts by removing the partial dump.
  dest->remove_partial(dir, "vmcore-incomplete");
  CHECK_FALSE(fs::exists(incomplete));
}

// Copies what is written to a second stream as well (the test's own record of the stream).
class Tee final : public OutputStream {
 public:
  Tee(OutputStream& a, OutputStream& b) : a_(a), b_(b) {}
  void write(std::span<const std::byte> bytes) override {
    a_.write(bytes);
    b_.write(bytes);
  }
  void flush() override {
    a_.flush();
    b_.flush();
  }
  std::string name() const override { return a_.name(); }

 private:
  OutputStream& a_;
  OutputStream& b_;
};

TEST_CASE("raw destination: the lab vmcore flattened onto a loop device, read back with -R past the old bytes") {
  KDUMP_SKIP_WITHOUT_LAB_AND_LOOP();
  TempDir tmp;
  // The device's old contents: a pattern that must survive after the stream.
  constexpr std::size_t kDeviceSize = 256 << 20;
  test::LoopDevice loop(tmp.path + "/raw.img", kDeviceSize, 0xa5);
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kRaw;
  target.device = loop.node();
  auto dest = open_destination(target, DestinationOptions{});
  CHECK(dest->available_bytes("").value_or(0) == kDeviceSize);

  const std::string copy = tmp.path + "/stream.copy";
  const int copy_fd = ::open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  REQUIRE(copy_fd >= 0);
  {
    auto stream = dest->create_stream("", "vmcore-incomplete", "vmcore.flat");
    FdOutputStream copy_out(copy_fd, copy);
    Tee both(*stream, copy_out);
    FlattenedSink flattened(both);
    write_lab_dump(lab, flattened);
    stream->commit();
  }
  ::close(copy_fd);

  // Byte for byte the stream, then the old bytes untouched.
  const std::string written = slurp(copy);
  const std::string device = slurp(loop.node());
  REQUIRE(device.size() == kDeviceSize);
  REQUIRE(written.size() > (1u << 20));
  CHECK(device.compare(0, written.size(), written) == 0);
  CHECK(device.find_first_not_of('\xa5', written.size()) == std::string::npos);

  // -R from the device, as kdump-utils reads a raw target after the reboot.
  const int in_fd = ::open(loop.node().c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(in_fd >= 0);
  {
    FdInputStream in(in_fd, loop.node());
    FileSink out(tmp.path + "/vmcore");
    const RearrangeReport r = rearrange_flattened(in, out);
    CHECK(r.records > 0);
    // Nothing after the end record was read.
    CHECK(::lseek(in_fd, 0, SEEK_CUR) == static_cast<off_t>(written.size()));
  }
  ::close(in_fd);
  CHECK(vmcore_dmesg(tmp.path + "/vmcore") == slurp((lab / "ref/vmcore-dmesg.txt").string()));
  CHECK_FALSE(Dump::open(tmp.path + "/vmcore")->description().flattened);
}

}  // namespace
}  // namespace kdump::capture
