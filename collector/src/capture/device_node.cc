#include "capture/device_node.h"

#include <sys/stat.h>

#include <cerrno>
#include <optional>
#include <string_view>
#include <system_error>

#include "kdumpcfg/posix_system.h"

namespace kdump::capture {
namespace {

[[noreturn]] void no_device(const std::string& what, const std::string& why) {
  throw std::system_error(ENOENT, std::generic_category(), what + ": no such device (" + why + ")");
}

struct Tag {
  std::string_view prefix;
  const char* name;
  std::optional<std::string> (cfg::System::*lookup)(const std::string&);
};
constexpr Tag kTags[] = {
    {"UUID=", "UUID", &cfg::System::device_by_uuid},
    {"LABEL=", "LABEL", &cfg::System::device_by_label},
};

}  // namespace

std::string find_device_node(const std::string& spec, const std::string& what) {
  cfg::PosixSystem system;
  for (const Tag& tag : kTags) {
    if (!spec.starts_with(tag.prefix)) continue;
    std::optional<std::string> node = (system.*tag.lookup)(spec.substr(tag.prefix.size()));
    if (!node) no_device(what, std::string("blkid found no file system with that ") + tag.name);
    return *node;
  }
  struct stat st {};
  if (::stat(spec.c_str(), &st) == 0) return spec;
  if (errno == ENOENT || errno == ENOTDIR) no_device(what, spec + " does not exist");
  throw std::system_error(errno, std::generic_category(), what + ": cannot look up " + spec);
}

}  // namespace kdump::capture
