// The capture flow's retries, on the lab's vmcore: a destination whose
// connection drops part way through the dump (injected into a real local
// directory) is opened again, the directory this capture made is reused, the
// partial vmcore-incomplete is replaced, vmcore-dmesg.txt is not written twice,
// and the attempts are bounded. Errors a retry cannot mend are not retried.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <sstream>
#include <system_error>

#include "capture/capture_flow.h"
#include "capture/local_destination.h"
#include "support/lab_dir.h"

namespace kdump::capture {
namespace {

namespace fs = std::filesystem;

// Writes through to `inner` until `budget` bytes, then fails as a lost connection does.
class DroppingSink final : public ByteSink {
 public:
  DroppingSink(std::unique_ptr<ByteSink> inner, std::uint64_t budget) : inner_(std::move(inner)), budget_(budget) {}
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override {
    if (written_ + bytes.size() > budget_) throw std::system_error(ECONNRESET, std::generic_category(), "connection lost");
    written_ += bytes.size();
    inner_->write_at(offset, bytes);
  }
  void finish() override { inner_->finish(); }
  std::string name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSink> inner_;
  std::uint64_t budget_;
  std::uint64_t written_ = 0;
};

// A local directory whose first `drops` connections drop during the dump.
struct FlakyTarget {
  std::string top;
  int drops = 0;
  int opened = 0;
  int dmesg_files = 0;

  std::unique_ptr<Destination> open() {
    ++opened;
    class Flaky final : public Destination {
     public:
      Flaky(FlakyTarget& owner, bool drop) : owner_(owner), local_(owner.top, "flaky " + owner.top), drop_(drop) {}
      std::string describe() const override { return local_.describe(); }
      void create_directory(const std::string& dir, bool reuse) override { local_.create_directory(dir, reuse); }
      std::optional<std::uint64_t> available_bytes(const std::string& dir) override { return local_.available_bytes(dir); }
      std::unique_ptr<ByteSink> create_file(const std::string& dir, const std::string& name) override {
        if (name == "vmcore-dmesg.txt") ++owner_.dmesg_files;
        auto file = local_.create_file(dir, name);
        if (drop_ && name == "vmcore") return std::make_unique<DroppingSink>(std::move(file), 1 << 20);
        return file;
      }
      std::unique_ptr<StreamFile> create_stream(const std::string& dir, const std::string& t,
                                                const std::string& n) override {
        if (n == "vmcore-dmesg.txt") ++owner_.dmesg_files;
        return local_.create_stream(dir, t, n);
      }
      std::optional<std::string> local_path(const std::string& dir) const override { return local_.local_path(dir); }
      void remove_partial(const std::string& dir, const std::string& name) override { local_.remove_partial(dir, name); }

     private:
      FlakyTarget& owner_;
      LocalDestination local_;
      bool drop_;
    };
    return std::make_unique<Flaky>(*this, opened <= drops);
  }
};

struct Scratch {
  Scratch() {
    char name[] = "/tmp/kdump-retry-test-XXXXXX";
    REQUIRE(::mkdtemp(name));
    root = name;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string root;
};

CaptureRequest request_for(const fs::path& lab, const std::string& hooks) {
  CaptureRequest r;
  r.config.path = "/crash";
  r.target.kind = cfg::ResolvedKind::kFilesystem;
  r.target.path = "/crash";
  r.collector.builtin = cli::DumpCommand{};
  r.collector.builtin->codec = CodecKind::kLzo;
  r.collector.builtin->dump_level = 31;
  r.collector.builtin->message_level = 0;
  r.vmcore = (lab / "vmcore").string();
  r.hooks_dir = hooks;
  r.retry_delay = std::chrono::seconds(0);
  r.local_time.tm_year = 126;
  r.local_time.tm_mday = 1;
  return r;
}

TEST_CASE("lab: a connection lost during the dump is retried and the capture completes") {
  const fs::path lab = test::find_lab_dir();
  Scratch scratch;
  FlakyTarget target{scratch.root};
  target.drops = 2;
  std::ostringstream out, log;
  PrintedActions actions(out);
  const int status = run_capture(request_for(lab, scratch.root + "/no-hooks"),
                                 [&](const cfg::ResolvedTarget&) { return target.open(); }, actions, log);
  INFO(log.str());
  CHECK(status == 0);
  CHECK(target.opened == 3);
  CHECK(target.dmesg_files == 1);
  CHECK(out.str() == "action: reboot\n");
  const fs::path dir = fs::path(scratch.root) / "crash" / "127.0.0.1-2026-01-01-00:00:00";
  CHECK(fs::exists(dir / "vmcore"));
  CHECK(fs::exists(dir / "vmcore-dmesg.txt"));
  CHECK_FALSE(fs::exists(dir / "vmcore-incomplete"));
  CHECK(log.str().find("(attempt 3)") != std::string::npos);
}

TEST_CASE("lab: retries are bounded and end in the failure action, with the partial dump left incomplete") {
  const fs::path lab = test::find_lab_dir();
  Scratch scratch;
  FlakyTarget target{scratch.root};
  target.drops = 100;
  std::ostringstream out, log;
  PrintedActions actions(out);
  CaptureRequest request = request_for(lab, scratch.root + "/no-hooks");
  request.config.failure_action = cfg::Action::kPoweroff;
  const int status =
      run_capture(request, [&](const cfg::ResolvedTarget&) { return target.open(); }, actions, log);
  INFO(log.str());
  CHECK(status == 1);
  CHECK(target.opened == 3);
  CHECK(out.str() == "action: poweroff\n");
  const fs::path dir = fs::path(scratch.root) / "crash" / "127.0.0.1-2026-01-01-00:00:00";
  CHECK(fs::exists(dir / "vmcore-incomplete"));
  CHECK(fs::exists(dir / "vmcore-dmesg.txt"));
  CHECK_FALSE(fs::exists(dir / "vmcore"));
  CHECK(log.str().find("giving up after 3 attempts") != std::string::npos);
}

TEST_CASE("what is worth another attempt") {
  CHECK(worth_retrying(std::make_error_code(std::errc::connection_reset)));
  CHECK(worth_retrying(std::make_error_code(std::errc::timed_out)));
  CHECK(worth_retrying(std::make_error_code(std::errc::io_error)));
  CHECK_FALSE(worth_retrying(std::make_error_code(std::errc::no_space_on_device)));
  CHECK_FALSE(worth_retrying(std::make_error_code(std::errc::permission_denied)));
  CHECK_FALSE(worth_retrying(std::make_error_code(std::errc::file_exists)));
  CHECK_FALSE(worth_retrying(std::make_error_code(std::errc::no_such_file_or_directory)));
  CHECK_FALSE(worth_retrying(std::error_code(EDQUOT, std::generic_category())));
  CHECK_FALSE(worth_retrying(std::make_error_code(std::errc::device_or_resource_busy)));
}

}  // namespace
}  // namespace kdump::capture
