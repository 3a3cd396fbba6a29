#include "capture/ssh_destination.h"

// Everything that is not file data runs as a remote shell command on the one
// session: mkdir with df, rm, the no-replace rename (transport/ssh_session.h),
// every path through cfg::shell_quote, so a dump path with spaces, quotes or
// `$(...)` is a literal directory name and never runs anything. Directory
// checks report through distinct exit statuses (17 EEXIST, 20 ENOTDIR,
// 40 ELOOP) so that the capture flow can tell "an earlier dump is there"
// (not retried) from a connection that broke (retried). The sinks and
// streams handed out borrow the session: the destination must outlive them.

#include <libssh/libssh.h>

#include <cerrno>
#include <charconv>
#include <sstream>
#include <vector>

#include "kdumpcfg/dump_plan.h"
#include "transport/socket_address.h"
#include "transport/ssh_exec_stream.h"
#include "transport/ssh_sftp_sink.h"

namespace kdump::capture {
namespace {

constexpr int kDefaultSshPort = 22;

// Remote exit statuses that stand for an errno (see the commands below).
constexpr struct {
  int status;
  std::errc code;
  const char* what;
} kDirectoryStatuses[] = {
    {17, std::errc::file_exists, "exists already (an earlier dump is never written into)"},
    {20, std::errc::not_a_directory, "exists and is not a directory"},
    {40, std::errc::too_many_symbolic_link_levels, "is a symbolic link (refused, not followed)"},
};

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string parent_of(const std::string& dir) {
  std::string trimmed = dir;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const auto slash = trimmed.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : trimmed.substr(0, slash);
}

// The existence test, as a shell condition, for a name the dump must not replace.
std::string exists_test(const std::string& quoted) { return "[ -e " + quoted + " ] || [ -L " + quoted + " ]"; }

constexpr int kExistsStatus = 17;      // EEXIST
constexpr const char* kReady = "ready";  // the dd command's word that the final name is free

// A dump written through a remote dd; commit() proves it complete (dd's exit
// status 0 after end-of-file) and renames it without replacing. The one
// channel first checks that the final name is free (exit status 17 and no
// data read if not) and says so before dd starts, so that an earlier dump
// is refused at once, not after the whole dump, without a command of its
// own. The rename stays a separate command: dd also sees end-of-file when
// the connection breaks, so only we know that the stream was whole. It
// does not sync: every remote command runs under the session's stall
// timeout, and writing out what a large dump left in the server's page
// cache can take longer than that, which would call a good dump failed
// (kdump-utils' dd does not sync either).
class SshStreamFile final : public StreamFile {
 public:
  SshStreamFile(SshSession& session, std::string destination, const std::string& dir, const std::string& temporary,
                const std::string& name)
      : session_(session),
        destination_(std::move(destination)),
        temporary_(join(dir, temporary)),
        final_(join(dir, name)),
        stream_(session, command(dir, temporary, final_), temporary_) {
    refusing_existing([&] { stream_.wait_for_line(kReady); });
  }

  void write(std::span<const std::byte> bytes) override {
    refusing_existing([&] { stream_.write(bytes); });
  }
  void flush() override { stream_.flush(); }
  std::string name() const override { return stream_.name(); }
  void commit() override {
    refusing_existing([&] { stream_.close(); });
    remote_rename(session_, temporary_, final_);
  }

 private:
  static std::string command(const std::string& dir, const std::string& temporary, const std::string& final_name) {
    const auto quoted = cfg::shell_quote(final_name);
    return "if " + exists_test(quoted) + "; then printf '%s exists\\n' " + quoted + " >&2; exit " +
           std::to_string(kExistsStatus) + "; fi; echo " + kReady + "; " + ssh_dd_command(dir, temporary);
  }

  // Runs `step`, turning the check's exit status into EEXIST (not retried: an earlier dump is there).
  template <typename Step>
  void refusing_existing(Step step) {
    try {
      step();
    } catch (const SshError&) {
      if (stream_.exit_status() != kExistsStatus) throw;
      throw SshError(destination_ + ": cannot create " + final_ + ": it exists already", std::errc::file_exists);
    }
  }

  SshSession& session_;
  std::string destination_;
  std::string temporary_;
  std::string final_;
  SshExecStream stream_;
};

}  // namespace

SshEndpoint ssh_endpoint_for(const cfg::ResolvedTarget& target, const std::string& ssh_config, int timeout_seconds) {
  SshEndpoint endpoint;
  endpoint.host = target.host;
  endpoint.user = target.user;
  // kdump.conf cannot name a port: 22 is the resolver's default, which ssh_config's Port may override.
  endpoint.port = target.port == kDefaultSshPort ? 0 : target.port;
  endpoint.identity_file = target.sshkey;
  endpoint.config_file = ssh_config;
  endpoint.timeout_seconds = timeout_seconds;
  return endpoint;
}

SshDestination::SshDestination(const SshEndpoint& endpoint)
    : session_(endpoint), address_(socket_local_address(ssh_get_fd(session_.handle()))) {}

void SshDestination::create_directory(const std::string& dir, bool reuse) {
  free_space_.reset();
  const auto quoted = cfg::shell_quote(dir);
  // df runs in the same command (one round trip less); its failure is not the directory's.
  const std::string command = "umask 0077 && mkdir -p -- " + cfg::shell_quote(parent_of(dir)) +
                              " || exit 1; if [ -L " + quoted + " ]; then exit 40; fi; if [ -d " + quoted +
                              " ]; then " + (reuse ? ":" : "exit 17") + "; elif [ -e " + quoted +
                              " ]; then exit 20; else mkdir -- " + quoted + " || exit 1; fi; df -P -k -- " + quoted +
                              " 2>/dev/null; exit 0";
  auto result = session_.run(command);
  if (result.exit_status == 0) {
    free_space_ = FreeSpace{dir, parse_df_available(result.output)};
    return;
  }
  for (const auto& known : kDirectoryStatuses)
    if (result.exit_status == known.status) throw SshError(describe() + ": " + dir + " " + known.what, known.code);
  while (!result.errors.empty() && result.errors.back() == '\n') result.errors.pop_back();
  throw SshError(describe() + ": cannot create directory " + dir + " (exit status " +
                     std::to_string(result.exit_status) + ")" + (result.errors.empty() ? "" : ": " + result.errors),
                 // mkdir's own refusal (a read-only or foreign directory) is not cured by retrying.
                 result.exit_status == 1 ? std::errc::permission_denied : std::errc::io_error);
}

std::optional<std::uint64_t> SshDestination::available_bytes(const std::string& dir) {
  if (free_space_ && free_space_->dir == dir) return free_space_->bytes;
  const auto result = session_.run("df -P -k -- " + cfg::shell_quote(dir));
  if (result.exit_status != 0) return std::nullopt;
  return parse_df_available(result.output);
}

std::unique_ptr<ByteSink> SshDestination::create_file(const std::string& dir, const std::string& name) {
  return std::make_unique<SshSftpSink>(session_, dir, name);
}

std::unique_ptr<StreamFile> SshDestination::create_stream(const std::string& dir, const std::string& temporary,
                                                          const std::string& name) {
  return std::make_unique<SshStreamFile>(session_, describe(), dir, temporary, name);
}

void SshDestination::remove_partial(const std::string& dir, const std::string& name) {
  const auto path = join(dir, name);
  session_.run_checked("rm -f -- " + cfg::shell_quote(path), "remove " + path);
}

std::optional<std::uint64_t> parse_df_available(const std::string& df_output) {
  // The last line: FILESYSTEM BLOCKS USED AVAILABLE CAPACITY% MOUNTPOINT; the
  // file system's name and the mount point may hold spaces, so the columns are
  // found from the capacity column: three numbers before a "NN%".
  std::string text = df_output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto line_start = text.rfind('\n');
  std::istringstream line(line_start == std::string::npos ? text : text.substr(line_start + 1));
  std::vector<std::string> words;
  for (std::string word; line >> word;) words.push_back(word);
  auto number = [](const std::string& word) -> std::optional<std::uint64_t> {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc() || end != word.data() + word.size()) return std::nullopt;
    return value;
  };
  for (std::size_t i = 4; i < words.size(); ++i) {
    const auto& capacity = words[i];
    if (capacity.size() < 2 || capacity.back() != '%' || !number(capacity.substr(0, capacity.size() - 1))) continue;
    if (!number(words[i - 3]) || !number(words[i - 2])) continue;
    const auto available = number(words[i - 1]);
    if (!available || *available > UINT64_MAX / 1024) return std::nullopt;
    return *available * 1024;
  }
  return std::nullopt;
}

}  // namespace kdump::capture
