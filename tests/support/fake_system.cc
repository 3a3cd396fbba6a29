#include "support/fake_system.h"

// Paths are resolved component by component, following the symlinks table
// (at most 40 links, as Linux's ELOOP limit), and exist if they were added or
// lie above one that was: enough to model realpath(3) for the resolver.

#include <stdexcept>

#include "kdumpcfg/target.h"

namespace kdump::test {
namespace {

constexpr int kMaxLinks = 40;

}  // namespace

void FakeSystem::set_mountinfo(std::string_view text) {
  cfg::MountinfoParse parsed = cfg::parse_mountinfo(text, "mountinfo");
  if (!parsed.diagnostics.empty()) throw std::invalid_argument(cfg::format_short(parsed.diagnostics.front()));
  mount_table = std::move(parsed.entries);
}

void FakeSystem::add_device(const FakeDevice& device) {
  devices_.push_back(device);
  add_path(device.node);
}

void FakeSystem::add_path(const std::string& path) { paths_.insert(cfg::normalize_path(path)); }

void FakeSystem::add_symlink(const std::string& link, const std::string& target) {
  const std::string clean = cfg::normalize_path(link);
  symlinks_[clean] = target;
  add_path(clean.substr(0, clean.rfind('/')));
}

bool FakeSystem::exists(const std::string& path) const {
  if (path == "/" || paths_.count(path) != 0) return true;
  const std::string dir = path + "/";
  auto it = paths_.lower_bound(dir);
  return it != paths_.end() && it->compare(0, dir.size(), dir) == 0;
}

std::optional<std::string> FakeSystem::resolve(const std::string& path) const {
  std::string pending = cfg::normalize_path(path);
  if (pending.empty() || pending[0] != '/') return std::nullopt;
  for (int links = 0; links <= kMaxLinks; ++links) {
    // Find the first prefix that is a symlink and substitute it.
    bool substituted = false;
    for (std::size_t end = 1; end <= pending.size(); ++end) {
      if (end != pending.size() && pending[end] != '/') continue;
      std::string prefix = pending.substr(0, end);
      auto link = symlinks_.find(prefix);
      if (link == symlinks_.end()) continue;
      pending = cfg::normalize_path(link->second + "/" + pending.substr(end));
      substituted = true;
      break;
    }
    if (!substituted) return exists(pending) ? std::optional<std::string>(pending) : std::nullopt;
  }
  return std::nullopt;  // ELOOP
}

std::vector<cfg::MountEntry> FakeSystem::mounts() {
  calls_.push_back("mounts()");
  return mount_table;
}

std::optional<std::string> FakeSystem::device_by_uuid(const std::string& uuid) {
  calls_.push_back("device_by_uuid(" + uuid + ")");
  for (const FakeDevice& d : devices_)
    if (!d.uuid.empty() && d.uuid == uuid) return d.node;
  return std::nullopt;
}

std::optional<std::string> FakeSystem::device_by_label(const std::string& label) {
  calls_.push_back("device_by_label(" + label + ")");
  for (const FakeDevice& d : devices_)
    if (!d.label.empty() && d.label == label) return d.node;
  return std::nullopt;
}

bool FakeSystem::path_exists(const std::string& path) {
  calls_.push_back("path_exists(" + path + ")");
  return resolve(path).has_value();
}

std::optional<std::string> FakeSystem::real_path(const std::string& path) {
  calls_.push_back("real_path(" + path + ")");
  return resolve(path);
}

std::optional<std::string> FakeSystem::device_number(const std::string& path) {
  calls_.push_back("device_number(" + path + ")");
  auto node = resolve(path);
  if (!node) return std::nullopt;
  for (const FakeDevice& d : devices_)
    if (d.node == *node) return d.major_minor;
  return std::nullopt;
}

}  // namespace kdump::test
