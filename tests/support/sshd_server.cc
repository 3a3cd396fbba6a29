#include "support/sshd_server.h"

// sshd is started with -D -e (no daemon, log to stderr, here sshd.log) so
// that its pid is ours to stop and wait for. Readiness is a successful TCP
// connect. Stopping walks /proc for the processes below sshd (the per-
// connection privilege-separation children and the commands they run),
// because killing only the listener leaves running sessions behind.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kdump::test {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";
constexpr const char* kKeygen = "/usr/bin/ssh-keygen";

// Runs a program with its output in `log`; returns its exit status (or -1).
int run(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("sshd_server: cannot write " + path);
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("sshd_server: cannot find a free port");
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// Every process whose ancestry leads to `root`, read from /proc/PID/stat.
std::vector<int> descendants(int root) {
  std::map<int, std::vector<int>> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto stat = slurp(entry.path().string() + "/stat");
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    char state = 0;
    int parent = 0;
    if (std::sscanf(stat.c_str() + close_paren + 1, " %c %d", &state, &parent) == 2)
      children[parent].push_back(std::stoi(name));
  }
  std::vector<int> found;
  std::vector<int> todo{root};
  while (!todo.empty()) {
    int pid = todo.back();
    todo.pop_back();
    for (int child : children[pid]) {
      found.push_back(child);
      todo.push_back(child);
    }
  }
  return found;
}

}  // namespace

std::string SshdServer::why_unavailable() {
  if (::geteuid() != 0) return "sshd tests need root";
  if (::access(kSshd, X_OK) != 0) return std::string(kSshd) + " is not installed";
  if (::access(kKeygen, X_OK) != 0) return std::string(kKeygen) + " is not installed";
  return "";
}

SshdServer::SshdServer() {
  char pattern[] = "/tmp/kdump-sshd-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("sshd_server: cannot make a temporary directory");
  dir_ = pattern;
  const auto log = dir_ + "/keygen.log";
  for (const char* key : {"host_key", "client_key", "stranger_key"})
    if (run({kKeygen, "-q", "-t", "ed25519", "-N", "", "-C", key, "-f", dir_ + "/" + key}, log) != 0)
      throw std::runtime_error("sshd_server: ssh-keygen failed, see " + log);
  spit(dir_ + "/authorized_keys", slurp(dir_ + "/client_key.pub"));
  spit(empty_config(), "");
  ::mkdir("/run/sshd", 0755);  // sshd's privilege-separation directory; it refuses to start without it

  port_ = free_port();
  // known_hosts names a non-default port as "[host]:port" (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT).
  const auto host_key = slurp(dir_ + "/host_key.pub");
  spit(known_hosts(), "[127.0.0.1]:" + std::to_string(port_) + " " + host_key.substr(0, host_key.rfind(' ')) + "\n");
  const auto config = dir_ + "/sshd_config";
  spit(config, "ListenAddress 127.0.0.1\n"
               "Port " + std::to_string(port_) + "\n"
               "HostKey " + dir_ + "/host_key\n"
               "AuthorizedKeysFile " + dir_ + "/authorized_keys\n"
               "PidFile none\n"
               "StrictModes no\n"
               "UsePAM no\n"
               "PermitRootLogin prohibit-password\n"
               "PasswordAuthentication no\n"
               "KbdInteractiveAuthentication no\n"
               "Subsystem sftp internal-sftp\n");

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("sshd_server: fork failed");
  if (pid_ == 0) {
    int fd = ::open((dir_ + "/sshd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) ::dup2(fd, 2);
    ::execl(kSshd, kSshd, "-D", "-e", "-f", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (accepts_connections(port_)) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("sshd_server: sshd exited at start: " + slurp(dir_ + "/sshd.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill_all();
  throw std::runtime_error("sshd_server: sshd did not listen on port " + std::to_string(port_));
}

SshdServer::~SshdServer() {
  kill_all();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

SshEndpoint SshdServer::endpoint() const {
  SshEndpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.user = "root";
  endpoint.port = port_;
  endpoint.identity_file = client_key();
  endpoint.known_hosts = known_hosts();
  endpoint.config_file = empty_config();
  endpoint.timeout_seconds = 10;
  return endpoint;
}

void SshdServer::freeze() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGSTOP);
  for (int pid : descendants(pid_)) ::kill(pid, SIGSTOP);
}

void SshdServer::kill_all() {
  if (pid_ < 0) return;
  for (int pid : descendants(pid_)) ::kill(pid, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace kdump::test
