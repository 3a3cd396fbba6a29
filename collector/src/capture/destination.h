#pragma once
// Where the capture saves: one interface for every target kind (a mounted
// file system, an NFS export through libnfs, an ssh host, a raw device), so
// the capture flow (capture_flow.h) is written once and each kind only says
// how to make a directory and a file there. Every method throws
// std::system_error (SshError, NfsError, ...) whose what() names the target
// and the cause.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sink/byte_sink.h"
#include "sink/byte_stream.h"

namespace kdump::capture {

/// A file written in order (a flattened dump, a log) that gets its final
/// name only from commit(); until then it is visibly incomplete on the target.
class StreamFile : public OutputStream {
 public:
  /// Makes the bytes durable and gives the file its final name (never replacing one).
  virtual void commit() = 0;
};

/// One dump target, connected (or mounted) by its constructor.
class Destination {
 public:
  virtual ~Destination() = default;

  /// The target for messages: "fs /dev/vdb1", "nfs 127.0.0.1:/srv/crash",
  /// "ssh root@10.0.0.1:22", "raw /dev/sdb1".
  virtual std::string describe() const = 0;

  /// Raw devices hold one flattened dump and nothing else: no directory, no
  /// vmcore-dmesg.txt. Every other kind holds files.
  virtual bool holds_files() const { return true; }

  /// This machine's address as the target sees it (the source address of the
  /// connection), for the dump directory's name; nullopt for local targets
  /// (the flow then uses 127.0.0.1, as kdump-utils does).
  virtual std::optional<std::string> local_address() const { return std::nullopt; }

  /// Creates `dir` (absolute on the target: "/var/crash/127.0.0.1-2026-...")
  /// mode 0700, and its missing parents; `dir` itself must be new (EEXIST
  /// otherwise: an earlier dump is never written into). `reuse` accepts an
  /// existing `dir` (a retry after this capture created it).
  virtual void create_directory(const std::string& dir, bool reuse) = 0;

  /// Free bytes where `dir` lives, if the target can say.
  virtual std::optional<std::uint64_t> available_bytes(const std::string& dir) = 0;

  /// A new random-access file dir/name, written as dir/name-incomplete
  /// (O_EXCL, O_NOFOLLOW, 0600) until the sink's finish(); nullptr if the
  /// target only takes streams (ssh with dd, raw).
  virtual std::unique_ptr<ByteSink> create_file(const std::string& dir, const std::string& name) = 0;

  /// A new sequential file: written as dir/temporary, renamed to dir/name by
  /// commit() (ssh: "vmcore-incomplete" -> "vmcore.flat"). A raw device
  /// ignores the names and is written from its start.
  virtual std::unique_ptr<StreamFile> create_stream(const std::string& dir, const std::string& temporary,
                                                    const std::string& name) = 0;

  /// Removes a partial file this capture left in `dir` (before a retry); no error if absent.
  virtual void remove_partial(const std::string& dir, const std::string& name) = 0;

  /// Where `dir` is on this machine's file system, for collectors that are
  /// other programs and take an output path (cp); nullopt if the target is
  /// not mounted here (they then write into a pipe that this process forwards).
  virtual std::optional<std::string> local_path(const std::string& dir) const {
    (void)dir;
    return std::nullopt;
  }
};

}  // namespace kdump::capture
