#pragma once
// Shared bits of the ssh transport tests: the skip guard and file helpers.

#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>

#include "support/sshd_server.h"

/// Returns from the test case, with a message, when no sshd can be started here.
#define KDUMP_SKIP_WITHOUT_SSHD()                                          \
  do {                                                                     \
    if (auto why = kdump::test::SshdServer::why_unavailable(); !why.empty()) { \
      MESSAGE("skipped: " << why);                                         \
      return;                                                              \
    }                                                                      \
  } while (false)

namespace kdump::test {

inline std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

inline unsigned mode_of(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st.st_mode & 07777;
}

/// A directory name with spaces, quotes, a command substitution and a ';'
/// that would each create a marker file under `base` if a shell ran them.
inline std::string hostile_name(const std::string& base) {
  return "a b'c\"d $(touch " + base + "/pwned1);touch " + base + "/pwned2;`touch " + base + "/pwned3`";
}

inline bool any_marker(const std::string& base) {
  return exists(base + "/pwned1") || exists(base + "/pwned2") || exists(base + "/pwned3");
}

/// Kills the server if the scope has not ended within `limit`, so that a
/// regression fails the test instead of hanging it (and anyone running it).
class KillAfter {
 public:
  KillAfter(SshdServer& server, std::chrono::seconds limit)
      : thread_([this, &server, limit] {
          std::unique_lock lock(mutex_);
          if (!wake_.wait_for(lock, limit, [this] { return done_; })) server.kill_all();
        }) {}
  ~KillAfter() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace kdump::test
