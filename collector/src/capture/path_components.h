#pragma once
// A dump path split into the directory names a destination walks one at a
// time (so that each step can refuse a symbolic link).

#include <string>
#include <vector>

namespace kdump::capture {

/// "/var//crash/./x" -> {"var", "crash", "x"}; throws std::system_error (EINVAL) on "..".
std::vector<std::string> path_components(const std::string& dir);

}  // namespace kdump::capture
