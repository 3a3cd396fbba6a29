#pragma once
// A target reached through this machine's file system: a local file system
// where it is mounted (or was just mounted), or the root file system for
// dump_to_rootfs. Directories are walked with O_NOFOLLOW from the target's
// top, so a symbolic link planted anywhere in the dump path is refused
// instead of redirecting the dump.

#include <string>

#include "capture/destination.h"

namespace kdump::capture {

/// Not final: targets reached through a mount (a file system mounted for the
/// capture, an NFS export's kernel mount) are a LocalDestination plus what differs.
class LocalDestination : public Destination {
 public:
  /// `top`: where the target's top directory is on this machine ("/", "/mnt/dump");
  /// `label`: the target for messages ("fs UUID=...").
  LocalDestination(std::string top, std::string label);

  std::string describe() const override { return label_; }
  void create_directory(const std::string& dir, bool reuse) override;
  std::optional<std::uint64_t> available_bytes(const std::string& dir) override;
  std::unique_ptr<ByteSink> create_file(const std::string& dir, const std::string& name) override;
  std::unique_ptr<StreamFile> create_stream(const std::string& dir, const std::string& temporary,
                                            const std::string& name) override;
  void remove_partial(const std::string& dir, const std::string& name) override;
  std::optional<std::string> local_path(const std::string& dir) const override;

 private:
  std::string top_;
  std::string label_;
};

}  // namespace kdump::capture
