#include "kdumpcfg/posix_system.h"

// The only file of libkdumpcfg with effects. UUID= and LABEL= go through
// blkid_evaluate_tag(), which tries the udev links first and then probes the
// block devices itself (libblkid's default EVALUATE=udev,scan), so lookups
// also work where no udev runs. Failures to read the mount table throw
// std::system_error with the errno; "not found" answers are nullopt.

#include <blkid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "kdumpcfg/target.h"

namespace kdump::cfg {
namespace {

std::optional<std::string> evaluate_tag(const char* token, const std::string& value) {
  if (value.empty()) return std::nullopt;
  // A clean cache, as `blkid -c /dev/null` (blkid(8)): every lookup probes the
  // devices, so a stale /run/blkid/blkid.tab can neither mislead it nor be written.
  blkid_cache cache = nullptr;
  if (blkid_get_cache(&cache, "/dev/null") != 0) return std::nullopt;
  std::unique_ptr<char, decltype(&std::free)> found(blkid_evaluate_tag(token, value.c_str(), &cache), &std::free);
  if (cache) blkid_put_cache(cache);
  if (!found) return std::nullopt;
  return std::string(found.get());
}

}  // namespace

PosixSystem::PosixSystem(std::string mountinfo) : mountinfo_(std::move(mountinfo)) {}

std::vector<MountEntry> PosixSystem::mounts() {
  std::ifstream in(mountinfo_);
  if (!in) throw std::system_error(errno, std::generic_category(), "cannot open " + mountinfo_);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::system_error(errno, std::generic_category(), "cannot read " + mountinfo_);
  MountinfoParse parsed = parse_mountinfo(text.str(), mountinfo_);
  mount_diagnostics_ = std::move(parsed.diagnostics);
  return std::move(parsed.entries);
}

std::optional<std::string> PosixSystem::device_by_uuid(const std::string& uuid) { return evaluate_tag("UUID", uuid); }

std::optional<std::string> PosixSystem::device_by_label(const std::string& label) {
  return evaluate_tag("LABEL", label);
}

bool PosixSystem::path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<std::string> PosixSystem::real_path(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
  if (!resolved) return std::nullopt;
  return std::string(resolved.get());
}

std::optional<std::string> PosixSystem::device_number(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return std::nullopt;
  return std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
}

}  // namespace kdump::cfg
