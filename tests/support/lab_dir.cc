#include "support/lab_dir.h"

#include <cstdlib>

namespace kdump::test {

namespace fs = std::filesystem;

fs::path find_lab_dir() {
  if (const char* dir = std::getenv("KDUMP_LAB_DIR"); dir && *dir)
    return fs::exists(fs::path(dir) / "vmcore") ? fs::path(dir) : fs::path();
  fs::path cache;
  if (const char* c = std::getenv("KDUMP_LAB_CACHE")) cache = c;
  else if (const char* home = std::getenv("HOME")) cache = fs::path(home) / ".cache/kdump-toolkit/lab";
  std::error_code ec;
  fs::path newest;
  fs::file_time_type newest_time{};
  for (const auto& entry : fs::directory_iterator(cache / "results", ec)) {
    const fs::path vmcore = entry.path() / "vmcore";
    if (!fs::is_regular_file(vmcore, ec) || !fs::exists(entry.path() / "ref", ec)) continue;
    const auto t = fs::last_write_time(vmcore, ec);
    if (newest.empty() || t > newest_time) newest = entry.path(), newest_time = t;
  }
  return newest;
}

}  // namespace kdump::test
