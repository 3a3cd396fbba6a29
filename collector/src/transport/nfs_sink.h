#pragma once
// A dump file on an NFS export, written through libnfs. Like FileSink, it is
// created new (exclusive CREATE, mode 0600) as "<path>-incomplete" and only
// finish() (COMMIT, close, rename without replacing) gives it its real name,
// so a transfer that failed part way stays visibly incomplete on the server.

#include <string>

#include "sink/byte_sink.h"
#include "transport/nfs_client.h"

namespace kdump {

/// Writes "<path>-incomplete" on a mounted export, renamed to `path` by finish().
class NfsSink final : public ByteSink {
 public:
  /// Creates "<path>-incomplete" through `client` (which must outlive the sink); throws NfsError (EEXIST if it or `path` exists).
  NfsSink(NfsClient& client, std::string path);

  /// Throws NfsError (a std::system_error) naming server:/export and the cause.
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override;
  /// COMMIT, close, rename to `path` (EEXIST rather than replace).
  void finish() override;
  /// "server:/export/path".
  std::string name() const override;
  /// The path on the export until finish().
  const std::string& temporary_path() const { return temporary_; }

 private:
  NfsClient& client_;
  std::string path_;
  std::string temporary_;
  NfsFile file_;
};

}  // namespace kdump
