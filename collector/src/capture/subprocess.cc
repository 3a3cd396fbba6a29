#include "capture/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

namespace kdump::capture {
namespace {

ChildResult result_of(int status) {
  ChildResult r;
  if (WIFEXITED(status)) r.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

// Waits for `pid` up to `deadline` (none: forever); nullopt on timeout.
std::optional<int> wait_until(pid_t pid, std::optional<std::chrono::steady_clock::time_point> deadline) {
  for (;;) {
    int status = 0;
    const pid_t got = ::waitpid(pid, &status, deadline ? WNOHANG : 0);
    if (got == pid) return status;
    if (got < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
    if (deadline && std::chrono::steady_clock::now() >= *deadline) return std::nullopt;
    if (deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

std::string ChildResult::describe() const {
  if (timed_out) return "did not finish in time and was killed";
  if (signal) return "was killed by signal " + std::to_string(signal);
  return "exited with status " + std::to_string(exit_status);
}

int start_child(const std::vector<std::string>& argv, int stdout_fd) {
  if (argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "nothing to run");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Tells the parent whether exec worked: the pipe closes on exec, or carries errno.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw std::system_error(error, std::generic_category(), "cannot start " + argv[0]);
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so a timeout kills what it started too
    ::signal(SIGPIPE, SIG_DFL);
    if (stdout_fd >= 0) ::dup2(stdout_fd, STDOUT_FILENO);
    ::execvp(args[0], args.data());
    const int error = errno;
    (void)!::write(report[1], &error, sizeof error);
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  ::close(report[1]);
  int exec_error = 0;
  ssize_t n;
  do n = ::read(report[0], &exec_error, sizeof exec_error);
  while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof exec_error)) {
    wait_until(pid, std::nullopt);
    throw std::system_error(exec_error, std::generic_category(), "cannot run " + argv[0]);
  }
  return pid;
}

ChildResult wait_child(int pid, std::optional<std::chrono::seconds> timeout) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout) deadline = std::chrono::steady_clock::now() + *timeout;
  if (auto status = wait_until(pid, deadline)) return result_of(*status);
  ::kill(-pid, SIGKILL);
  ChildResult r = result_of(*wait_until(pid, std::nullopt));
  r.timed_out = true;
  return r;
}

ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options) {
  return wait_child(start_child(argv, options.stdout_fd), options.timeout);
}

}  // namespace kdump::capture
