#include "capture/capture_flow.h"

#include <cerrno>
#include <sstream>
#include <system_error>
#include <thread>

#include "capture/hooks.h"
#include "capture/local_destination.h"
#include "capture/open_destination.h"
#include "cli/dmesg_command.h"
#include "kdumpcfg/dump_plan.h"
#include "vmcore/dump.h"

namespace kdump::capture {
namespace {

constexpr const char* kPrefix = "kdump-collector: capture: ";

// vmcore-dmesg.txt's text, or nullopt (with the reason logged) when the log
// cannot be read: kdump-utils saves the dump without it.
std::optional<std::string> read_dmesg(const std::string& vmcore, std::ostream& log) {
  try {
    auto dump = Dump::open(vmcore);
    std::ostringstream text, problems;
    cli::write_dmesg(*dump, cli::DmesgFormat::kVmcoreDmesg, text, problems);
    if (!problems.str().empty()) log << problems.str();
    return text.str();
  } catch (const std::exception& e) {
    log << kPrefix << "no vmcore-dmesg.txt: " << e.what() << "\n";
    return std::nullopt;
  }
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

// Saves to one place, retrying what a retry can mend.
bool save_with_retries(const std::function<std::unique_ptr<Destination>()>& open, SaveJob job, unsigned attempts,
                       std::chrono::seconds delay, const std::string& directory_parent, const std::string& ip_default,
                       const std::tm& local_time, std::ostream& log) {
  SaveProgress progress;
  for (unsigned attempt = 1;; ++attempt) {
    std::string where = "the target";
    try {
      auto destination = open();
      where = destination->describe();
      if (!progress.directory_made)
        job.directory = join(directory_parent,
                             cfg::dump_directory_name(destination->local_address().value_or(ip_default), local_time));
      log << kPrefix << "saving to " << where;
      if (destination->holds_files()) log << " in " << job.directory;
      log << (attempt > 1 ? " (attempt " + std::to_string(attempt) + ")" : "") << "\n";
      save_dump(*destination, job, progress, log);
      if (destination->holds_files())
        log << kPrefix << "saved " << (job.dmesg ? "vmcore-dmesg.txt and " : "") << progress.dump_name << " to "
            << where << " in " << job.directory << "\n";
      else
        log << kPrefix << "saved the dump (flattened) to " << where << "\n";
      return true;
    } catch (const std::system_error& e) {
      log << kPrefix << "saving to " << where << " failed: " << e.what() << "\n";
      if (!worth_retrying(e.code())) return false;
      if (attempt >= attempts) {
        log << kPrefix << "giving up after " << attempts << " attempts\n";
        return false;
      }
      log << kPrefix << "retrying in " << delay.count() << " s\n";
      std::this_thread::sleep_for(delay);
    } catch (const std::exception& e) {
      log << kPrefix << "saving to " << where << " failed: " << e.what() << "\n";
      return false;
    }
  }
}

}  // namespace

bool worth_retrying(const std::error_code& error) {
  if (error.category() != std::generic_category() && error.category() != std::system_category()) return true;
  switch (static_cast<std::errc>(error.value())) {
    case std::errc::no_space_on_device:
    case std::errc::file_exists:
    case std::errc::permission_denied:
    case std::errc::operation_not_permitted:
    case std::errc::read_only_file_system:
    case std::errc::too_many_symbolic_link_levels:
    case std::errc::not_a_directory:
    case std::errc::no_such_file_or_directory:
    case std::errc::no_such_device:
    case std::errc::not_supported:
    case std::errc::invalid_argument:
    case std::errc::filename_too_long:
    case std::errc::device_or_resource_busy:  // a raw device in use stays in use
      return false;
    default:
      return error.value() != EDQUOT && error.value() != ENOTBLK;
  }
}

int run_capture(const CaptureRequest& request, const DestinationOpener& open, Actions& actions, std::ostream& log) {
  const cfg::Config& config = request.config;
  const std::string pre_dir = join(request.hooks_dir, "pre.d");
  const std::string post_dir = join(request.hooks_dir, "post.d");
  if (!run_hooks(hook_programs(config.kdump_pre, pre_dir), {}, request.hook_timeout, true, log)) {
    // kdump-utils: a failing kdump_pre reboots without a dump.
    log << kPrefix << "a pre hook failed: rebooting without saving\n";
    actions.perform(cfg::Action::kReboot);
    return 1;
  }

  SaveJob job;
  job.vmcore = request.vmcore;
  job.collector = request.collector;
  job.dmesg = read_dmesg(request.vmcore, log);

  const bool saved = save_with_retries(
      [&] { return open(request.target); }, job, request.attempts, request.retry_delay,
      path_on_destination(request.target), "127.0.0.1", request.local_time, log);
  const int status = saved ? 0 : 1;

  run_hooks(hook_programs(config.kdump_post, post_dir), {std::to_string(status)}, request.hook_timeout, false, log);
  if (saved) {
    actions.perform(config.final_action);
    return 0;
  }

  if (!config.kdump_emergency.empty())
    run_hooks({config.kdump_emergency}, {}, request.hook_timeout, false, log);
  const cfg::Action failure = config.failure_action;
  if (failure != cfg::Action::kDumpToRootfs) {
    actions.perform(failure);
    // Reboot, halt and poweroff only come back when simulated; after a shell, the final action.
    if (failure == cfg::Action::kShell) actions.perform(config.final_action);
    return 1;
  }
  actions.perform(cfg::Action::kDumpToRootfs);  // announced; the flow does it
  SaveJob rootfs_job = job;
  if (rootfs_job.collector.builtin) rootfs_job.collector.builtin->flattened = false;
  rootfs_job.collector.scp = false;
  if (!rootfs_job.collector.builtin && rootfs_job.collector.external.empty())
    rootfs_job.collector.external = "cp --sparse=always";
  save_with_retries([&] { return std::make_unique<LocalDestination>(request.rootfs, "rootfs " + request.rootfs); },
                    rootfs_job, 1, {}, config.path, "127.0.0.1", request.local_time, log);
  actions.perform(config.final_action);
  return 1;
}

}  // namespace kdump::capture
