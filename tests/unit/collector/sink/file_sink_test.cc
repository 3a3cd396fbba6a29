#include "sink/file_sink.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "support/file_checks.h"

namespace kdump {
namespace {

using ::test::slurp;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/kdump-sink-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

TEST_CASE("a file sink writes under -incomplete and renames on finish") {
  TempDir dir;
  const auto final_path = dir.path / "vmcore";
  {
    FileSink sink(final_path.string());
    CHECK(sink.temporary_path() == final_path.string() + "-incomplete");
    sink.write_at(4, bytes_of("dump"));
    sink.write_at(0, bytes_of("KDMP"));
    CHECK(std::filesystem::exists(sink.temporary_path()));
    CHECK_FALSE(std::filesystem::exists(final_path));
    struct stat st;
    REQUIRE(stat(sink.temporary_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    sink.finish();
  }
  CHECK(slurp(final_path) == "KDMPdump");
  CHECK_FALSE(std::filesystem::exists(dir.path / "vmcore-incomplete"));
}

TEST_CASE("a file sink that is not finished leaves the -incomplete file") {
  TempDir dir;
  {
    FileSink sink((dir.path / "vmcore").string());
    sink.write_at(0, bytes_of("partial"));
  }
  CHECK(slurp(dir.path / "vmcore-incomplete") == "partial");
  CHECK_FALSE(std::filesystem::exists(dir.path / "vmcore"));
}

TEST_CASE("a file sink given nothing before it goes leaves no empty -incomplete file") {
  TempDir dir;
  { FileSink sink((dir.path / "vmcore").string()); }
  CHECK_FALSE(std::filesystem::exists(dir.path / "vmcore-incomplete"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "vmcore"));
  // Nor does it remove a file that took that name after it: only its own.
  {
    FileSink sink((dir.path / "vmcore").string());
    std::filesystem::remove(dir.path / "vmcore-incomplete");
    std::ofstream(dir.path / "vmcore-incomplete") << "";
  }
  CHECK(std::filesystem::exists(dir.path / "vmcore-incomplete"));
}

TEST_CASE("a file sink never replaces or follows what is already there") {
  TempDir dir;
  const auto p = dir.path / "vmcore";
  SUBCASE("the dump exists") {
    std::ofstream(p) << "old";
    CHECK_THROWS_WITH_AS(FileSink(p.string()), doctest::Contains("File exists"), std::system_error);
    CHECK(slurp(p) == "old");
  }
  SUBCASE("a planted link at the temporary name") {
    std::filesystem::create_symlink("/etc/passwd-target-that-must-not-be-written", dir.path / "vmcore-incomplete");
    CHECK_THROWS_AS(FileSink(p.string()), std::system_error);
  }
  SUBCASE("the dump appears while writing") {
    FileSink sink(p.string());
    sink.write_at(0, bytes_of("new"));
    std::ofstream(p) << "raced";
    CHECK_THROWS_WITH_AS(sink.finish(), doctest::Contains("File exists"), std::system_error);
    CHECK(slurp(p) == "raced");
  }
  SUBCASE("the directory is missing") {
    const std::string want = "cannot create " + (dir.path / "nope" / "vmcore-incomplete").string() +
                             ": No such file or directory";
    CHECK_THROWS_WITH_AS(FileSink((dir.path / "nope" / "vmcore").string()), want.c_str(), std::system_error);
  }
}

TEST_CASE("a full filesystem is an error naming the file") {
  if (geteuid() != 0) return;
  TempDir dir;
  const auto mnt = dir.path / "mnt";
  std::filesystem::create_directory(mnt);
  if (std::system(("mount -t tmpfs -o size=64k tmpfs " + mnt.string() + " 2>/dev/null").c_str()) != 0) return;
  {
    FileSink sink((mnt / "vmcore").string());
    std::vector<std::byte> big(1 << 20);
    CHECK_THROWS_WITH_AS(sink.write_at(0, big), doctest::Contains("No space left on device"), std::system_error);
  }
  CHECK(std::system(("umount " + mnt.string()).c_str()) == 0);
}

}  // namespace
}  // namespace kdump
