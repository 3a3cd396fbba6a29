// LocalDestination never follows a symbolic link planted in the dump path:
// at the dump directory's place, at a parent of it, at vmcore-incomplete or at
// the final name. The link's target must stay untouched in every case.
#include "capture/local_destination.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace kdump::capture {
namespace {

namespace fs = std::filesystem;

struct Planted {
  Planted() {
    char name[] = "/tmp/kdump-symlink-test-XXXXXX";
    REQUIRE(::mkdtemp(name));
    root = name;
    top = root + "/top";
    elsewhere = root + "/elsewhere";
    fs::create_directories(top + "/var/crash");
    fs::create_directory(elsewhere);
  }
  ~Planted() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string root, top, elsewhere;
};

int error_of(auto&& call, std::string& message) {
  try {
    call();
  } catch (const std::system_error& e) {
    message = e.what();
    return e.code().value();
  }
  message = "(no error)";
  return 0;
}

const std::string kDir = "/var/crash/127.0.0.1-2026-11-22-03:00:00";

TEST_CASE("local destination: a symbolic link at the dump directory's place is not followed") {
  Planted p;
  fs::create_directory_symlink(p.elsewhere, p.top + kDir);
  LocalDestination dest(p.top, "fs /dev/vdb1");
  std::string message;
  CHECK(error_of([&] { dest.create_directory(kDir, false); }, message) == EEXIST);
  CHECK(message.find("exists already") != std::string::npos);
  // A retry accepts an existing directory, but not a link to one (O_DIRECTORY
  // with O_NOFOLLOW: the kernel says ENOTDIR for a link).
  CHECK(error_of([&] { dest.create_directory(kDir, true); }, message) == ENOTDIR);
  CHECK(message == "fs /dev/vdb1: " + p.top + kDir +
                       " is not a directory (a symbolic link there is refused, not followed): Not a directory");
  CHECK(fs::is_empty(p.elsewhere));
}

TEST_CASE("local destination: a symbolic link at a parent of the dump directory is not followed") {
  Planted p;
  fs::remove_all(p.top + "/var");
  fs::create_directory_symlink(p.elsewhere, p.top + "/var");
  LocalDestination dest(p.top, "fs /dev/vdb1");
  std::string message;
  CHECK(error_of([&] { dest.create_directory(kDir, false); }, message) == ENOTDIR);
  CHECK(message.starts_with("fs /dev/vdb1: " + p.top + "/var is not a directory"));
  CHECK(fs::is_empty(p.elsewhere));
}

TEST_CASE("local destination: a symbolic link at vmcore-incomplete or at vmcore is not followed") {
  Planted p;
  LocalDestination dest(p.top, "fs /dev/vdb1");
  dest.create_directory(kDir, false);
  const std::string dir = p.top + kDir;
  const std::string victim = p.elsewhere + "/victim";
  for (const std::string name : {"vmcore-incomplete", "vmcore"}) {
    CAPTURE(name);
    fs::create_symlink(victim, dir + "/" + name);
    std::string message;
    CHECK(error_of([&] { dest.create_file(kDir, "vmcore"); }, message) == EEXIST);
    CHECK(message.find(dir + "/vmcore") != std::string::npos);
    if (name == "vmcore-incomplete") {
      CHECK(error_of([&] { dest.create_stream(kDir, "vmcore-incomplete", "vmcore.flat"); }, message) == EEXIST);
    }
    CHECK_FALSE(fs::exists(victim));
    // The flow removes a partial file before a retry: the link goes, its target is not touched.
    dest.remove_partial(kDir, name);
    CHECK_FALSE(fs::exists(fs::symlink_status(dir + "/" + name)));
  }
  CHECK(fs::is_empty(p.elsewhere));
}

}  // namespace
}  // namespace kdump::capture
