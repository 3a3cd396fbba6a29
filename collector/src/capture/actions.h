#pragma once
// What the capture does to the machine when it is over: reboot, halt,
// power off or open a shell. Behind an interface so a rehearsal
// (--simulate-actions) and the tests see the action instead of suffering it.

#include <ostream>

#include "kdumpcfg/config.h"

namespace kdump::capture {

class Actions {
 public:
  virtual ~Actions() = default;
  /// Reboot, halt and poweroff do not return when real; shell returns when
  /// the shell exits. dump_to_rootfs is the capture flow's own business and never comes here.
  virtual void perform(cfg::Action action) = 0;
};

/// The real thing: sync, then reboot(2); a shell on the console.
class SystemActions final : public Actions {
 public:
  void perform(cfg::Action action) override;
};

/// Prints "action: reboot" and does nothing else.
class PrintedActions final : public Actions {
 public:
  explicit PrintedActions(std::ostream& out) : out_(out) {}
  void perform(cfg::Action action) override;

 private:
  std::ostream& out_;
};

}  // namespace kdump::capture
