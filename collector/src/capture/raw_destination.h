#pragma once
// A raw target: one flattened dump written from the start of a block device
// (or of a regular file standing in for one), as kdump-utils' `raw` target.
// The device holds no files: no directory, no vmcore-dmesg.txt; what follows
// the stream's end record is whatever the device held before, and readers
// (-R) stop at the end record.

#include <string>

#include "capture/destination.h"

namespace kdump::capture {

class RawDestination final : public Destination {
 public:
  /// `device`: the configured spec (/dev/..., UUID=..., LABEL=...); `label`:
  /// the target for messages ("raw /dev/vdb"). Throws ENOENT if it is not here.
  RawDestination(const std::string& device, std::string label);

  std::string describe() const override { return label_; }
  bool holds_files() const override { return false; }
  void create_directory(const std::string&, bool) override {}
  /// The device's size (a regular file: its size plus the free space after it).
  std::optional<std::uint64_t> available_bytes(const std::string& dir) override;
  std::unique_ptr<ByteSink> create_file(const std::string&, const std::string&) override { return nullptr; }
  /// Opens the device for writing from offset 0; the names are ignored.
  std::unique_ptr<StreamFile> create_stream(const std::string& dir, const std::string& temporary,
                                            const std::string& name) override;
  void remove_partial(const std::string&, const std::string&) override {}

  /// The device node written to.
  const std::string& path() const { return path_; }

 private:
  /// An O_WRONLY descriptor on the device, checked to be a block device or regular file.
  int open_device() const;

  std::string path_;
  std::string label_;
};

}  // namespace kdump::capture
