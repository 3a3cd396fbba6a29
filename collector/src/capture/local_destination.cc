#include "capture/local_destination.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "capture/path_components.h"
#include "sink/fd_stream.h"
#include "sink/file_sink.h"

namespace kdump::capture {
namespace {

[[noreturn]] void fail(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// A flattened dump written to a new local file, renamed into place by commit().
class LocalStreamFile final : public StreamFile {
 public:
  LocalStreamFile(std::string temporary, std::string final_path)
      : temporary_(std::move(temporary)), final_(std::move(final_path)) {
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0) fail(errno, "cannot create " + temporary_);
    out_ = std::make_unique<FdOutputStream>(fd_, temporary_);
  }
  ~LocalStreamFile() override {
    out_.reset();
    if (fd_ >= 0) ::close(fd_);
  }
  void write(std::span<const std::byte> bytes) override { out_->write(bytes); }
  void flush() override { out_->flush(); }
  std::string name() const override { return final_; }
  void commit() override {
    out_->flush();
    if (::fsync(fd_) != 0) fail(errno, "cannot fsync " + temporary_);
    if (::renameat2(AT_FDCWD, temporary_.c_str(), AT_FDCWD, final_.c_str(), RENAME_NOREPLACE) != 0)
      fail(errno, "cannot rename " + temporary_ + " to " + final_);
  }

 private:
  std::string temporary_;
  std::string final_;
  int fd_ = -1;
  std::unique_ptr<FdOutputStream> out_;
};

}  // namespace

LocalDestination::LocalDestination(std::string top, std::string label)
    : top_(std::move(top)), label_(std::move(label)) {}

void LocalDestination::create_directory(const std::string& dir, bool reuse) {
  Fd current(::open(top_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (current.get() < 0) fail(errno, label_ + ": cannot open " + top_);
  const auto parts = path_components(dir);
  std::string walked = top_;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    walked += (walked.ends_with('/') ? "" : "/") + parts[i];
    if (::mkdirat(current.get(), parts[i].c_str(), 0700) != 0) {
      if (errno != EEXIST) fail(errno, label_ + ": cannot create directory " + walked);
      if (last && !reuse) fail(EEXIST, label_ + ": " + walked + " exists already (an earlier dump is never written into)");
    }
    int next = ::openat(current.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      const int error = errno;
      if (error == ELOOP || error == ENOTDIR)
        fail(error, label_ + ": " + walked + " is not a directory (a symbolic link there is refused, not followed)");
      fail(error, label_ + ": cannot open directory " + walked);
    }
    current.reset(next);
  }
}

std::optional<std::uint64_t> LocalDestination::available_bytes(const std::string& dir) {
  struct statvfs st;
  const std::string path = *local_path(dir);
  if (::statvfs(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

std::unique_ptr<ByteSink> LocalDestination::create_file(const std::string& dir, const std::string& name) {
  return std::make_unique<FileSink>(*local_path(dir) + "/" + name);
}

std::unique_ptr<StreamFile> LocalDestination::create_stream(const std::string& dir, const std::string& temporary,
                                                            const std::string& name) {
  const std::string base = *local_path(dir) + "/";
  return std::make_unique<LocalStreamFile>(base + temporary, base + name);
}

void LocalDestination::remove_partial(const std::string& dir, const std::string& name) {
  const std::string path = *local_path(dir) + "/" + name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail(errno, label_ + ": cannot remove " + path);
}

std::optional<std::string> LocalDestination::local_path(const std::string& dir) const {
  std::string path = top_;
  for (const auto& part : path_components(dir)) path += (path.ends_with('/') ? "" : "/") + part;
  return path;
}

}  // namespace kdump::capture
