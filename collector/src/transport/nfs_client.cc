#include "transport/nfs_client.h"

// A thin RAII layer over libnfs 4.0's synchronous API, NFSv3 only (its NFSv4
// client cannot write more than about 4 KB). Behaviour checked against
// nfs-ganesha 4.3 on loopback:
// - nfs_create(O_WRONLY|O_CREAT|O_EXCL, 0600) sends an exclusive CREATE; an
//   existing name fails with NFS3ERR_EXIST, a symlink (dangling or not)
//   included, so a planted link never redirects the write (without O_EXCL,
//   ganesha follows a dangling link and creates its target, even outside
//   the export). The mode arrives
//   as 0600 and nfs_mkdir2(0700) as 0700: no umask applies over NFS.
// - nfs_pwrite() splits a large buffer into WRITEs of the negotiated size
//   (1 MiB with ganesha) itself; we hand it up to kMaxWriteCall at a time.
// - nfs_rename() is an NFSv3 RENAME, which replaces an existing target. There
//   is no no-replace flag in NFSv3, so rename_no_replace() looks first; a
//   file created at the target between the look and the RENAME would be
//   replaced. Dumps go to a fresh per-crash directory, so nothing else is
//   expected to create files there.
// - A WRITE the server refuses comes back from libnfs 4.0 as a bare EFAULT;
//   see NfsFile::refused_write.
// - Retries are bounded: autoreconnect is set from NfsTarget (libnfs would
//   otherwise decide), and every RPC has a timeout.
// Ports: libnfs 4.0 has no setter for them, only the URL options nfsport and
// mountport, so when ports are given the context is configured through a
// parsed URL; mount itself gets the server and export unchanged.

#include <fcntl.h>
#include <nfsc/libnfs.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "transport/nfs_error.h"
#include "transport/nfs_exports.h"
#include "transport/socket_address.h"

namespace kdump {
namespace {

constexpr std::uint64_t kMaxWriteCall = 8u << 20;
constexpr int kNfsVersion3 = 3;  // libnfs-raw-nfs.h's NFS_V3

// Mount replies: ganesha answers MNT3ERR_ACCES both for a path it does not
// export and for a client it refuses, so on EACCES the export list decides.
// (ganesha leaves out of its list what a client may not mount.)
struct MountCause {
  int error;
  const char* cause;
};
constexpr MountCause kMountCauses[] = {
    {EACCES, "export not found or not exported to this client"},
    {ENOENT, "export not found"},
};

std::string libnfs_text(nfs_context* context) {
  const char* text = context ? nfs_get_error(context) : nullptr;
  return text ? text : "";
}

// libnfs's sync calls cancel what is outstanding when the timeout expires
// and say EINTR or EIO; only the text tells a timeout (which the capture flow
// retries as ETIMEDOUT) from a lost connection.
bool timed_out(const std::string& detail) {
  return detail.find("timed out") != std::string::npos || detail.find("cancelled") != std::string::npos;
}

[[noreturn]] void invalid_target(const NfsTarget& target, const std::string& why) {
  throw NfsError(EINVAL, target.display(), "cannot mount", "invalid target", why);
}

void validate(const NfsTarget& target) {
  if (target.server.empty()) invalid_target(target, "no server given");
  if (target.server.find_first_of("/?&#[] \t\n") != std::string::npos)
    invalid_target(target, "server '" + target.server + "' is not a host name or IPv4 address");
  if (target.export_path.empty() || target.export_path[0] != '/')
    invalid_target(target, "export '" + target.export_path + "' is not an absolute path");
  if (target.timeout_ms <= 0) invalid_target(target, "timeout must be positive");
  if (target.reconnect_retries < 0) invalid_target(target, "reconnect retries must not be negative");
}

std::string mount_cause(const NfsTarget& target, int error) {
  if (error == EACCES) {
    if (auto exports = nfs_list_exports(target)) {
      bool listed = std::find(exports->begin(), exports->end(), target.export_path) != exports->end();
      return listed ? "permission denied (not exported to this client)"
                    : "export not found (not in the server's export list for this client)";
    }
  }
  for (const auto& entry : kMountCauses) {
    if (entry.error == error) return entry.cause;
  }
  return nfs_cause(error);
}

}  // namespace

bool NfsStat::is_directory() const { return S_ISDIR(mode); }
bool NfsStat::is_symlink() const { return S_ISLNK(mode); }

NfsClient::NfsClient(NfsTarget target) : target_(std::move(target)) {
  validate(target_);
  context_ = nfs_init_context();
  if (!context_) throw NfsError(ENOMEM, target_.display(), "cannot mount", nfs_cause(ENOMEM), "nfs_init_context failed");
  if (target_.nfs_port != 0 || target_.mount_port != 0) {
    std::string url = "nfs://" + target_.server + "/?";
    if (target_.nfs_port != 0) url += "nfsport=" + std::to_string(target_.nfs_port) + "&";
    if (target_.mount_port != 0) url += "mountport=" + std::to_string(target_.mount_port) + "&";
    url.pop_back();
    nfs_url* parsed = nfs_parse_url_dir(context_, url.c_str());
    if (!parsed) {
      std::string detail = libnfs_text(context_);
      nfs_destroy_context(context_);
      invalid_target(target_, detail);
    }
    nfs_destroy_url(parsed);
  }
  nfs_set_version(context_, kNfsVersion3);
  nfs_set_timeout(context_, target_.timeout_ms);
  nfs_set_autoreconnect(context_, target_.reconnect_retries);
  int rc = nfs_mount(context_, target_.server.c_str(), target_.export_path.c_str());
  if (rc != 0) {
    std::string detail = libnfs_text(context_);
    nfs_destroy_context(context_);
    if (timed_out(detail)) throw NfsError(ETIMEDOUT, target_.display(), "cannot mount", "server not responding", detail);
    int error = rc < 0 ? -rc : EIO;
    throw NfsError(error, target_.display(), "cannot mount", mount_cause(target_, error), detail);
  }
}

NfsClient::~NfsClient() {
  if (context_) nfs_destroy_context(context_);
}

void NfsClient::fail(int rc, const std::string& action) const {
  int error = rc < 0 ? -rc : EIO;
  std::string detail = libnfs_text(context_);
  // EIO is also what a lost connection gives; a server's own I/O error says so.
  std::string cause = nfs_cause(error);
  if (detail.find("NFS3ERR_IO") != std::string::npos) cause = "I/O error on the server";
  if (timed_out(detail)) {
    cause = "server not responding";
    error = ETIMEDOUT;
  }
  throw NfsError(error, target_.display(), action, cause, detail);
}

std::optional<NfsStat> NfsClient::lstat(const std::string& path) {
  nfs_stat_64 st{};
  int rc = nfs_lstat64(context_, path.c_str(), &st);
  if (rc == -ENOENT) return std::nullopt;
  if (rc != 0) fail(rc, "cannot stat " + path);
  return NfsStat{static_cast<std::uint32_t>(st.nfs_mode), st.nfs_size};
}

bool NfsClient::make_directory(const std::string& path) {
  int rc = nfs_mkdir2(context_, path.c_str(), 0700);
  if (rc == 0) return true;
  if (rc != -EEXIST) fail(rc, "cannot create directory " + path);
  auto st = lstat(path);
  if (st && st->is_directory()) return false;
  fail(-EEXIST, "cannot create directory " + path);
}

NfsFile NfsClient::create_new(const std::string& path) {
  nfsfh* handle = nullptr;
  int rc = nfs_create(context_, path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600, &handle);
  if (rc != 0) fail(rc, "cannot create " + path);
  return NfsFile(*this, handle, path);
}

void NfsClient::rename_no_replace(const std::string& from, const std::string& to) {
  const std::string action = "cannot rename " + from + " to " + to;
  if (lstat(to)) throw NfsError(EEXIST, target_.display(), action, nfs_cause(EEXIST), "");
  int rc = nfs_rename(context_, from.c_str(), to.c_str());
  if (rc != 0) fail(rc, action);
}

void NfsClient::remove(const std::string& path) {
  int rc = nfs_unlink(context_, path.c_str());
  if (rc != 0) fail(rc, "cannot remove " + path);
}

std::uint64_t NfsClient::available_bytes(const std::string& path) {
  nfs_statvfs_64 st{};
  int rc = nfs_statvfs64(context_, path.c_str(), &st);
  if (rc != 0) fail(rc, "cannot get free space of " + path);
  std::uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  return st.f_bavail * unit;
}

std::uint64_t NfsClient::write_max() const { return nfs_get_writemax(context_); }

// The NFS connection's socket (libnfs may reconnect, so asked each time).
std::optional<std::string> NfsClient::local_address() const { return socket_local_address(nfs_get_fd(context_)); }

NfsFile::NfsFile(NfsClient& client, nfsfh* handle, std::string path)
    : client_(&client), handle_(handle), path_(std::move(path)) {}

NfsFile::NfsFile(NfsFile&& other) noexcept
    : client_(other.client_), handle_(std::exchange(other.handle_, nullptr)), path_(std::move(other.path_)) {}

NfsFile::~NfsFile() {
  if (handle_) nfs_close(client_->context_, handle_);
}

void NfsFile::pwrite_all(std::uint64_t offset, std::span<const std::byte> bytes) {
  if (!handle_) client_->fail(-EBADF, "cannot write to " + path_ + " (closed)");
  while (!bytes.empty()) {
    std::uint64_t count = std::min<std::uint64_t>(bytes.size(), kMaxWriteCall);
    int rc = nfs_pwrite(client_->context_, handle_, offset, count, bytes.data());
    if (rc == -EFAULT) refused_write(count);
    if (rc < 0) client_->fail(rc, "cannot write to " + path_);
    if (rc == 0) client_->fail(-ENOSPC, "cannot write to " + path_);
    bytes = bytes.subspan(static_cast<std::size_t>(rc));
    offset += static_cast<std::uint64_t>(rc);
  }
}

// libnfs 4.0 reports a WRITE the server answered with an error (NFS3ERR_NOSPC,
// NFS3ERR_DQUOT, ...) as -EFAULT with an empty text: the status is lost in its
// multi-call write path. Free space (FSSTAT) tells the common case apart.
void NfsFile::refused_write(std::uint64_t count) {
  const std::string action = "cannot write to " + path_;
  const std::string display = client_->target_.display();
  nfs_statvfs_64 st{};
  if (nfs_statvfs64(client_->context_, path_.c_str(), &st) != 0) {
    throw NfsError(EIO, display, action, "the server refused the write", "libnfs: EFAULT; free space unknown");
  }
  std::uint64_t available = st.f_bavail * (st.f_frsize != 0 ? st.f_frsize : st.f_bsize);
  std::string detail = "libnfs: EFAULT; " + std::to_string(available) + " bytes free for " + std::to_string(count);
  if (available < count) throw NfsError(ENOSPC, display, action, nfs_cause(ENOSPC), detail);
  throw NfsError(EIO, display, action, "the server refused the write", detail);
}

void NfsFile::fsync() {
  if (!handle_) client_->fail(-EBADF, "cannot fsync " + path_ + " (closed)");
  int rc = nfs_fsync(client_->context_, handle_);
  if (rc != 0) client_->fail(rc, "cannot fsync " + path_);
}

void NfsFile::close() {
  if (!handle_) return;
  nfsfh* handle = std::exchange(handle_, nullptr);
  int rc = nfs_close(client_->context_, handle);
  if (rc != 0) client_->fail(rc, "cannot close " + path_);
}

}  // namespace kdump
