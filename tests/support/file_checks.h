#pragma once
// What tests ask of the files a dump left behind.

#include <filesystem>
#include <string>

namespace test {

/// The whole file, "" if it cannot be read.
std::string slurp(const std::filesystem::path& path);

/// The permission bits (07777) of `path` itself (a link is not followed); 0 if it is not there.
unsigned mode_of(const std::filesystem::path& path);

}  // namespace test
