#include "transport/nfs_error.h"

// libnfs reports every failure as -errno plus a text. Server replies map to
// errno through NFS3ERR_* (NFS3ERR_ACCES -> EACCES, NFS3ERR_NOSPC -> ENOSPC);
// a lost or refused connection comes back as EIO, EINTR ("Socket failed with
// POLLHUP") or ETIMEDOUT (checked against libnfs 4.0 and nfs-ganesha 4.3).
// The table turns those into the few causes a user can act on.

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace kdump {
namespace {

struct CauseEntry {
  int error;
  const char* cause;
};

constexpr CauseEntry kCauses[] = {
    {EACCES, "permission denied"},
    {EPERM, "permission denied"},
    {ENOSPC, "no space"},
    {EDQUOT, "no space"},
    {EFBIG, "file too large for the server"},
    {EEXIST, "already exists"},
    {ENOENT, "not found"},
    {ENOTDIR, "not a directory"},
    {EISDIR, "is a directory"},
    {EROFS, "read-only export"},
    {ESTALE, "stale file handle (the export changed on the server)"},
    {ETIMEDOUT, "server not responding"},
    {EIO, "server not reachable"},
    {EINTR, "server not reachable"},
    {ECONNREFUSED, "server not reachable"},
    {ECONNRESET, "server not reachable"},
    {EPIPE, "server not reachable"},
    {EHOSTUNREACH, "server not reachable"},
    {ENETUNREACH, "server not reachable"},
    {EINVAL, "invalid argument"},
    {ENAMETOOLONG, "name too long"},
    {ENOMEM, "out of memory"},
};

}  // namespace

std::string nfs_cause(int error) {
  error = std::abs(error);
  for (const auto& entry : kCauses) {
    if (entry.error == error) return entry.cause;
  }
  return std::strerror(error);
}

NfsError::NfsError(int error, std::string target, std::string action, std::string cause, std::string detail)
    : std::system_error(std::abs(error), std::generic_category()),
      cause_(std::move(cause)),
      detail_(std::move(detail)),
      summary_(std::move(target) + ": " + std::move(action) + ": " + cause_),
      message_(detail_.empty() ? summary_ : summary_ + " (" + detail_ + ")") {}

}  // namespace kdump
