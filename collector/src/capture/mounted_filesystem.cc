#include "capture/mounted_filesystem.h"

// The mount is made nosuid,nodev,noexec: the capture only writes files there.
// Each FilesystemMount has its own directory from mkdtemp(), so a retry that
// opens the destination again (or a second collector) never unmounts another
// one's file system. Unmounting cannot fail the capture: a file system still
// busy is detached lazily instead, so nothing stays visible after a rehearsal.

#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "capture/device_node.h"
#include "capture/local_destination.h"

namespace kdump::capture {
namespace {

[[noreturn]] void fail(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// mount_base itself: created 0700 if missing; an existing one must be a real directory.
void prepare_base(const std::string& base, const std::string& label) {
  if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) fail(errno, label + ": cannot create " + base);
  struct stat st {};
  if (::lstat(base.c_str(), &st) != 0) fail(errno, label + ": cannot look at " + base);
  if (!S_ISDIR(st.st_mode)) fail(ENOTDIR, label + ": " + base + " is not a directory (a symbolic link there is refused)");
}

// Why mount(2) said no, in words a user can act on.
std::string mount_hint(int error, const std::string& fstype) {
  switch (error) {
    case ENODEV: return " (the kernel knows no file system type " + fstype + ")";
    case EINVAL: return " (not a " + fstype + " file system, or a damaged one)";
    case EROFS:
    case EACCES: return " (the device is read-only)";
    default: return "";
  }
}

// Forwards to a LocalDestination and keeps the mount until it is gone
// (members are destroyed in reverse order: the destination first).
class MountedDestination final : public LocalDestination {
 public:
  MountedDestination(std::unique_ptr<FilesystemMount> mount, const std::string& label)
      : LocalDestination(mount->mount_point(), label), mount_(std::move(mount)) {}

 private:
  std::unique_ptr<FilesystemMount> mount_;  // unmounted when the destination goes
};

}  // namespace

FilesystemMount::FilesystemMount(const cfg::ResolvedTarget& target, const std::string& mount_base,
                                 const std::string& label) {
  if (target.fstype.empty()) fail(EINVAL, label + ": no file system type to mount it with");
  // A virtiofs target names a tag, not a device node.
  source_ = target.fstype == "virtiofs" ? target.device : find_device_node(target.device, label);
  prepare_base(mount_base, label);
  std::vector<char> dir(mount_base.begin(), mount_base.end());
  for (char c : std::string("/mnt-XXXXXX")) dir.push_back(c);
  dir.push_back('\0');
  if (!::mkdtemp(dir.data())) fail(errno, label + ": cannot create a mount point under " + mount_base);
  const std::string where(dir.data());
  if (::mount(source_.c_str(), where.c_str(), target.fstype.c_str(), MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    const int error = errno;
    ::rmdir(where.c_str());
    fail(error, label + ": cannot mount " + source_ + " as " + target.fstype + " on " + where +
                    mount_hint(error, target.fstype));
  }
  mount_point_ = where;
}

FilesystemMount::~FilesystemMount() {
  if (::umount2(mount_point_.c_str(), UMOUNT_NOFOLLOW) != 0 && errno == EBUSY)
    ::umount2(mount_point_.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
  ::rmdir(mount_point_.c_str());
}

std::unique_ptr<Destination> mount_filesystem(const cfg::ResolvedTarget& target, const std::string& mount_base,
                                              const std::string& label) {
  return std::make_unique<MountedDestination>(std::make_unique<FilesystemMount>(target, mount_base, label), label);
}

}  // namespace kdump::capture
