#pragma once
// The operating system as resolution sees it. One POSIX implementation
// (posix_system.h); tests use an in-memory fake that records what it was asked.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdump::cfg {

/// One line of /proc/self/mountinfo, with its octal escapes (\040 ...) decoded.
struct MountEntry {
  int mount_id = 0;
  int parent_id = 0;
  std::string major_minor;  // "8:1"
  std::string root;         // the path inside the filesystem that is mounted here
  std::string mount_point;
  std::string mount_options;
  std::string fstype;
  std::string source;  // "/dev/sda1", "server:/export", "tmpfs", ...
  std::string super_options;

  bool operator==(const MountEntry&) const = default;
};

/// The operating system behind one seam.
class System {
 public:
  virtual ~System() = default;
  /// The current mount table.
  virtual std::vector<MountEntry> mounts() = 0;
  /// The device node whose filesystem has this UUID (through libblkid), if any.
  virtual std::optional<std::string> device_by_uuid(const std::string& uuid) = 0;
  /// The device node whose filesystem has this LABEL (through libblkid), if any.
  virtual std::optional<std::string> device_by_label(const std::string& label) = 0;
  /// True if a path exists (follows symlinks).
  virtual bool path_exists(const std::string& path) = 0;
  /// The resolved real path, if it exists.
  virtual std::optional<std::string> real_path(const std::string& path) = 0;
  /// A block device node's "MAJOR:MINOR" (as in mountinfo), if the path is one.
  virtual std::optional<std::string> device_number(const std::string& path) = 0;
};

}  // namespace kdump::cfg
