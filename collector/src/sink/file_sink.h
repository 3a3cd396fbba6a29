#pragma once
// A dump file on a local (or mounted) filesystem. It is created new
// (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600: never follows a planted link, never
// overwrites an earlier dump) under the name "<path>-incomplete", and only
// finish() (fsync, rename without replacing, fsync of the directory) gives it
// its real name. A dump that failed part way stays as "<path>-incomplete", as
// kdump-utils' vmcore-incomplete does. Write-back is started every
// kWritebackBytes as the dump is written (sync_file_range), so the disk works
// while pages are compressed and finish()'s fsync waits only for the tail;
// it also keeps the capture kernel's small memory from filling with dirty pages.

#include <cstdint>
#include <string>

#include "sink/byte_sink.h"

namespace kdump {

/// pwrite()s to a new file, renamed into place when complete.
class FileSink final : public ByteSink {
 public:
  /// Creates "<path>-incomplete"; throws std::system_error (EEXIST if it or `path` exists).
  explicit FileSink(std::string path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override;
  /// fsync, rename to `path` (fails with EEXIST rather than replace), fsync the directory.
  void finish() override;
  std::string name() const override { return path_; }
  /// The name the file has until finish().
  const std::string& temporary_path() const { return temporary_; }

 private:
  /// Bytes written between two starts of write-back.
  static constexpr std::uint64_t kWritebackBytes = std::uint64_t{16} << 20;

  std::string path_;
  std::string temporary_;
  int fd_ = -1;
  std::uint64_t unflushed_ = 0;  // bytes written since write-back was last started
};

}  // namespace kdump
