#include "kdumpcfg/dump_plan.h"

// The steps of one capture, as kdump-utils' capture script runs them
// (dracut/99kdumpbase/kdump.sh: dump_fs, save_vmcore_dmesg_fs, dump_raw,
// dump_ssh, save_vmcore_dmesg_ssh), written out as shell command lines.
// Facts taken from there: the directory is <path>/<host-ip>-<date +%Y-%m-%d-%T>;
// the kernel log is saved first and its failure does not stop the capture;
// the collector writes vmcore-incomplete, which is synced and renamed only
// when complete; raw targets get the collector's output through dd with
// 512-byte blocks; ssh targets receive it through a remote dd (mode 0600 via
// umask 0077) and rename it to vmcore.flat, or get /proc/vmcore by scp when
// the collector's first word is scp. The core collector is a command line
// from the configuration and is inserted as it is; every path is quoted for
// the shell that runs it, and a remote command is quoted once for the remote
// shell and once more as a single argument of the local ssh.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kdump::cfg {
namespace {

constexpr std::string_view kIncomplete = "vmcore-incomplete";
constexpr std::string_view kDmesgIncomplete = "vmcore-dmesg-incomplete.txt";
constexpr std::string_view kDmesg = "vmcore-dmesg.txt";
constexpr int kDdBlockSize = 512;  // kdump.sh: DD_BLKSIZE, and the remote dd's bs
constexpr int kDefaultSshPort = 22;

// "a" + "/" + "b" with runs of slashes squeezed, as kdump.sh's `tr -s /`.
std::string join(std::string_view a, std::string_view b) {
  std::string joined = std::string(a) + "/" + std::string(b);
  std::string out;
  for (char c : joined)
    if (c != '/' || out.empty() || out.back() != '/') out += c;
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string first_word(std::string_view command) {
  std::size_t start = command.find_first_not_of(" \t");
  if (start == std::string_view::npos) return "";
  std::size_t end = command.find_first_of(" \t", start);
  return std::string(command.substr(start, end == std::string_view::npos ? end : end - start));
}

void plan_file(const ResolvedTarget& t, const PlanOptions& o, DumpPlan& plan) {
  const std::string mount = o.mount_point.empty() ? capture_mount_point(t) : o.mount_point;
  const std::string dir = join(mount, plan.directory);
  const std::string q_dir = shell_quote(dir);
  const std::string dmesg_incomplete = shell_quote(join(dir, kDmesgIncomplete));
  const std::string incomplete = shell_quote(join(dir, kIncomplete));
  plan.incomplete_name = kIncomplete;
  plan.final_name = "vmcore";
  plan.commands = {
      "mkdir -p " + q_dir,
      o.dmesg_collector + " " + shell_quote(o.vmcore) + " > " + dmesg_incomplete + " && mv " + dmesg_incomplete +
          " " + shell_quote(join(dir, kDmesg)) + " || true",
      t.core_collector + " " + shell_quote(o.vmcore) + " " + incomplete,
      "sync -f " + incomplete,
      "mv " + incomplete + " " + shell_quote(join(dir, plan.final_name)),
  };
}

void plan_raw(const ResolvedTarget& t, const PlanOptions& o, DumpPlan& plan) {
  plan.directory.clear();
  plan.commands = {
      t.core_collector + " " + shell_quote(o.vmcore) + " | dd of=" + shell_quote(t.device) +
          " bs=" + std::to_string(kDdBlockSize),
      "sync",
  };
}

void plan_ssh(const ResolvedTarget& t, const PlanOptions& o, DumpPlan& plan) {
  const bool ipv6 = t.host.find(':') != std::string::npos;
  const std::string dest = shell_quote(t.user + "@" + t.host);
  // scp needs an IPv6 literal in brackets (kdump.sh, dump_ssh: _scp_address).
  const std::string scp_host = t.user + "@" + (ipv6 ? "[" + t.host + "]" : t.host);
  std::string opts = "-i " + shell_quote(t.sshkey) + " -o BatchMode=yes -o StrictHostKeyChecking=yes";
  std::string scp_opts = opts;
  if (t.port != 0 && t.port != kDefaultSshPort) {
    opts += " -p " + std::to_string(t.port);
    scp_opts += " -P " + std::to_string(t.port);
  }
  const std::string ssh = "ssh " + opts + " " + dest + " ";
  const std::string ssh_q = "ssh -q " + opts + " " + dest + " ";
  // A remote command: quoted for the remote shell, then as one local word.
  auto remote = [](const std::string& command) { return shell_quote(command); };
  const std::string& dir = plan.directory;
  const std::string incomplete = join(dir, kIncomplete);
  const bool scp = first_word(t.core_collector) == "scp";
  plan.incomplete_name = kIncomplete;
  plan.final_name = scp ? "vmcore" : "vmcore.flat";
  const std::string dmesg_incomplete = join(dir, kDmesgIncomplete);
  plan.commands = {
      ssh_q + remote("mkdir -p " + shell_quote(dir)),
      o.dmesg_collector + " " + shell_quote(o.vmcore) + " | " + ssh +
          remote("umask 0077 && dd of=" + shell_quote(dmesg_incomplete)) + " && " + ssh_q +
          remote("mv " + shell_quote(dmesg_incomplete) + " " + shell_quote(join(dir, kDmesg))) + " || true",
      scp ? "scp -q " + scp_opts + " " + shell_quote(o.vmcore) + " " + shell_quote(scp_host + ":" + incomplete)
          : t.core_collector + " " + shell_quote(o.vmcore) + " | " + ssh +
                remote("umask 0077 && dd bs=" + std::to_string(kDdBlockSize) + " of=" + shell_quote(incomplete)),
      ssh + remote("mv " + shell_quote(incomplete) + " " + shell_quote(join(dir, plan.final_name))),
  };
}

using Planner = void (*)(const ResolvedTarget&, const PlanOptions&, DumpPlan&);
constexpr std::array<std::pair<ResolvedKind, Planner>, 4> kPlanners{{
    {ResolvedKind::kFilesystem, &plan_file},
    {ResolvedKind::kNfs, &plan_file},
    {ResolvedKind::kRaw, &plan_raw},
    {ResolvedKind::kSsh, &plan_ssh},
}};

}  // namespace

std::string dump_directory_name(std::string_view host_ip, const std::tm& local_time) {
  char date[64];
  // kdump.sh: DATEDIR=$(date +%Y-%m-%d-%T)
  std::size_t n = std::strftime(date, sizeof date, "%Y-%m-%d-%H:%M:%S", &local_time);
  return std::string(host_ip) + "-" + std::string(date, n);
}

std::string capture_mount_point(const ResolvedTarget& target) {
  if (target.mount_point.empty()) return "/kdumproot";
  if (target.mount_point == "/") return "/sysroot";
  return join("/kdumproot", target.mount_point);
}

DumpPlan plan_dump(const ResolvedTarget& target, std::string_view host_ip, const std::tm& local_time,
                   const PlanOptions& options) {
  DumpPlan plan;
  plan.directory = join(target.path.empty() ? "/" : target.path, dump_directory_name(host_ip, local_time));
  for (const auto& [kind, planner] : kPlanners)
    if (kind == target.kind) planner(target, options, plan);
  return plan;
}

}  // namespace kdump::cfg
