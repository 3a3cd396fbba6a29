// The crash lab's real vmcore saved to a real sshd through SshDestination,
// both ways the capture flow does it: kdump-compressed over SFTP (the scp
// collector) and flattened through the remote dd (makedumpfile -F). Both
// must be, byte for byte, the dump written to a local file, and the log sent
// ahead must be the lab's reference vmcore-dmesg.txt.
#include "capture/ssh_destination.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "cli/dmesg_command.h"
#include "filter/dump_level.h"
#include "io/file_source.h"
#include "sink/fd_stream.h"
#include "sink/file_sink.h"
#include "support/lab_dir.h"
#include "support/sshd_server.h"
#include "unit/collector/transport/ssh_test_util.h"
#include "vmcore/dump.h"
#include "writer/dump_level_page_filter.h"
#include "writer/elf_vmcore_page_source.h"
#include "writer/flattened_writer.h"
#include "writer/rearrange.h"
#include "writer/write_dump.h"

namespace kdump::capture {
namespace {

// The lab vmcore at dump level 31, LZO, one fixed time stamp: the same bytes every time.
void write_lab_dump(const std::string& vmcore, ByteSink& sink) {
  FileSource file(vmcore);
  ElfVmcorePageSource source(file);
  auto dump = Dump::open(vmcore);
  source.set_kernel_memory(*dump);
  DumpLevelPageFilter filter(*dump, *DumpLevel::from_int(31), pfn_ranges_of(source));
  WriteOptions options;
  options.codec = CodecKind::kLzo;
  options.dump_level = 31;
  options.threads = 1;
  options.timestamp_sec = 1700000000;
  write_dump(source, &filter, options, sink);
}

std::string vmcore_dmesg(const std::string& path) {
  auto dump = Dump::open(path);
  std::ostringstream out, warn;
  REQUIRE(cli::write_dmesg(*dump, cli::DmesgFormat::kVmcoreDmesg, out, warn) == 0);
  return out.str();
}

TEST_CASE("ssh destination: the lab vmcore over SFTP and through dd, identical to a local dump") {
  KDUMP_SKIP_WITHOUT_SSHD();
  const auto lab = test::find_lab_dir();
  if (lab.empty()) {
    MESSAGE("skipped: no crash lab output (run tests/lab/crash-lab or the lab fixture)");
    return;
  }
  const std::string vmcore = (lab / "vmcore").string();
  test::SshdServer server;
  test::KillAfter limit(server, std::chrono::seconds(600));
  const auto local = server.dir() + "/local";
  REQUIRE(::mkdir(local.c_str(), 0700) == 0);
  {
    FileSink reference(local + "/vmcore");
    write_lab_dump(vmcore, reference);
  }
  const auto expected = test::slurp_file(local + "/vmcore");
  REQUIRE(expected.size() > (1 << 20));

  SshDestination dest(server.endpoint());
  const auto dir = server.dir() + "/var/crash/127.0.0.1-2026-11-22-03:00:00";
  dest.create_directory(dir, false);

  // The log first, as the capture flow writes it.
  const auto log = vmcore_dmesg(vmcore);
  {
    auto file = dest.create_file(dir, "vmcore-dmesg.txt");
    file->write_at(0, std::as_bytes(std::span(log.data(), log.size())));
    file->finish();
  }
  CHECK(test::slurp_file(dir + "/vmcore-dmesg.txt") == test::slurp_file((lab / "ref/vmcore-dmesg.txt").string()));

  SUBCASE("kdump-compressed over SFTP") {
    auto sink = dest.create_file(dir, "vmcore");
    write_lab_dump(vmcore, *sink);
    CHECK(!test::exists(dir + "/vmcore-incomplete"));
    CHECK(test::slurp_file(dir + "/vmcore") == expected);
    CHECK(test::mode_of(dir + "/vmcore") == 0600);
    CHECK(vmcore_dmesg(dir + "/vmcore") == log);
  }
  SUBCASE("flattened through the remote dd, to vmcore.flat") {
    auto stream = dest.create_stream(dir, "vmcore-incomplete", "vmcore.flat");
    FlattenedSink flattened(*stream);
    write_lab_dump(vmcore, flattened);
    CHECK(test::exists(dir + "/vmcore-incomplete"));
    CHECK(!test::exists(dir + "/vmcore.flat"));
    stream->commit();
    CHECK(!test::exists(dir + "/vmcore-incomplete"));
    CHECK(test::mode_of(dir + "/vmcore.flat") == 0600);
    // Readable as it is, and rearranged (makedumpfile -R) it is the local dump.
    CHECK(Dump::open(dir + "/vmcore.flat")->description().flattened);
    CHECK(vmcore_dmesg(dir + "/vmcore.flat") == log);
    const int fd = ::open((dir + "/vmcore.flat").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    {
      FdInputStream in(fd, "vmcore.flat");
      FileSink rearranged(local + "/rearranged");
      rearrange_flattened(in, rearranged);
    }
    ::close(fd);
    CHECK(test::slurp_file(local + "/rearranged") == expected);
  }
  CHECK(test::mode_of(dir) == 0700);
}

}  // namespace
}  // namespace kdump::capture
