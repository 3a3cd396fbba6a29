// RawDestination on a regular file and on a real loop device: the stream is
// written from byte 0 and what follows it on the device stays; missing
// devices, symbolic links and devices of the wrong kind are refused with the
// target named.
#include "capture/raw_destination.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "capture/open_destination.h"
#include "support/block_devices.h"

namespace kdump::capture {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    char name[] = "/tmp/kdump-raw-test-XXXXXX";
    REQUIRE(::mkdtemp(name));
    path = name;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

std::string slurp(const std::string& path, std::size_t max = std::string::npos) {
  std::ifstream in(path, std::ios::binary);
  std::string s{std::istreambuf_iterator<char>(in), {}};
  return s.substr(0, max);
}

void write_text(StreamFile& out, const std::string& text) {
  out.write(std::as_bytes(std::span(text.data(), text.size())));
}

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

TEST_CASE("raw destination: a regular file is written from its first byte and keeps what follows") {
  TempDir tmp;
  const std::string device = tmp.path + "/disk.img";
  std::ofstream(device, std::ios::binary) << std::string(1 << 20, 'x');
  cfg::ResolvedTarget target;
  target.kind = cfg::ResolvedKind::kRaw;
  target.device = device;
  auto dest = open_destination(target, DestinationOptions{});
  CHECK(dest->describe() == "raw " + device);
  CHECK_FALSE(dest->holds_files());
  CHECK(dest->create_file("/", "vmcore") == nullptr);
  dest->create_directory("/var/crash/x", false);  // nothing to make on a device
  CHECK_FALSE(fs::exists(tmp.path + "/var"));
  REQUIRE(dest->available_bytes("/").has_value());
  CHECK(*dest->available_bytes("/") >= (1u << 20));

  auto stream = dest->create_stream("/", "vmcore-incomplete", "vmcore.flat");
  write_text(*stream, "makedumpfile");
  stream->commit();
  stream.reset();
  const std::string after = slurp(device);
  CHECK(after.size() == (1u << 20));
  CHECK(after.substr(0, 14) == "makedumpfilexx");
  CHECK(after.find_first_not_of('x', 12) == std::string::npos);
  CHECK_FALSE(fs::exists(tmp.path + "/vmcore.flat"));
}

TEST_CASE("raw destination: a missing device is ENOENT naming it, never created") {
  TempDir tmp;
  std::string message;
  const std::string missing = tmp.path + "/no-such-disk";
  CHECK(error_of([&] { RawDestination(missing, "raw " + missing); }, message) == ENOENT);
  CHECK(message == "raw " + missing + ": no such device (" + missing + " does not exist): No such file or directory");
  CHECK_FALSE(fs::exists(missing));

  CHECK(error_of([&] { RawDestination("UUID=0badc0de-0000-4000-8000-000000000000", "raw UUID=0badc0de-0000-4000-8000-000000000000"); },
                 message) == ENOENT);
  CHECK(message ==
        "raw UUID=0badc0de-0000-4000-8000-000000000000: no such device (blkid found no file system with that UUID): "
        "No such file or directory");
  CHECK(error_of([&] { RawDestination("LABEL=kdump-no-such", "raw LABEL=kdump-no-such"); }, message) == ENOENT);
  CHECK(message.starts_with("raw LABEL=kdump-no-such: no such device (blkid found no file system with that LABEL)"));
}

TEST_CASE("raw destination: a symbolic link, a directory, a character device and a FIFO are refused") {
  TempDir tmp;
  const std::string victim = tmp.path + "/victim";
  std::ofstream(victim) << "keep me";
  const std::string link = tmp.path + "/link";
  REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
  std::string message;
  CHECK(error_of([&] { RawDestination(link, "raw " + link); }, message) == ELOOP);
  CHECK(message.find(link + " is a symbolic link (refused, not followed)") != std::string::npos);
  CHECK(slurp(victim) == "keep me");

  CHECK(error_of([&] { RawDestination(tmp.path, "raw " + tmp.path); }, message) == EISDIR);
  CHECK(message.starts_with("raw " + tmp.path + ": cannot open " + tmp.path + " for writing"));

  CHECK(error_of([&] { RawDestination("/dev/null", "raw /dev/null"); }, message) == ENOTBLK);
  CHECK(message.starts_with("raw /dev/null: /dev/null is neither a block device nor a regular file"));

  // A FIFO without a reader must not hang the capture.
  const std::string fifo = tmp.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(error_of([&] { RawDestination(fifo, "raw " + fifo); }, message) != 0);
  CHECK(message.starts_with("raw " + fifo + ":"));
}

TEST_CASE("raw destination: a loop device, its size as the space, ENOSPC past its end") {
  if (auto why = test::why_no_loop_devices(); !why.empty()) {
    MESSAGE("skipped: " << why);
    return;
  }
  TempDir tmp;
  test::LoopDevice loop(tmp.path + "/disk.img", 1 << 20);
  RawDestination dest(loop.node(), "raw " + loop.node());
  REQUIRE(dest.available_bytes("/").has_value());
  CHECK(*dest.available_bytes("/") == (1u << 20));
  {
    auto stream = dest.create_stream("/", "vmcore-incomplete", "vmcore.flat");
    write_text(*stream, "first");
    stream->commit();
  }
  CHECK(slurp(loop.node(), 6) == std::string("first\0", 6));

  auto stream = dest.create_stream("/", "vmcore-incomplete", "vmcore.flat");
  const std::string too_much((1 << 20) + 4096, 'y');
  std::string message;
  CHECK(error_of([&] {
          write_text(*stream, too_much);
          stream->commit();
        },
                 message) == ENOSPC);
  CHECK(message.find(loop.node()) != std::string::npos);
}

TEST_CASE("raw destination: a block device in use (a mounted file system) is refused") {
  if (auto why = test::why_no_loop_devices(); !why.empty()) {
    MESSAGE("skipped: " << why);
    return;
  }
  TempDir tmp;
  test::LoopDevice loop(tmp.path + "/ext4.img", 16 << 20);
  loop.make_ext4(test::unique_label("kdr"));
  const std::string mnt = tmp.path + "/mnt";
  REQUIRE(::mkdir(mnt.c_str(), 0700) == 0);
  REQUIRE(::mount(loop.node().c_str(), mnt.c_str(), "ext4", 0, nullptr) == 0);
  std::string message;
  const int code = error_of([&] { RawDestination(loop.node(), "raw " + loop.node()); }, message);
  ::umount2(mnt.c_str(), 0);
  CHECK(code == EBUSY);
  CHECK(message == "raw " + loop.node() + ": " + loop.node() +
                       " is in use (mounted?); a raw dump is not written over it: Device or resource busy");
  // Unmounted, it is free again.
  RawDestination free_again(loop.node(), "raw " + loop.node());
  CHECK(free_again.available_bytes("").value_or(0) == (16u << 20));
}

}  // namespace
}  // namespace kdump::capture
