#pragma once
// The collector's main job, makedumpfile's way: read a vmcore, leave out pages
// by dump level, compress, and write a kdump-compressed, flattened or ELF dump;
// or rearrange a flattened stream into a dump file (-R).

#include <iosfwd>
#include <string>

#include "codec/codec.h"
#include "sink/byte_sink.h"
#include "writer/write_dump.h"

namespace kdump::cli {

/// makedumpfile's --message-level bits.
inline constexpr unsigned kMessageProgress = 1;
inline constexpr unsigned kMessageCommon = 2;
inline constexpr unsigned kMessageError = 4;
inline constexpr unsigned kMessageReport = 16;

/// What a makedumpfile-style command line asks for.
struct DumpCommand {
  std::string vmcore;    // input: /proc/vmcore or a copy
  std::string dumpfile;  // output file; empty with -F (stdout)
  unsigned dump_level = 0;
  CodecKind codec = CodecKind::kNone;
  bool elf = false;        // -E
  bool flattened = false;  // -F
  unsigned threads = 1;    // compression threads (--num-threads)
  unsigned message_level = 7;  // makedumpfile's default
};

/// Writes the dump of command.vmcore into `sink` and finishes it (command.dumpfile
/// and command.flattened are not looked at); messages as run_dump's.
WriteReport write_dump_to(const DumpCommand& command, ByteSink& sink, std::ostream& messages);

/// Writes the dump; messages (progress, summary, report) go to `messages`.
/// Returns the exit status; throws on failures that leave no usable dump.
int run_dump(const DumpCommand& command, std::ostream& messages);

/// -R: reads a flattened stream from standard input into `dumpfile`.
int run_rearrange(const std::string& dumpfile, unsigned message_level, std::ostream& messages);

}  // namespace kdump::cli
