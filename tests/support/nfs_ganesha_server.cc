#include "support/nfs_ganesha_server.h"

#include <doctest/doctest.h>

// ganesha.nfsd runs in the foreground (-F) as our child, so it is stopped by
// pid and reaped with waitpid, never looked up by name. NFSv3 needs rpcbind
// running while ganesha starts (FIELD-NOTES), and `rpcbind -h 127.0.0.1`
// crashes on Debian 12, so a plain `rpcbind -f` is started when none is
// listening, and stopped again with the server that started it. An flock on
// the rpcbind binary (no lock file to clean up) serialises that between test
// processes running in parallel (CTest runs each doctest case as its own
// process). Ganesha's NFSv4 recovery directory is moved into the temporary
// directory so that it leaves nothing in /var/lib/nfs. "NFS SERVER INITIALIZED" in the log is the
// readiness signal: the ports open before the exports are ready.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kdump::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kGanesha = "/usr/bin/ganesha.nfsd";
constexpr const char* kRpcbind = "/usr/sbin/rpcbind";
constexpr const char* kFsalVfs = "/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so";
constexpr std::uint16_t kPortmapperPort = 111;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Binding port 0 lets the kernel pick a free port; it stays free for the
// moment until ganesha binds it, which is good enough for tests.
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool listening(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

pid_t spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

bool exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

// SIGTERM, then SIGKILL if the process has not gone within `patience`.
void terminate(pid_t pid, std::chrono::milliseconds patience) {
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited(pid)) return;
    std::this_thread::sleep_for(20ms);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// An exclusive flock held for a scope, taken on the rpcbind binary itself:
// every process that may start rpcbind has it, and nothing is left behind.
class LockFile {
 public:
  LockFile() : fd_(::open(kRpcbind, O_RDONLY | O_CLOEXEC)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~LockFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  int fd_;
};

std::string config(const fs::path& dir, const fs::path& export_dir, std::uint16_t nfs_port,
                   std::uint16_t mount_port, const NfsGaneshaOptions& options) {
  std::ostringstream out;
  out << "NFS_CORE_PARAM {\n"
      << "  Protocols = 3;\n"
      << "  NFS_Port = " << nfs_port << ";\n"
      << "  MNT_Port = " << mount_port << ";\n"
      << "  Bind_addr = 127.0.0.1;\n"
      << "  Enable_NLM = false;\n"
      << "  Enable_RQUOTA = false;\n"
      << "  Enable_UDP = false;\n"
      << "}\n"
      << "NFSv4 {\n"
      << "  Graceless = true;\n"
      << "  RecoveryRoot = " << (dir / "recovery").string() << ";\n"
      << "}\n"
      << "EXPORT {\n"
      << "  Export_Id = 1;\n"
      << "  Path = " << export_dir.string() << ";\n"
      << "  Pseudo = " << export_dir.string() << ";\n"
      << "  Protocols = 3;\n"
      << "  Transports = TCP;\n"
      << "  Access_Type = " << (options.refuse_clients ? "None" : "RW") << ";\n"
      << "  Squash = " << (options.root_squash ? "Root_Squash" : "No_Root_Squash") << ";\n"
      << "  SecType = sys;\n"
      << "  FSAL { Name = VFS; }\n"
      << "}\n"
      << "LOG { Default_Log_Level = EVENT; }\n";
  return out.str();
}

}  // namespace

bool NfsGaneshaServer::skip_here() {
  const std::string reason = unavailable_reason();
  if (!reason.empty()) MESSAGE("skipped: " << reason);
  return !reason.empty();
}

std::string NfsGaneshaServer::unavailable_reason() {
  if (::geteuid() != 0) return "nfs-ganesha tests need root";
  if (::access(kGanesha, X_OK) != 0) return std::string(kGanesha) + " is missing (apt-get install nfs-ganesha)";
  if (::access(kFsalVfs, R_OK) != 0) return std::string(kFsalVfs) + " is missing (apt-get install nfs-ganesha-vfs)";
  if (::access(kRpcbind, X_OK) != 0 && !listening(kPortmapperPort))
    return std::string(kRpcbind) + " is missing (apt-get install rpcbind)";
  return "";
}

NfsGaneshaServer::NfsGaneshaServer(NfsGaneshaOptions options) {
  char name[] = "/tmp/kdump-ganesha-XXXXXX";
  if (!::mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
  dir_ = name;
  export_dir_ = dir_ / "export";
  fs::create_directories(export_dir_);
  fs::create_directories(dir_ / "recovery");
  if (options.tmpfs_bytes > 0) {
    std::string size = "size=" + std::to_string(options.tmpfs_bytes) + ",mode=0755";
    if (::mount("tmpfs", export_dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, size.c_str()) != 0) {
      stop();
      throw std::runtime_error("cannot mount a tmpfs for the export");
    }
    tmpfs_mounted_ = true;
  }
  nfs_port_ = free_port();
  do {
    mount_port_ = free_port();
  } while (mount_port_ == nfs_port_);
  const fs::path conf = dir_ / "ganesha.conf";
  const fs::path log = dir_ / "ganesha.log";
  std::ofstream(conf) << config(dir_, export_dir_, nfs_port_, mount_port_, options);

  LockFile lock;
  if (!listening(kPortmapperPort)) {
    rpcbind_pid_ = spawn({kRpcbind, "-f"});
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!listening(kPortmapperPort) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
  }
  pid_ = spawn({kGanesha, "-F", "-f", conf.string(), "-L", log.string(), "-p", (dir_ / "ganesha.pid").string()});
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (slurp(log).find("NFS SERVER INITIALIZED") == std::string::npos) {
    bool died = exited(pid_);
    if (died || std::chrono::steady_clock::now() > deadline) {
      if (died) pid_ = -1;
      std::string text = slurp(log);
      stop();
      throw std::runtime_error(std::string("nfs-ganesha did not start") + (died ? " (it exited)" : " in 20 s") +
                               "; its log:\n" + text);
    }
    std::this_thread::sleep_for(20ms);
  }
}

NfsGaneshaServer::~NfsGaneshaServer() { stop(); }

NfsTarget NfsGaneshaServer::target() const {
  NfsTarget target;
  target.server = "127.0.0.1";
  target.export_path = export_dir_.string();
  target.nfs_port = nfs_port_;
  target.mount_port = mount_port_;
  target.timeout_ms = 5000;
  target.reconnect_retries = 2;
  return target;
}

void NfsGaneshaServer::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

// SIGSTOP reaches the threads of a process one by one; a request sent before
// the last one stops may still be answered, so wait until every thread of the
// server shows state 'T' in /proc.
void NfsGaneshaServer::freeze() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGSTOP);
  const fs::path tasks = "/proc/" + std::to_string(pid_) + "/task";
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all_stopped = true;
    std::error_code error;
    for (const auto& task : fs::directory_iterator(tasks, error)) {
      std::string stat = slurp(task.path() / "stat");
      auto paren = stat.rfind(')');
      if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'T') all_stopped = false;
    }
    if (!error && all_stopped) return;
    std::this_thread::sleep_for(5ms);
  }
  throw std::runtime_error("nfs-ganesha did not stop on SIGSTOP within 5 s");
}

void NfsGaneshaServer::stop() {
  LockFile lock;
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    terminate(pid_, 10s);
  }
  pid_ = -1;
  if (rpcbind_pid_ > 0) {
    terminate(rpcbind_pid_, 5s);
    // rpcbind writes its warm-start state when it exits; it was ours.
    std::error_code ignored;
    fs::remove("/run/rpcbind/rpcbind.xdr", ignored);
    fs::remove("/run/rpcbind/portmap.xdr", ignored);
  }
  rpcbind_pid_ = -1;
  if (tmpfs_mounted_) ::umount2(export_dir_.c_str(), MNT_DETACH);
  tmpfs_mounted_ = false;
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  dir_.clear();
}

}  // namespace kdump::test
