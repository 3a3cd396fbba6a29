#pragma once
// A real nfs-ganesha 4.3 (VFS backend, NFSv3 only) on 127.0.0.1, exporting a
// fresh temporary directory on ports chosen free, so transport tests talk to
// a real server and several can run side by side. Needs root.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "transport/nfs_client.h"

namespace kdump::test {

/// How the export is set up.
struct NfsGaneshaOptions {
  bool root_squash = false;      ///< map root to nobody (to provoke "permission denied")
  std::uint64_t tmpfs_bytes = 0;  ///< >0: export a tmpfs of this size (to provoke "no space")
  bool refuse_clients = false;   ///< Access_Type = None: exported, but to no one
};

/// One ganesha.nfsd process and its temporary export, stopped and removed on destruction.
class NfsGaneshaServer {
 public:
  /// Why a server cannot run on this machine ("" when it can): not root, ganesha or rpcbind missing.
  static std::string unavailable_reason();
  /// True (and the reason logged as a doctest MESSAGE) when a test must skip for want of a server.
  static bool skip_here();

  /// Starts ganesha and waits until it reports "NFS SERVER INITIALIZED"; throws std::runtime_error with its log.
  explicit NfsGaneshaServer(NfsGaneshaOptions options = {});
  ~NfsGaneshaServer();
  NfsGaneshaServer(const NfsGaneshaServer&) = delete;
  NfsGaneshaServer& operator=(const NfsGaneshaServer&) = delete;

  /// The exported directory on the local filesystem (also its path on the server).
  const std::filesystem::path& export_dir() const { return export_dir_; }
  /// A target for NfsClient with this server's ports and short timeouts.
  NfsTarget target() const;
  /// SIGKILLs the server at once and reaps it (a crash, as a test wants mid-transfer).
  void kill_now();
  /// SIGSTOPs the server: it keeps its connections but answers nothing.
  void freeze();
  /// SIGTERM, wait (about 1 s), SIGKILL after 10 s; idempotent.
  void stop();

 private:
  std::filesystem::path dir_;
  std::filesystem::path export_dir_;
  std::uint16_t nfs_port_ = 0;
  std::uint16_t mount_port_ = 0;
  pid_t pid_ = -1;
  pid_t rpcbind_pid_ = -1;
  bool tmpfs_mounted_ = false;
};

}  // namespace kdump::test
