#pragma once
// kdump_pre / pre.d and kdump_post / post.d, as kdump-utils runs them: the
// configured script first, then each executable of the directory in name
// order; pre hooks must all exit 0 for the capture to go on, post hooks get
// the capture's exit status as their only argument.

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "capture/subprocess.h"

namespace kdump::capture {

/// The hooks of one phase, in the order they run.
std::vector<std::string> hook_programs(const std::string& configured, const std::string& directory);

/// Runs each hook with `args`, each bounded by `timeout`, logging to `log`.
/// Returns false at the first hook that does not exit 0 when `stop_on_failure`.
bool run_hooks(const std::vector<std::string>& programs, const std::vector<std::string>& args,
               std::chrono::seconds timeout, bool stop_on_failure, std::ostream& log);

}  // namespace kdump::capture
