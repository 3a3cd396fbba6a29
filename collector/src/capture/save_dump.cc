#include "capture/save_dump.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

#include "capture/subprocess.h"
#include "kdumpcfg/dump_plan.h"
#include "writer/flattened_writer.h"

namespace kdump::capture {
namespace {

constexpr const char* kIncomplete = "vmcore-incomplete";

[[noreturn]] void fail(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

// Remote targets stream sequential files: an ssh dd stream is one channel,
// where SFTP costs a session and a round trip per request.
bool prefers_stream(const Destination& destination, const std::string& dir) {
  return !destination.local_path(dir);
}

void save_text(Destination& destination, const std::string& dir, const std::string& text) {
  if (!prefers_stream(destination, dir)) {
    if (auto file = destination.create_file(dir, "vmcore-dmesg.txt")) {
      file->write_at(0, bytes_of(text));
      file->finish();
      return;
    }
  }
  auto stream = destination.create_stream(dir, "vmcore-dmesg-incomplete.txt", "vmcore-dmesg.txt");
  stream->write(bytes_of(text));
  stream->commit();
}

// Copies a readable descriptor into `out` until end of file.
std::uint64_t forward(int fd, OutputStream& out) {
  std::vector<std::byte> buffer(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(errno, "cannot read the core collector's output");
    if (n == 0) return total;
    out.write(std::span(buffer.data(), static_cast<std::size_t>(n)));
    total += static_cast<std::uint64_t>(n);
  }
}

// Runs an external collector in a shell as kdump-utils does, its output file
// `output`, or its standard output forwarded into `stream` when `output` is empty.
void run_external(const std::string& command, const std::string& vmcore, const std::string& output,
                  StreamFile* stream) {
  std::string line = command + " " + cfg::shell_quote(vmcore);
  if (!output.empty()) line += " " + cfg::shell_quote(output);
  if (!stream) {
    const ChildResult r = run_child({"/bin/sh", "-c", line}, {});
    if (!r.succeeded()) fail(EIO, "core collector `" + line + "` " + r.describe());
    return;
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) fail(errno, "pipe");
  int pid = -1;
  try {
    pid = start_child({"/bin/sh", "-c", line}, pipe_fds[1]);
  } catch (...) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw;
  }
  ::close(pipe_fds[1]);
  std::exception_ptr forwarding_error;
  try {
    forward(pipe_fds[0], *stream);
  } catch (...) {
    forwarding_error = std::current_exception();
  }
  ::close(pipe_fds[0]);  // a collector still writing gets SIGPIPE
  const ChildResult r = wait_child(pid, std::nullopt);
  if (forwarding_error) std::rethrow_exception(forwarding_error);
  if (!r.succeeded()) fail(EIO, "core collector `" + line + "` " + r.describe());
}

int open_vmcore(const std::string& vmcore) {
  const int fd = ::open(vmcore.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(errno, "cannot open " + vmcore);
  return fd;
}

// scp's job: the vmcore byte for byte, into a file written at offsets.
void copy_whole(const std::string& vmcore, ByteSink& sink) {
  const int fd = open_vmcore(vmcore);
  std::vector<std::byte> buffer(1 << 20);
  std::uint64_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      fail(error, "cannot read " + vmcore);
    }
    if (n == 0) break;
    try {
      sink.write_at(offset, std::span(buffer.data(), static_cast<std::size_t>(n)));
    } catch (...) {
      ::close(fd);
      throw;
    }
    offset += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  sink.finish();
}

// The same into a stream (an ssh dd: flow-controlled, where SFTP waits a round trip per request).
void copy_whole(const std::string& vmcore, StreamFile& stream) {
  const int fd = open_vmcore(vmcore);
  try {
    forward(fd, stream);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  stream.commit();
}

void rename_local(const std::string& dir, const std::string& from, const std::string& to) {
  const std::string a = dir + "/" + from, b = dir + "/" + to;
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_NOREPLACE) != 0)
    fail(errno, "cannot rename " + a + " to " + b);
}

// The dump itself; returns the name it was saved under.
std::string save_vmcore(Destination& destination, const SaveJob& job, std::ostream& log) {
  const std::string& dir = job.directory;
  const CollectorChoice& collector = job.collector;
  if (collector.builtin) {
    cli::DumpCommand command = *collector.builtin;
    command.vmcore = job.vmcore;
    std::unique_ptr<ByteSink> file;
    if (!command.flattened) file = destination.create_file(dir, "vmcore");
    if (file) {
      cli::write_dump_to(command, *file, log);
      return "vmcore";
    }
    auto stream = destination.create_stream(dir, kIncomplete, "vmcore.flat");
    FlattenedSink flattened(*stream);
    cli::write_dump_to(command, flattened, log);
    stream->commit();
    return "vmcore.flat";
  }
  if (collector.scp) {
    if (prefers_stream(destination, dir)) {
      copy_whole(job.vmcore, *destination.create_stream(dir, kIncomplete, "vmcore"));
      return "vmcore";
    }
    auto file = destination.create_file(dir, "vmcore");
    if (!file) fail(ENOTSUP, destination.describe() + ": scp needs a target that takes files");
    copy_whole(job.vmcore, *file);
    return "vmcore";
  }
  if (auto local = destination.local_path(dir); local && destination.holds_files()) {
    run_external(collector.external, job.vmcore, *local + "/" + kIncomplete, nullptr);
    rename_local(*local, kIncomplete, "vmcore");
    return "vmcore";
  }
  auto stream = destination.create_stream(dir, kIncomplete, "vmcore");
  // Targets without a path here get the collector's standard output, as
  // kdump-utils pipes it into dd; a file argument becomes /dev/stdout.
  run_external(collector.external, job.vmcore, destination.holds_files() ? "/dev/stdout" : "", stream.get());
  stream->commit();
  return "vmcore";
}

}  // namespace

void save_dump(Destination& destination, const SaveJob& job, SaveProgress& progress, std::ostream& log) {
  const bool files = destination.holds_files();
  if (files) {
    const bool reused = progress.directory_made;
    destination.create_directory(job.directory, reused);
    progress.directory_made = true;
    if (auto free = destination.available_bytes(job.directory)) {
      struct stat st;
      if (::stat(job.vmcore.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) > *free)
        log << "kdump-collector: capture: " << destination.describe() << " has " << (*free >> 20)
            << " MiB free and the vmcore holds " << (static_cast<std::uint64_t>(st.st_size) >> 20)
            << " MiB: the dump fits only if filtering and compression shrink it enough\n";
    }
    if (job.dmesg && !progress.dmesg_saved) {
      save_text(destination, job.directory, *job.dmesg);
      progress.dmesg_saved = true;
    }
    // Only a retry can find an earlier attempt's partial dump (one remote command less otherwise).
    if (reused) destination.remove_partial(job.directory, kIncomplete);
  }
  progress.dump_name = save_vmcore(destination, job, log);
}

}  // namespace kdump::capture
