#include "sink/fd_stream.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <system_error>
#include <vector>

#include "sink/memory_sink.h"

namespace kdump {
namespace {

TEST_CASE("an fd output stream delivers small and large writes in order") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::vector<std::byte> small(10, std::byte{1}), large(300 * 1024, std::byte{2}), expected;
  for (const auto* part : {&small, &large, &small}) expected.insert(expected.end(), part->begin(), part->end());
  std::thread writer([&] {
    FdOutputStream out(fds[1], "<pipe>");
    out.write(small);
    out.write(large);
    out.write(small);
    out.flush();
    close(fds[1]);
  });
  std::vector<std::byte> got, buf(65536);
  FdInputStream in(fds[0], "<pipe>");
  for (std::size_t n; (n = in.read(buf)) > 0;) got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  writer.join();
  close(fds[0]);
  CHECK(got == expected);
}

TEST_CASE("writing to a closed pipe is an error naming the stream") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  close(fds[0]);
  auto old = signal(SIGPIPE, SIG_IGN);
  FdOutputStream out(fds[1], "<stdout>");
  std::vector<std::byte> data(100);
  out.write(data);
  CHECK_THROWS_WITH_AS(out.flush(), "cannot write to <stdout>: Broken pipe", std::system_error);
  signal(SIGPIPE, old);
  close(fds[1]);
}

TEST_CASE("memory sink grows, fills gaps with zeros and enforces its limit") {
  MemorySink sink(16);
  std::vector<std::byte> two(2, std::byte{7});
  sink.write_at(4, two);
  CHECK(sink.bytes() == std::vector<std::byte>{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{7},
                                               std::byte{7}});
  CHECK_THROWS_AS(sink.write_at(15, two), std::system_error);
  CHECK_THROWS_AS(sink.write_at(~std::uint64_t{0}, two), std::system_error);
  CHECK(sink.writes() == 3);
}

}  // namespace
}  // namespace kdump
