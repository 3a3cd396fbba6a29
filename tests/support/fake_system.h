#pragma once
// An in-memory System for resolution tests: a mount table, block devices with
// UUIDs and labels, existing paths and symlinks. It records every question it
// is asked, so a test can check what resolution looked at (ninja's
// VirtualFileSystem in src/test.h does the same for its disk interface).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kdumpcfg/system.h"

namespace kdump::test {

/// A block device as the fake knows it.
struct FakeDevice {
  std::string node;          // "/dev/vda1"
  std::string major_minor;   // "254:1"
  std::string uuid;          // may be empty
  std::string label;         // may be empty
};

/// The System interface over plain data.
class FakeSystem final : public cfg::System {
 public:
  /// Replaces the mount table with parsed mountinfo text; throws
  /// std::invalid_argument naming the first malformed line.
  void set_mountinfo(std::string_view text);
  /// Adds a block device (its node also becomes an existing path).
  void add_device(const FakeDevice& device);
  /// Makes a path (and so its parent directories) exist.
  void add_path(const std::string& path);
  /// Makes `link` a symlink to the absolute `target` (link's parents exist).
  void add_symlink(const std::string& link, const std::string& target);

  std::vector<cfg::MountEntry> mounts() override;
  std::optional<std::string> device_by_uuid(const std::string& uuid) override;
  std::optional<std::string> device_by_label(const std::string& label) override;
  bool path_exists(const std::string& path) override;
  std::optional<std::string> real_path(const std::string& path) override;
  std::optional<std::string> device_number(const std::string& path) override;

  /// Every call so far, as "name(argument)": "mounts()", "real_path(/var/crash)".
  const std::vector<std::string>& calls() const { return calls_; }

  std::vector<cfg::MountEntry> mount_table;

 private:
  std::optional<std::string> resolve(const std::string& path) const;
  bool exists(const std::string& path) const;

  std::vector<FakeDevice> devices_;
  std::set<std::string> paths_;
  std::map<std::string, std::string> symlinks_;
  std::vector<std::string> calls_;
};

}  // namespace kdump::test
