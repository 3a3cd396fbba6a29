// The dump command wires the pipeline together: source (ELF vmcore) -> page
// filter (dump level, through the crashed kernel's struct pages) -> codec ->
// writer (kdump-compressed, flattened or ELF) -> sink (a new file, renamed when
// complete, or standard output). Messages follow makedumpfile's message-level
// bits, so scripts parsing its report keep working.
#include "cli/dump_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "filter/page_report.h"
#include "io/file_source.h"
#include "sink/fd_stream.h"
#include "sink/file_sink.h"
#include "vmcore/dump.h"
#include "writer/dump_level_page_filter.h"
#include "writer/elf_vmcore_page_source.h"
#include "writer/flattened_writer.h"
#include "writer/rearrange.h"
#include "writer/write_dump.h"

namespace kdump::cli {
namespace {

// Progress on a terminal only: a percentage, the rate and the time left,
// redrawn at most a few times a second.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {}

  void update(std::uint64_t done, std::uint64_t total, std::size_t page_size) {
    if (!enabled_ || total == 0) return;
    const auto now = Clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) * static_cast<double>(page_size) / seconds : 0;
    const double left = rate > 0 ? static_cast<double>(total - done) * static_cast<double>(page_size) / rate : 0;
    std::fprintf(stderr, "\rCopying data: %5.1f%%  %7.1f MiB/s  ETA %4.0fs ",
                 100.0 * static_cast<double>(done) / static_cast<double>(total), rate / (1 << 20), left);
    if (done >= total) std::fprintf(stderr, "\n");
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
};

PageCounts report_counts(const WriteReport& report, const DumpLevelPageFilter* filter) {
  PageCounts counts;
  if (filter && filter->filter()) {
    counts = filter->filter()->counts();
  } else {
    counts.present = report.pages_present;
    counts.total = report.max_pfn;
    counts.hole = report.max_pfn > report.pages_present ? report.max_pfn - report.pages_present : 0;
  }
  // Zero pages are found by content in the writer, not from struct pages.
  counts.excluded[static_cast<std::size_t>(ExclusionClass::kZero)] = report.pages_zero;
  return counts;
}

std::string summary_line(const WriteReport& r) {
  char line[256];
  std::snprintf(line, sizeof line,
                "kdump-collector: %llu of %llu pages written (%llu excluded by level, %llu zero, %llu unreadable); "
                "%.1f MiB in, %.1f MiB out, %.2f s",
                static_cast<unsigned long long>(r.pages_stored), static_cast<unsigned long long>(r.pages_present),
                static_cast<unsigned long long>(r.pages_filtered), static_cast<unsigned long long>(r.pages_zero),
                static_cast<unsigned long long>(r.pages_unreadable), static_cast<double>(r.bytes_in) / (1 << 20),
                static_cast<double>(r.bytes_out) / (1 << 20), r.seconds);
  return line;
}

// What is damaged in the vmcore itself (truncated segments, a garbled
// VMCOREINFO), before the dump is written: the admin learns early what the
// dump will lack. A badly damaged file can have thousands of such lines.
void print_input_problems(const std::vector<std::string>& problems, std::ostream& messages) {
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < problems.size() && i < kShown; ++i)
    messages << "kdump-collector: warning: vmcore: " << problems[i] << "\n";
  if (problems.size() > kShown)
    messages << "kdump-collector: warning: vmcore: and " << problems.size() - kShown << " more problems\n";
}

}  // namespace

WriteReport write_dump_to(const DumpCommand& command, ByteSink& sink, std::ostream& messages) {
  const auto level = DumpLevel::from_int(static_cast<int>(command.dump_level));
  if (!level) throw std::invalid_argument("dump level " + std::to_string(command.dump_level) + " is not 0 to 31");
  FileSource file(command.vmcore);
  ElfVmcorePageSource source(file);
  auto dump = Dump::open(command.vmcore);
  source.set_kernel_memory(*dump);
  if (command.message_level & kMessageError) print_input_problems(dump->description().problems, messages);
  std::unique_ptr<DumpLevelPageFilter> filter;
  if (level->needs_mem_map()) filter = std::make_unique<DumpLevelPageFilter>(*dump, *level, pfn_ranges_of(source));
  WriteOptions options;
  options.format = command.elf ? DumpFormat::kElf : DumpFormat::kKdumpCompressed;
  options.codec = command.codec;
  options.threads = command.threads;
  options.dump_level = command.dump_level;
  ProgressLine progress(command.message_level & kMessageProgress);
  const std::size_t page_size = dump->description().page_size ? dump->description().page_size : 4096;
  options.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total, page_size); };
  const WriteReport report = write_dump(source, filter.get(), options, sink);
  if (command.message_level & kMessageError) {
    for (const auto& p : report.problems) messages << "kdump-collector: warning: " << p << "\n";
    if (filter && filter->filter())
      for (const auto& p : filter->filter()->problems()) messages << "kdump-collector: warning: " << p << "\n";
  }
  if (command.message_level & kMessageReport) {
    ReportExtras extras;
    extras.write_bytes = report.bytes_out;
    messages << "\n" << format_makedumpfile_report(report_counts(report, filter.get()), extras) << "\n";
  }
  if (command.message_level & kMessageCommon) messages << summary_line(report) << "\n";
  return report;
}

int run_dump(const DumpCommand& command, std::ostream& messages) {
  FileSource{command.vmcore};  // a vmcore that cannot be opened leaves no empty DUMPFILE-incomplete behind
  std::unique_ptr<FdOutputStream> stream;
  std::unique_ptr<ByteSink> sink;
  if (command.flattened) {
    stream = std::make_unique<FdOutputStream>(STDOUT_FILENO, "<stdout>");
    sink = std::make_unique<FlattenedSink>(*stream);
  } else {
    sink = std::make_unique<FileSink>(command.dumpfile);
  }
  write_dump_to(command, *sink, messages);
  if ((command.message_level & kMessageCommon) && !command.flattened)
    messages << "The dumpfile is saved to " << command.dumpfile << ".\n";
  return 0;
}

int run_rearrange(const std::string& dumpfile, unsigned message_level, std::ostream& messages) {
  FdInputStream in(STDIN_FILENO, "<stdin>");
  FileSink out(dumpfile);
  const RearrangeReport r = rearrange_flattened(in, out);
  if (message_level & kMessageCommon)
    messages << "kdump-collector: rearranged " << r.records << " records (" << r.bytes << " bytes)\n"
             << "The dumpfile is saved to " << dumpfile << ".\n";
  return 0;
}

}  // namespace kdump::cli
