#include "support/block_devices.h"

// The tools (losetup, mkfs.ext4, blkid) are run as programs: a test should
// build its file systems the way an administrator does. Paths come from
// mkdtemp and are quoted anyway.

#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "kdumpcfg/posix_system.h"
#include "kdumpcfg/dump_plan.h"

namespace kdump::test {
namespace {

// Runs a shell command; returns its standard output, throws if it fails.
std::string run(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  std::array<char, 4096> buffer;
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error(command + " failed: " + out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string quoted(const std::string& s) { return cfg::shell_quote(s); }

}  // namespace

std::string why_no_mounts() {
  if (::geteuid() != 0) return "mounting needs root (running as uid " + std::to_string(::geteuid()) + ")";
  char dir[] = "/tmp/kdump-mount-probe-XXXXXX";
  if (!::mkdtemp(dir)) return std::string("cannot create a directory in /tmp: ") + std::strerror(errno);
  std::string why;
  if (::mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) why = std::string("mount(2) is forbidden here: ") + std::strerror(errno);
  else ::umount2(dir, 0);
  ::rmdir(dir);
  return why;
}

std::string why_no_loop_devices() {
  if (auto why = why_no_mounts(); !why.empty()) return why;
  try {
    run("losetup -f");
  } catch (const std::exception& e) {
    return std::string("no free loop device: ") + e.what();
  }
  return "";
}

LoopDevice::LoopDevice(std::string image, std::uint64_t bytes, unsigned char fill) : image_(std::move(image)) {
  {
    std::ofstream out(image_, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot create " + image_);
    const std::string block(1 << 16, static_cast<char>(fill));
    for (std::uint64_t left = fill ? bytes : 0; left > 0; left -= std::min<std::uint64_t>(left, block.size()))
      out.write(block.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(left, block.size())));
    if (!out) throw std::runtime_error("cannot write " + image_);
  }
  if (::truncate(image_.c_str(), static_cast<off_t>(bytes)) != 0)
    throw std::runtime_error("cannot size " + image_ + ": " + std::strerror(errno));
  node_ = run("losetup -f --show " + quoted(image_));
}

LoopDevice::~LoopDevice() {
  try {
    run("losetup -d " + quoted(node_));
  } catch (...) {
  }
}

std::string LoopDevice::make_ext4(const std::string& label) {
  run("mkfs.ext4 -q -F -L " + quoted(label) + " " + quoted(node_));
  return run("blkid -p -s UUID -o value " + quoted(node_));
}

TmpfsMount::TmpfsMount(std::string dir, std::uint64_t bytes) : dir_(std::move(dir)) {
  ::mkdir(dir_.c_str(), 0700);
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
  if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
    throw std::runtime_error("cannot mount tmpfs on " + dir_ + ": " + std::strerror(errno));
}

TmpfsMount::~TmpfsMount() {
  if (::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
}

bool is_mount_point(const std::string& path) {
  for (const auto& m : cfg::PosixSystem().mounts())
    if (m.mount_point == path) return true;
  return false;
}

std::string unique_label(const std::string& prefix) {
  return (prefix + std::to_string(::getpid())).substr(0, 16);
}

}  // namespace kdump::test
