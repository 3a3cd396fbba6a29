#pragma once
// A file-system target that was not mounted: mounted by this process with
// mount(2) on a new private directory (0700) under DestinationOptions::mount_base,
// and unmounted (and the directory removed) when the destination is destroyed,
// so a rehearsal on the running system leaves no mount behind.

#include <memory>
#include <string>

#include "capture/destination.h"
#include "kdumpcfg/target.h"

namespace kdump::capture {

/// One mount made by this process, undone by the destructor.
class FilesystemMount {
 public:
  /// Finds the device of `target` (UUID=/LABEL= through libblkid) and mounts it
  /// nosuid,nodev,noexec; throws std::system_error naming the target (`label`).
  FilesystemMount(const cfg::ResolvedTarget& target, const std::string& mount_base, const std::string& label);
  ~FilesystemMount();
  FilesystemMount(const FilesystemMount&) = delete;
  FilesystemMount& operator=(const FilesystemMount&) = delete;

  /// Where the file system is mounted.
  const std::string& mount_point() const { return mount_point_; }
  /// The device node that was mounted ("/dev/loop3"), or the virtiofs tag.
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::string mount_point_;
};

/// A LocalDestination over a file system it mounted itself (see FilesystemMount).
std::unique_ptr<Destination> mount_filesystem(const cfg::ResolvedTarget& target, const std::string& mount_base,
                                              const std::string& label);

}  // namespace kdump::capture
