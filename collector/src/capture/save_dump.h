#pragma once
// Saving one capture into one destination: the directory, vmcore-dmesg.txt
// first (small and the most read), then the dump as vmcore-incomplete,
// renamed only when complete. What this call already achieved is kept in
// SaveProgress, so a retry after a lost connection does not redo it.

#include <optional>
#include <ostream>
#include <string>

#include "capture/destination.h"
#include "cli/dump_command.h"

namespace kdump::capture {

/// How the dump is taken.
struct CollectorChoice {
  /// Set when core_collector names makedumpfile or kdump-collector: runs in-process.
  std::optional<cli::DumpCommand> builtin;
  /// Otherwise the command line as configured ("cp --sparse=always"); kdump-utils
  /// runs it as `COLLECTOR VMCORE OUTPUT`, or `COLLECTOR VMCORE | dd` for raw and ssh.
  std::string external;
  /// `scp` on an ssh target: the vmcore as it is, over SFTP (what scp does today).
  bool scp = false;
};

/// One save.
struct SaveJob {
  std::string vmcore;
  std::string directory;          ///< on the destination; ignored when it holds no files
  std::optional<std::string> dmesg;  ///< vmcore-dmesg.txt's text; nullopt: could not be read
  CollectorChoice collector;
};

/// What has been done so far, across attempts.
struct SaveProgress {
  bool directory_made = false;
  bool dmesg_saved = false;
  std::string dump_name;  ///< "vmcore" or "vmcore.flat" once saved
};

/// Saves into `destination`; throws std::system_error (ENOSPC, a lost
/// connection, ...) leaving any partial file as vmcore-incomplete.
void save_dump(Destination& destination, const SaveJob& job, SaveProgress& progress, std::ostream& log);

}  // namespace kdump::capture
