#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "kdumpcfg/posix_system.h"
#include "kdumpcfg/target.h"

using namespace kdump::cfg;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kdump-posix-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// The first line a shell command prints, without its newline ("" on failure).
std::string first_line(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "";
  char buffer[4096] = {};
  std::string line = std::fgets(buffer, sizeof buffer, pipe) ? buffer : "";
  ::pclose(pipe);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

}  // namespace

TEST_CASE("PosixSystem reads this machine's /proc/self/mountinfo") {
  PosixSystem system;
  const auto mounts = system.mounts();
  CHECK(system.mount_diagnostics().empty());
  REQUIRE_FALSE(mounts.empty());

  // The mount that holds / and /proc is what the kernel says they are on.
  auto root = mount_containing(mounts, "/");
  REQUIRE(root.has_value());
  CHECK(root->mount_point == "/");
  auto proc = mount_containing(mounts, "/proc/self");
  REQUIRE(proc.has_value());
  CHECK(proc->mount_point == "/proc");
  CHECK(proc->fstype == "proc");

  // The device numbers agree with stat(2): st_dev of a directory is the
  // major:minor of the mount that holds it (not for btrfs, whose anonymous
  // device numbers are per subvolume; this checks the root mount's type first).
  struct stat st {};
  REQUIRE(::stat("/", &st) == 0);
  if (root->fstype != "btrfs") {
    CHECK(root->major_minor == std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev)));
  }

  // The same answers as util-linux's findmnt, which reads the same file.
  const std::string findmnt = first_line("findmnt -n -o TARGET,FSTYPE --target /proc/self 2>/dev/null");
  if (!findmnt.empty()) CHECK(findmnt.substr(0, 5) == "/proc");
}

TEST_CASE("PosixSystem paths, real paths and device numbers") {
  TempDir tmp;
  fs::create_directories(tmp.path / "real dir");
  fs::create_directory_symlink(tmp.path / "real dir", tmp.path / "link");
  PosixSystem system;
  CHECK(system.path_exists((tmp.path / "link").string()));
  CHECK_FALSE(system.path_exists((tmp.path / "missing").string()));
  const std::string real = fs::canonical(tmp.path / "real dir").string();
  CHECK(system.real_path((tmp.path / "link" / ".." / "link").string()) == real);
  CHECK(system.real_path((tmp.path / "missing").string()) == std::nullopt);
  CHECK(system.device_number((tmp.path / "real dir").string()) == std::nullopt);  // not a block device
  CHECK(system.device_number("/dev/null") == std::nullopt);                       // a character device
  CHECK(system.device_by_uuid("00000000-0000-0000-0000-000000000000") == std::nullopt);
  CHECK(system.device_by_label("no such label, surely") == std::nullopt);
  CHECK(system.device_by_uuid("") == std::nullopt);
}

TEST_CASE("PosixSystem reads another mountinfo file and reports its bad lines") {
  TempDir tmp;
  const fs::path file = tmp.path / "mountinfo";
  std::ofstream(file) << "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
                         "garbage\n"
                         "2 1 8:2 / /srv/a\\040b rw - ext4 /dev/sda2 rw\n";
  PosixSystem system(file.string());
  const auto mounts = system.mounts();
  REQUIRE(mounts.size() == 2);
  CHECK(mounts[1].mount_point == "/srv/a b");
  REQUIRE(system.mount_diagnostics().size() == 1);
  CHECK(format_short(system.mount_diagnostics()[0]) ==
        file.string() + ":2: missing the ' - ' separator before the filesystem type");
}

TEST_CASE("PosixSystem throws a system_error for a mount table it cannot read") {
  PosixSystem system("/nonexistent/mountinfo");
  CHECK_THROWS_AS(system.mounts(), std::system_error);
  try {
    system.mounts();
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == ENOENT);
    CHECK(std::string(e.what()).find("cannot open /nonexistent/mountinfo") != std::string::npos);
  }
}

// libblkid finds a filesystem by UUID and LABEL by probing, without udev's
// /dev/disk/by-* links. Needs root and loop devices; skipped without them.
TEST_CASE("PosixSystem finds a loop device's filesystem by UUID and LABEL") {
  if (::geteuid() != 0 || std::system("command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null") != 0) {
    MESSAGE("skipped: needs root, losetup and mkfs.ext4");
    return;
  }
  TempDir tmp;
  const std::string image = (tmp.path / "fs.img").string();
  const std::string label = "kdt" + std::to_string(::getpid() % 100000);
  char uuid_tail[16];
  std::snprintf(uuid_tail, sizeof uuid_tail, "%012d", static_cast<int>(::getpid()));
  const std::string uuid = std::string("6a1c7e4e-0d3b-4b8e-9f51-") + uuid_tail;
  REQUIRE(std::system(("truncate -s 8M " + image + " && mkfs.ext4 -q -F -L " + label + " -U " + uuid + " " + image +
                       " >/dev/null 2>&1")
                          .c_str()) == 0);
  const std::string loop = first_line("losetup -f --show " + image + " 2>/dev/null");
  if (loop.empty()) {
    MESSAGE("skipped: no loop device available");
    return;
  }
  struct Detach {
    std::string loop;
    ~Detach() { std::system(("losetup -d " + loop).c_str()); }
  } detach{loop};

  PosixSystem system;
  CHECK(system.device_by_uuid(uuid) == loop);
  CHECK(system.device_by_label(label) == loop);
  struct stat st {};
  REQUIRE(::stat(loop.c_str(), &st) == 0);
  CHECK(system.device_number(loop) == std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)));
}
