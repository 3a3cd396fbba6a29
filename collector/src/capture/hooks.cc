#include "capture/hooks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace kdump::capture {

std::vector<std::string> hook_programs(const std::string& configured, const std::string& directory) {
  std::vector<std::string> programs;
  if (!configured.empty()) programs.push_back(configured);
  std::error_code ec;
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    const std::string path = entry.path().string();
    struct stat st;
    // kdump-utils runs the directory's executables and skips the rest.
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0)
      found.push_back(path);
  }
  std::sort(found.begin(), found.end());
  programs.insert(programs.end(), found.begin(), found.end());
  return programs;
}

bool run_hooks(const std::vector<std::string>& programs, const std::vector<std::string>& args,
               std::chrono::seconds timeout, bool stop_on_failure, std::ostream& log) {
  bool all_ok = true;
  for (const auto& program : programs) {
    std::vector<std::string> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildResult result;
    try {
      result = run_child(argv, {.timeout = timeout, .stdout_fd = -1});
    } catch (const std::system_error& e) {
      log << "kdump-collector: capture: hook " << program << ": " << e.what() << "\n";
      all_ok = false;
      if (stop_on_failure) return false;
      continue;
    }
    if (result.succeeded()) continue;
    log << "kdump-collector: capture: hook " << program << " " << result.describe();
    if (result.timed_out) log << " (limit " << timeout.count() << " s)";
    log << "\n";
    all_ok = false;
    if (stop_on_failure) return false;
  }
  return all_ok;
}

}  // namespace kdump::capture
