#include "capture/open_destination.h"

#include <cerrno>
#include <system_error>

#include "capture/local_destination.h"
#include "capture/nfs_destination.h"
#include "capture/ssh_destination.h"
#include "capture/mounted_filesystem.h"
#include "capture/raw_destination.h"

namespace kdump::capture {
namespace {

std::string describe_target(const cfg::ResolvedTarget& t) {
  return std::string(cfg::resolved_kind_name(t.kind)) + " " + (t.device.empty() ? t.mount_point : t.device);
}

std::unique_ptr<Destination> open_filesystem(const cfg::ResolvedTarget& target, const DestinationOptions& options) {
  if (target.mount_point.empty()) return mount_filesystem(target, options.mount_base, describe_target(target));
  return std::make_unique<LocalDestination>(target.mount_point, describe_target(target));
}

[[noreturn]] std::unique_ptr<Destination> not_yet(const cfg::ResolvedTarget& target, const DestinationOptions&) {
  throw std::system_error(ENOTSUP, std::generic_category(),
                          std::string(cfg::resolved_kind_name(target.kind)) + " targets are not implemented yet");
}

}  // namespace

std::string path_on_destination(const cfg::ResolvedTarget& target) {
  if (target.kind != cfg::ResolvedKind::kFilesystem || target.mount_root.empty() || target.mount_root == "/")
    return target.path;
  const std::string& root = target.mount_root;
  if (target.path == root) return "/";
  if (target.path.starts_with(root + "/")) return target.path.substr(root.size());
  throw std::system_error(ENOENT, std::generic_category(),
                          describe_target(target) + ": " + target.path + " is outside " + root +
                              ", the part of the file system mounted at " + target.mount_point);
}

std::unique_ptr<Destination> open_destination(const cfg::ResolvedTarget& target, const DestinationOptions& options) {
  switch (target.kind) {
    case cfg::ResolvedKind::kFilesystem:
      return open_filesystem(target, options);
    case cfg::ResolvedKind::kRaw:
      return std::make_unique<RawDestination>(target.device, describe_target(target));
    case cfg::ResolvedKind::kNfs:
      return open_nfs_destination(target, options);
    case cfg::ResolvedKind::kSsh:
      return std::make_unique<SshDestination>(ssh_endpoint_for(target, options.ssh_config, options.timeout_seconds));
  }
  return not_yet(target, options);
}

}  // namespace kdump::capture
