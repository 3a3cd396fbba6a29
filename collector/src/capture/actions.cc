#include "capture/actions.h"

#include <sys/reboot.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "capture/subprocess.h"

namespace kdump::capture {

void SystemActions::perform(cfg::Action action) {
  ::sync();
  int command = 0;
  switch (action) {
    case cfg::Action::kShell:
      run_child({"/bin/sh", "-i"}, {});
      return;
    case cfg::Action::kDumpToRootfs:
      return;
    case cfg::Action::kReboot:
      command = RB_AUTOBOOT;
      break;
    case cfg::Action::kHalt:
      command = RB_HALT_SYSTEM;
      break;
    case cfg::Action::kPoweroff:
      command = RB_POWER_OFF;
      break;
  }
  ::reboot(command);
  throw std::system_error(errno, std::generic_category(), std::string(cfg::action_name(action)) + " failed");
}

void PrintedActions::perform(cfg::Action action) { out_ << "action: " << cfg::action_name(action) << std::endl; }

}  // namespace kdump::capture
