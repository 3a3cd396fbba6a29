#pragma once
// Real file systems for tests that mount (as root): an image file on a loop
// device, made ext4 with a chosen label, and a size-limited tmpfs. Each
// undoes itself in its destructor. Tests first ask why_no_mounts() /
// why_no_loop_devices() and skip with that message when it is not empty.

#include <cstdint>
#include <string>

namespace kdump::test {

/// Why this process cannot mount file systems (not root, mount(2) forbidden); empty if it can.
std::string why_no_mounts();
/// Why no loop device can be set up here (plus why_no_mounts()); empty if one can.
std::string why_no_loop_devices();

/// A file of `bytes` (or an ext4 file system) attached to a free loop device.
class LoopDevice {
 public:
  /// Creates `image` with `bytes` bytes of `fill` (0: a sparse file) and
  /// attaches it (losetup -f); throws std::runtime_error.
  LoopDevice(std::string image, std::uint64_t bytes, unsigned char fill = 0);
  ~LoopDevice();  ///< detaches (losetup -d)
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;

  /// mkfs.ext4 -L label on the device; returns the new file system's UUID.
  std::string make_ext4(const std::string& label);
  const std::string& node() const { return node_; }

 private:
  std::string image_;
  std::string node_;
};

/// tmpfs mounted on `dir` (created if missing) with size=`bytes`, unmounted by the destructor.
class TmpfsMount {
 public:
  TmpfsMount(std::string dir, std::uint64_t bytes);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

/// True if `path` is a mount point in /proc/self/mountinfo.
bool is_mount_point(const std::string& path);

/// A label for a test file system that no other test process uses at the same time (at most 16 characters).
std::string unique_label(const std::string& prefix);

}  // namespace kdump::test
