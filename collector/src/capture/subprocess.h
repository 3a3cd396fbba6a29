#pragma once
// Running other programs from the capture: hooks and core collectors that
// are not ours. A child that outlives its time limit is killed with its whole
// process group, so a hung hook cannot hold the capture (and the reboot) forever.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kdump::capture {

/// How a child ended.
struct ChildResult {
  int exit_status = -1;  ///< 0-255 when it exited; -1 otherwise
  int signal = 0;        ///< the signal that ended it, if one did
  bool timed_out = false;
  /// "exited with status 3", "killed by signal 9", "timed out after 5 s", "exited normally".
  std::string describe() const;
  bool succeeded() const { return exit_status == 0; }
};

/// What to run and how.
struct ChildOptions {
  std::optional<std::chrono::seconds> timeout;  ///< none: wait as long as it takes
  int stdout_fd = -1;  ///< where its stdout goes (dup2'd); -1: inherited
};

/// Starts argv[0] (searched in PATH) in its own process group; throws
/// std::system_error if it cannot be started. Returns its pid.
int start_child(const std::vector<std::string>& argv, int stdout_fd = -1);

/// Waits for a started child, killing its group after `timeout`.
ChildResult wait_child(int pid, std::optional<std::chrono::seconds> timeout);

/// start_child, then wait_child.
ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options);

}  // namespace kdump::capture
