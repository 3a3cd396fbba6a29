// Peak memory of the dump writers on a large synthetic machine:
//   writer_memory_probe GIB [zlib|lzo|none|...] [elf]
// writes a kdump-compressed (or ELF) dump of GIB GiB of memory, one page in
// 16 holding text and the rest zeros, to a sink that only counts bytes, and
// prints "pages N bytes_out N max_rss_kib N seconds S". Used by
// tests/e2e/writer_memory_bounded.sh.

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "writer/write_dump.h"

using namespace kdump;

namespace {

class SyntheticSource final : public PageSource {
 public:
  explicit SyntheticSource(std::uint64_t bytes) : bytes_(bytes) {}
  std::size_t page_size() const override { return 4096; }
  std::vector<MemoryRange> memory_ranges() const override {
    // Two ranges with a hole, like a PC's memory map.
    return {{0x1000, 0x9e000, 0}, {0x100000, bytes_ - 0x100000, 0}};
  }
  bool read_page(std::uint64_t pfn, std::span<std::byte> out) override {
    if (pfn % 16 != 0) {
      std::memset(out.data(), 0, out.size());
      return true;
    }
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::byte>("kernel text page\n"[i % 17] + pfn % 7);
    return true;
  }
  bool concurrent_reads() const override { return true; }
  std::vector<std::byte> elf_notes() const override { return {}; }
  std::string vmcoreinfo() const override { return "OSRELEASE=6.1.0-probe\nPAGESIZE=4096\n"; }

 private:
  std::uint64_t bytes_;
};

class CountingSink final : public ByteSink {
 public:
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) override {
    end_ = std::max(end_, offset + bytes.size());
  }
  void finish() override {}
  std::string name() const override { return "<counting>"; }
  std::uint64_t end() const { return end_; }

 private:
  std::uint64_t end_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::fprintf(stderr, "usage: writer_memory_probe GIB [CODEC] [elf]\n");
      return 2;
    }
    const std::uint64_t gib = std::strtoull(argv[1], nullptr, 10);
    WriteOptions o;
    o.codec = argc > 2 ? codec_from_name(argv[2]).value_or(CodecKind::kLzo) : CodecKind::kLzo;
    if (argc > 3 && std::string(argv[3]) == "elf") o.format = DumpFormat::kElf, o.codec = CodecKind::kNone;
    o.threads = 2;
    SyntheticSource source(gib << 30);
    CountingSink sink;
    WriteReport r = write_dump(source, nullptr, o, sink);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    std::printf("pages %llu bytes_out %llu max_rss_kib %ld seconds %.1f\n",
                static_cast<unsigned long long>(r.pages_present), static_cast<unsigned long long>(sink.end()),
                ru.ru_maxrss, r.seconds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer_memory_probe: error: %s\n", e.what());
    return 1;
  }
}
