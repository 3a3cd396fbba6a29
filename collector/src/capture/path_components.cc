#include "capture/path_components.h"

#include <cerrno>
#include <system_error>

namespace kdump::capture {

std::vector<std::string> path_components(const std::string& dir) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < dir.size()) {
    std::size_t end = dir.find('/', start);
    if (end == std::string::npos) end = dir.size();
    std::string part = dir.substr(start, end - start);
    if (part == "..") throw std::system_error(EINVAL, std::generic_category(), "dump path " + dir + " climbs with ..");
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = end + 1;
  }
  return parts;
}

}  // namespace kdump::capture
