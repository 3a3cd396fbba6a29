// Mounting an fs target that is not mounted, on real file systems (as root:
// an ext4 image on a loop device): found by UUID= and LABEL= through
// libblkid, mounted on a new 0700 directory under mount_base, unmounted and
// the directory removed when the destination goes away. Skips with a message
// where mount(2) or loop devices are not available.
#include "capture/mounted_filesystem.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "capture/open_destination.h"
#include "support/file_checks.h"
#include "support/block_devices.h"

namespace kdump::capture {
namespace {

using ::test::mode_of;

namespace fs = std::filesystem;

#define KDUMP_SKIP_WITHOUT_LOOP_DEVICES()                                 \
  do {                                                                    \
    if (auto why = test::why_no_loop_devices(); !why.empty()) {           \
      MESSAGE("skipped: " << why);                                        \
      return;                                                             \
    }                                                                     \
  } while (false)

struct TempDir {
  TempDir() {
    char name[] = "/tmp/kdump-mount-test-XXXXXX";
    REQUIRE(::mkdtemp(name));
    path = name;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

cfg::ResolvedTarget ext4_target(const std::string& device) {
  cfg::ResolvedTarget t;
  t.kind = cfg::ResolvedKind::kFilesystem;
  t.device = device;
  t.fstype = "ext4";
  t.path = "/var/crash";
  return t;
}

std::string error_of(const cfg::ResolvedTarget& target, const DestinationOptions& options, int& code) {
  try {
    open_destination(target, options);
  } catch (const std::system_error& e) {
    code = e.code().value();
    return e.what();
  }
  code = 0;
  return "(no error)";
}

TEST_CASE("fs destination: an ext4 file system that is not mounted is mounted by UUID= and LABEL=, then unmounted") {
  KDUMP_SKIP_WITHOUT_LOOP_DEVICES();
  TempDir tmp;
  test::LoopDevice loop(tmp.path + "/ext4.img", 16 << 20);
  const std::string label = test::unique_label("kdt");
  const std::string uuid = loop.make_ext4(label);
  REQUIRE(!uuid.empty());
  DestinationOptions options;
  options.mount_base = tmp.path + "/run";

  int round = 0;
  for (const std::string& spec : {"UUID=" + uuid, "LABEL=" + label, loop.node()}) {
    CAPTURE(spec);
    const std::string dir = "/var/crash/127.0.0.1-2026-11-22-03:00:0" + std::to_string(round++);
    std::string mount_point;
    {
      auto dest = open_destination(ext4_target(spec), options);
      CHECK(dest->describe() == "fs " + spec);
      mount_point = *dest->local_path("/");
      CHECK(mount_point.starts_with(options.mount_base + "/mnt-"));
      CHECK(test::is_mount_point(mount_point));
      CHECK(mode_of(options.mount_base) == 0700);
      CHECK(mode_of(mount_point) == 0755);  // the file system's own root
      dest->create_directory(dir, false);
      auto file = dest->create_file(dir, "vmcore-dmesg.txt");
      const std::string text = "log of " + spec + "\n";
      file->write_at(0, std::as_bytes(std::span(text.data(), text.size())));
      file->finish();
      CHECK(dest->available_bytes("/var/crash").value_or(0) > (8u << 20));
    }
    CHECK_FALSE(test::is_mount_point(mount_point));
    CHECK_FALSE(fs::exists(mount_point));
  }

  // What was written is on the device: mount it once more and look.
  auto dest = open_destination(ext4_target("LABEL=" + label), options);
  const std::string crash = *dest->local_path("/var/crash");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(crash)) {
    ++entries;
    CHECK(mode_of(e.path().string()) == 0700);
    std::ifstream in(e.path() / "vmcore-dmesg.txt");
    std::string line;
    std::getline(in, line);
    CHECK(line.starts_with("log of "));
    CHECK(mode_of((e.path() / "vmcore-dmesg.txt").string()) == 0600);
  }
  CHECK(entries == 3);
}

TEST_CASE("fs destination: a file system still busy when the destination goes is detached, not left mounted") {
  KDUMP_SKIP_WITHOUT_LOOP_DEVICES();
  TempDir tmp;
  test::LoopDevice loop(tmp.path + "/ext4.img", 16 << 20);
  const std::string label = test::unique_label("kdb");
  loop.make_ext4(label);
  DestinationOptions options;
  options.mount_base = tmp.path + "/run";
  auto dest = open_destination(ext4_target("LABEL=" + label), options);
  const std::string mount_point = *dest->local_path("/");
  // Something (a collector that is another program, a shell) still has a file open there.
  const int busy = ::open((mount_point + "/open-file").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(busy >= 0);
  dest.reset();
  CHECK_FALSE(test::is_mount_point(mount_point));
  CHECK_FALSE(fs::exists(mount_point));
  ::close(busy);
}

TEST_CASE("fs destination: a device that is not here is ENOENT naming the target") {
  TempDir tmp;
  DestinationOptions options;
  options.mount_base = tmp.path + "/run";
  int code = 0;
  CHECK(error_of(ext4_target("UUID=0badc0de-0000-4000-8000-000000000000"), options, code) ==
        "fs UUID=0badc0de-0000-4000-8000-000000000000: no such device (blkid found no file system with that UUID): "
        "No such file or directory");
  CHECK(code == ENOENT);
  CHECK(error_of(ext4_target("LABEL=kdump-no-such"), options, code) ==
        "fs LABEL=kdump-no-such: no such device (blkid found no file system with that LABEL): No such file or directory");
  CHECK(code == ENOENT);
  CHECK(error_of(ext4_target("/dev/kdump-no-such"), options, code) ==
        "fs /dev/kdump-no-such: no such device (/dev/kdump-no-such does not exist): No such file or directory");
  CHECK(code == ENOENT);
  CHECK_FALSE(fs::exists(options.mount_base));
}

TEST_CASE("fs destination: a device of another file system type is refused, nothing stays mounted") {
  KDUMP_SKIP_WITHOUT_LOOP_DEVICES();
  TempDir tmp;
  test::LoopDevice loop(tmp.path + "/ext4.img", 16 << 20);
  const std::string label = test::unique_label("kdx");
  loop.make_ext4(label);
  DestinationOptions options;
  options.mount_base = tmp.path + "/run";
  auto target = ext4_target("LABEL=" + label);
  target.fstype = "xfs";
  int code = 0;
  const std::string message = error_of(target, options, code);
  CHECK(message.starts_with("fs LABEL=" + label + ": cannot mount " + loop.node() + " as xfs on " +
                            options.mount_base + "/mnt-"));
  CHECK(code != 0);
  CHECK(fs::is_empty(options.mount_base));

  target.fstype = "kdumpnosuchfs";
  CHECK(error_of(target, options, code).find("(the kernel knows no file system type kdumpnosuchfs)") !=
        std::string::npos);
  CHECK(code == ENODEV);
  CHECK(fs::is_empty(options.mount_base));
}

TEST_CASE("fs destination: a symbolic link at mount_base is refused") {
  KDUMP_SKIP_WITHOUT_LOOP_DEVICES();
  TempDir tmp;
  test::LoopDevice loop(tmp.path + "/ext4.img", 16 << 20);
  const std::string label = test::unique_label("kdl");
  loop.make_ext4(label);
  fs::create_directory(tmp.path + "/elsewhere");
  fs::create_symlink(tmp.path + "/elsewhere", tmp.path + "/run");
  DestinationOptions options;
  options.mount_base = tmp.path + "/run";
  int code = 0;
  CHECK(error_of(ext4_target("LABEL=" + label), options, code) ==
        "fs LABEL=" + label + ": " + options.mount_base +
            " is not a directory (a symbolic link there is refused): Not a directory");
  CHECK(code == ENOTDIR);
  CHECK(fs::is_empty(tmp.path + "/elsewhere"));
}

}  // namespace
}  // namespace kdump::capture
