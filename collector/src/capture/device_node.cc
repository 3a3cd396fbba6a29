#include "capture/device_node.h"

#include <sys/stat.h>

#include <cerrno>
#include <optional>
#include <system_error>

#include "kdumpcfg/posix_system.h"

namespace kdump::capture {
namespace {

[[noreturn]] void no_device(const std::string& what, const std::string& why) {
  throw std::system_error(ENOENT, std::generic_category(), what + ": no such device (" + why + ")");
}

}  // namespace

std::string find_device_node(const std::string& spec, const std::string& what) {
  cfg::PosixSystem system;
  for (const auto& [prefix, tag] : {std::pair{"UUID=", "UUID"}, std::pair{"LABEL=", "LABEL"}}) {
    const std::string p(prefix);
    if (!spec.starts_with(p)) continue;
    const std::string value = spec.substr(p.size());
    std::optional<std::string> node =
        p == "UUID=" ? system.device_by_uuid(value) : system.device_by_label(value);
    if (!node) no_device(what, std::string("blkid found no file system with that ") + tag);
    return *node;
  }
  struct stat st {};
  if (::stat(spec.c_str(), &st) == 0) return spec;
  if (errno == ENOENT || errno == ENOTDIR) no_device(what, spec + " does not exist");
  throw std::system_error(errno, std::generic_category(), what + ": cannot look up " + spec);
}

}  // namespace kdump::capture
