#pragma once
// An NFSv3 client in user space (libnfs): no kernel NFS client, no mount
// point, so the capture kernel needs neither nfs.ko nor mount.nfs. Paths are
// relative to the export's root and start with '/' ("/host-date/vmcore").
// Every failure throws NfsError naming "server:/export".

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

struct nfs_context;
struct nfsfh;

namespace kdump {

/// Where an export is and how patiently to talk to it.
struct NfsTarget {
  std::string server;       ///< host name or IPv4 address
  std::string export_path;  ///< the exported directory, "/srv/crash"
  std::uint16_t nfs_port = 0;    ///< 0: ask the server's portmapper
  std::uint16_t mount_port = 0;  ///< 0: ask the server's portmapper
  int timeout_ms = 60000;        ///< per RPC; a server that answers nothing fails after this
  int reconnect_retries = 3;     ///< reconnections after a lost connection before an error

  /// "server:/export", as in messages and fstab.
  std::string display() const { return server + ":" + export_path; }
};

/// What lstat says about a name on the export.
struct NfsStat {
  std::uint32_t mode = 0;  ///< st_mode: type and permission bits
  std::uint64_t size = 0;  ///< bytes
  /// True for a directory (not a symlink to one).
  bool is_directory() const;
  /// True for a symbolic link.
  bool is_symlink() const;
};

class NfsClient;

/// An open file on the export; closed on destruction (errors then are ignored: call close()).
class NfsFile {
 public:
  NfsFile(NfsFile&& other) noexcept;
  NfsFile& operator=(NfsFile&&) = delete;
  NfsFile(const NfsFile&) = delete;
  NfsFile& operator=(const NfsFile&) = delete;
  ~NfsFile();

  /// Writes all of `bytes` at `offset` in large WRITE calls; throws NfsError.
  void pwrite_all(std::uint64_t offset, std::span<const std::byte> bytes);
  /// COMMITs written data to the server's stable storage; throws NfsError.
  void fsync();
  /// Closes the handle (idempotent); throws NfsError.
  void close();
  /// The file's path on the export.
  const std::string& path() const { return path_; }

 private:
  friend class NfsClient;
  NfsFile(NfsClient& client, nfsfh* handle, std::string path);
  [[noreturn]] void refused_write(std::uint64_t count);
  NfsClient* client_;
  nfsfh* handle_;
  std::string path_;
};

/// A mounted NFSv3 export (RAII over a libnfs context).
class NfsClient {
 public:
  /// Connects and mounts `target`; throws NfsError ("export not found", "server not reachable", ...).
  explicit NfsClient(NfsTarget target);
  ~NfsClient();
  NfsClient(const NfsClient&) = delete;
  NfsClient& operator=(const NfsClient&) = delete;

  /// The target as given.
  const NfsTarget& target() const { return target_; }
  /// Attributes of `path` itself (symlinks not followed); nullopt when it does not exist.
  std::optional<NfsStat> lstat(const std::string& path);
  /// Creates directory `path` with mode 0700; false when it already was a real directory.
  bool make_directory(const std::string& path);
  /// Creates a new file with mode 0600 (O_EXCL: fails on any existing name, symlinks included).
  NfsFile create_new(const std::string& path);
  /// Renames `from` to `to` unless `to` exists (checked first: NFSv3 RENAME itself replaces).
  void rename_no_replace(const std::string& from, const std::string& to);
  /// Removes the file `path`.
  void remove(const std::string& path);
  /// Bytes an unprivileged user may still write on the filesystem holding `path`.
  std::uint64_t available_bytes(const std::string& path);
  /// The largest WRITE the server accepts in one RPC.
  std::uint64_t write_max() const;
  /// This machine's address on the connection to the server (its source
  /// address, "10.0.0.5"); nullopt when not connected.
  std::optional<std::string> local_address() const;

 private:
  friend class NfsFile;
  [[noreturn]] void fail(int rc, const std::string& action) const;
  NfsTarget target_;
  nfs_context* context_ = nullptr;
};

}  // namespace kdump
