#pragma once
// The capture, start to end, as the capture kernel runs it: pre hooks, the
// save (retried a bounded number of times when the target goes away), post
// hooks with the result, and the failure or final action.

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "capture/actions.h"
#include "capture/destination.h"
#include "capture/save_dump.h"
#include "kdumpcfg/config.h"
#include "kdumpcfg/target.h"

namespace kdump::capture {

/// Everything one capture needs.
struct CaptureRequest {
  cfg::Config config;
  cfg::ResolvedTarget target;
  CollectorChoice collector;
  std::string vmcore = "/proc/vmcore";
  std::string hooks_dir = "/etc/kdump";  ///< holds pre.d and post.d
  std::chrono::seconds hook_timeout{300};
  unsigned attempts = 3;  ///< tries at reaching and writing the target
  std::chrono::seconds retry_delay{5};
  std::string rootfs = "/";  ///< dump_to_rootfs writes under rootfs + config.path
  std::tm local_time{};      ///< names the dump directory
};

/// Connects to a target (open_destination in production).
using DestinationOpener = std::function<std::unique_ptr<Destination>(const cfg::ResolvedTarget&)>;

/// Runs the capture; returns 0 if the dump was saved to the target, 1 if not
/// (after the failure action, when that returns).
int run_capture(const CaptureRequest& request, const DestinationOpener& open, Actions& actions, std::ostream& log);

/// True for errors worth another attempt (a lost or refused connection), false
/// for those that would only repeat (no space, no permission, an existing dump, no such thing).
bool worth_retrying(const std::error_code& error);

}  // namespace kdump::capture
