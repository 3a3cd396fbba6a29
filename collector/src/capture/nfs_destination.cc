#include "capture/nfs_destination.h"

// Two ways to an NFS target:
// - Not mounted on this machine (the capture kernel, where nothing mounted
//   it): libnfs, NFSv3 in user space. Every RPC is bounded by the
//   destination's timeout, so a server that dies or freezes mid-transfer is
//   an error the flow can retry, not a process stuck in the kernel.
// - Mounted here (a rehearsal in the running system, or an initramfs that
//   mounted it): that mount, as the issue asks of every mounted target. It is
//   what the administrator set up (NFSv4, Kerberos, ports and options libnfs's
//   NFSv3 client cannot match) and the files land in the same export either
//   way. The kernel's mount options then decide how long a lost server is
//   waited for (a hard mount waits), not timeout_seconds. The mount is used
//   only when statfs() shows an NFS file system at the mount point now and it
//   mounts the export's root; otherwise the resolved mount is stale (resolved
//   from another kernel's mountinfo) and libnfs is used.
// Symbolic links: NFSv3 has no O_NOFOLLOW, and libnfs follows links while
// resolving a path (inside the export: it resolves them itself). So
// create_directory() LOOKUPs every component with lstat before descending
// and refuses a link, and files are created with exclusive CREATE, which
// fails on any existing name, a link included.

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "capture/local_destination.h"
#include "capture/path_components.h"
#include "transport/nfs_error.h"
#include "transport/nfs_sink.h"
#include "transport/socket_address.h"

namespace kdump::capture {
namespace {

constexpr std::size_t kStreamBuffer = 1u << 20;  // ganesha's WRITE size; one RPC per buffer

std::string join(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

// A file written in order: the flattened dump, or a log when a stream is asked for.
class NfsStreamFile final : public StreamFile {
 public:
  NfsStreamFile(NfsClient& client, std::string temporary, std::string final_path)
      : client_(client), temporary_(std::move(temporary)), final_(std::move(final_path)), file_(create(client_)) {
    buffer_.reserve(kStreamBuffer);
  }

  void write(std::span<const std::byte> bytes) override {
    if (buffer_.size() + bytes.size() > kStreamBuffer) flush();
    if (bytes.size() >= kStreamBuffer) return put(bytes);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  }
  void flush() override {
    put(buffer_);
    buffer_.clear();
  }
  std::string name() const override { return client_.target().display() + final_; }
  void commit() override {
    flush();
    file_.fsync();
    file_.close();
    client_.rename_no_replace(temporary_, final_);
  }

 private:
  // The final name is refused up front, as NfsSink does: an earlier dump is never replaced.
  NfsFile create(NfsClient& client) {
    if (client.lstat(final_))
      throw NfsError(EEXIST, client.target().display(), "cannot create " + final_, nfs_cause(EEXIST), "");
    return client.create_new(temporary_);
  }
  void put(std::span<const std::byte> bytes) {
    file_.pwrite_all(offset_, bytes);
    offset_ += bytes.size();
  }

  NfsClient& client_;
  std::string temporary_;
  std::string final_;
  NfsFile file_;
  std::uint64_t offset_ = 0;
  std::vector<std::byte> buffer_;
};

// The kernel's mount of the export, named and addressed as the export.
class MountedNfsDestination final : public LocalDestination {
 public:
  MountedNfsDestination(const cfg::ResolvedTarget& target, std::string label)
      : LocalDestination(target.mount_point, std::move(label)), server_(target.server) {}

  std::optional<std::string> local_address() const override { return source_address_towards(server_); }

 private:
  std::string server_;
};

bool is_nfs_mount_of_export_root(const cfg::ResolvedTarget& target) {
  if (target.mount_point.empty() || (!target.mount_root.empty() && target.mount_root != "/")) return false;
  struct statfs st {};
  return ::statfs(target.mount_point.c_str(), &st) == 0 && st.f_type == NFS_SUPER_MAGIC;
}

}  // namespace

NfsDestination::NfsDestination(NfsTarget target) : client_(std::move(target)) {}

std::string NfsDestination::describe() const { return "nfs " + client_.target().display(); }

std::optional<std::string> NfsDestination::local_address() const { return client_.local_address(); }

void NfsDestination::create_directory(const std::string& dir, bool reuse) {
  const std::string display = client_.target().display();
  const auto parts = path_components(dir);
  std::string walked;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    walked += "/" + parts[i];
    const std::string action = "cannot create directory " + walked;
    std::optional<NfsStat> st = client_.lstat(walked);
    // make_directory() says false when the directory appeared meanwhile: it exists then.
    const bool created = !st && client_.make_directory(walked);
    if (!st && !created) st = client_.lstat(walked);
    if (st && st->is_symlink())
      throw NfsError(ELOOP, display, action, "it is a symbolic link (refused, not followed)", "");
    if (st && !st->is_directory()) throw NfsError(ENOTDIR, display, action, "it exists and is not a directory", "");
    if (st && last && !reuse)
      throw NfsError(EEXIST, display, action, "it exists already (an earlier dump is never written into)", "");
  }
}

std::optional<std::uint64_t> NfsDestination::available_bytes(const std::string& dir) {
  return client_.available_bytes(dir);
}

std::unique_ptr<ByteSink> NfsDestination::create_file(const std::string& dir, const std::string& name) {
  return std::make_unique<NfsSink>(client_, join(dir, name));
}

std::unique_ptr<StreamFile> NfsDestination::create_stream(const std::string& dir, const std::string& temporary,
                                                          const std::string& name) {
  return std::make_unique<NfsStreamFile>(client_, join(dir, temporary), join(dir, name));
}

void NfsDestination::remove_partial(const std::string& dir, const std::string& name) {
  try {
    client_.remove(join(dir, name));
  } catch (const NfsError& e) {
    if (e.code().value() != ENOENT) throw;
  }
}

NfsTarget nfs_target_of(const cfg::ResolvedTarget& target, const DestinationOptions& options) {
  NfsTarget nfs;
  nfs.server = target.server;
  nfs.export_path = target.export_path;
  nfs.nfs_port = options.nfs_port;
  nfs.mount_port = options.nfs_mount_port;
  nfs.timeout_ms = std::max(1, options.timeout_seconds) * 1000;
  return nfs;
}

std::unique_ptr<Destination> open_nfs_destination(const cfg::ResolvedTarget& target,
                                                   const DestinationOptions& options) {
  const NfsTarget nfs = nfs_target_of(target, options);
  if (is_nfs_mount_of_export_root(target))
    return std::make_unique<MountedNfsDestination>(target, "nfs " + nfs.display() + " (mounted at " +
                                                               target.mount_point + ")");
  return std::make_unique<NfsDestination>(nfs);
}

}  // namespace kdump::capture
