#pragma once
// The System seam on a real Linux machine: mountinfo from /proc, devices by
// UUID and LABEL through libblkid (which scans the block devices itself, so
// it works without udev and /dev/disk/by-*), paths through stat and realpath.

#include <optional>
#include <string>
#include <vector>

#include "kdumpcfg/diagnostic.h"
#include "kdumpcfg/system.h"

namespace kdump::cfg {

/// The running machine behind the System interface.
class PosixSystem final : public System {
 public:
  /// `mountinfo` is the file mounts() reads (another process's, or a saved copy).
  explicit PosixSystem(std::string mountinfo = "/proc/self/mountinfo");

  /// Reads and parses the mountinfo file; throws std::system_error if it cannot be read.
  std::vector<MountEntry> mounts() override;
  std::optional<std::string> device_by_uuid(const std::string& uuid) override;
  std::optional<std::string> device_by_label(const std::string& label) override;
  bool path_exists(const std::string& path) override;
  std::optional<std::string> real_path(const std::string& path) override;
  std::optional<std::string> device_number(const std::string& path) override;

  /// The malformed lines the last mounts() call skipped.
  const std::vector<Diagnostic>& mount_diagnostics() const { return mount_diagnostics_; }

 private:
  std::string mountinfo_;
  std::vector<Diagnostic> mount_diagnostics_;
};

}  // namespace kdump::cfg
