#include "cli/capture_command.h"

#include <sched.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "capture/capture_flow.h"
#include "capture/open_destination.h"
#include "kdumpcfg/config.h"
#include "kdumpcfg/posix_system.h"
#include "kdumpcfg/target.h"

namespace kdump::cli {
namespace {

constexpr const char* kPrefix = "kdump-collector: capture: ";

unsigned usable_cpus() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The collector kdump-utils would run here, after its capture-time rewrite with the CPUs we have.
capture::CollectorChoice choose_collector(const cfg::Config& config, const CollectorParser& parse,
                                          std::ostream& log) {
  const std::optional<cfg::TargetKind> kind =
      config.target ? std::optional<cfg::TargetKind>(config.target->kind) : std::nullopt;
  const std::string configured =
      config.core_collector_set ? config.core_collector_configured : cfg::default_core_collector(kind);
  const cfg::CollectorRewrite rewrite = cfg::rewrite_core_collector(configured, kind, usable_cpus());
  for (const auto& note : rewrite.notes) log << kPrefix << note << "\n";
  capture::CollectorChoice choice;
  std::vector<std::string> words = cfg::split_command_words(rewrite.command);
  if (!words.empty() && cfg::is_makedumpfile_like(words.front())) {
    choice.builtin = parse(std::vector<std::string>(words.begin() + 1, words.end()));
    // The page report makedumpfile prints at level 31 goes to the capture log too.
    return choice;
  }
  if (!words.empty() && words.front() == "scp" && kind == cfg::TargetKind::kSsh) {
    choice.scp = true;
    return choice;
  }
  choice.external = rewrite.command;
  return choice;
}

}  // namespace

int run_capture_command(const CaptureCommand& command, const CollectorParser& parse_collector, std::ostream& out,
                        std::ostream& log) {
  std::ifstream file(command.config, std::ios::binary);
  if (!file) {
    log << kPrefix << "cannot read " << command.config << "\n";
    return 2;
  }
  std::stringstream text;
  text << file.rdbuf();
  const cfg::ParseResult parsed = cfg::parse_config(text.str(), command.config);
  for (const auto& d : parsed.diagnostics) log << cfg::format_short(d) << "\n";
  if (!parsed.ok()) return 2;

  cfg::PosixSystem system(command.mountinfo);
  const cfg::ResolveResult resolved = cfg::resolve_target(parsed.config, system, command.config);
  for (const auto& d : resolved.diagnostics) log << cfg::format_short(d) << "\n";
  if (!resolved.ok()) return 2;

  capture::CaptureRequest request;
  request.config = parsed.config;
  request.target = resolved.target;
  request.collector = choose_collector(parsed.config, parse_collector, log);
  request.vmcore = command.vmcore;
  request.hooks_dir = command.hooks_dir;
  request.hook_timeout = std::chrono::seconds(command.hook_timeout_seconds);
  request.attempts = std::max(1u, command.attempts);
  request.retry_delay = std::chrono::seconds(command.retry_delay_seconds);
  request.rootfs = !command.rootfs.empty() ? command.rootfs : is_directory("/sysroot") ? "/sysroot" : "/";
  const std::time_t now = std::time(nullptr);
  ::localtime_r(&now, &request.local_time);

  capture::DestinationOptions options;
  options.ssh_config = command.ssh_config;
  options.timeout_seconds = static_cast<int>(command.timeout_seconds);
  options.nfs_port = command.nfs_port;
  options.nfs_mount_port = command.nfs_mount_port;
  options.mount_base = command.mount_base;
  const capture::DestinationOpener open = [&](const cfg::ResolvedTarget& target) {
    return capture::open_destination(target, options);
  };
  capture::PrintedActions printed(out);
  capture::SystemActions real;
  capture::Actions& actions = command.simulate_actions ? static_cast<capture::Actions&>(printed) : real;
  return capture::run_capture(request, open, actions, log);
}

}  // namespace kdump::cli
