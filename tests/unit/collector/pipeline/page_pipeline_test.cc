#include "pipeline/page_pipeline.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "support/page_image.h"

namespace kdump {
namespace {

using test::PageImage;
using test::PageKind;

class VectorPfns final : public PfnStream {
 public:
  explicit VectorPfns(std::vector<std::uint64_t> pfns) : pfns_(std::move(pfns)) {}
  std::size_t next(std::span<std::uint64_t> out) override {
    std::size_t n = 0;
    while (n < out.size() && at_ < pfns_.size()) out[n++] = pfns_[at_++];
    return n;
  }

 private:
  std::vector<std::uint64_t> pfns_;
  std::size_t at_ = 0;
};

PageKind mixed(std::uint64_t pfn) {
  static constexpr PageKind kCycle[] = {PageKind::kText, PageKind::kRandom, PageKind::kZero, PageKind::kText,
                                        PageKind::kText};
  return kCycle[(pfn * 7 + pfn / 3) % 5];
}

struct Flat {
  std::vector<std::uint64_t> pfns;
  std::vector<PageResult> pages;
  std::vector<std::byte> data;
  std::size_t batches = 0;
};

Flat run(PageImage& image, CodecKind codec, unsigned threads, std::size_t batch, PipelineStats* stats = nullptr,
         std::size_t in_flight = PipelineOptions{}.batches_in_flight) {
  std::vector<std::uint64_t> pfns;
  for (std::uint64_t p = 10; p < 900; ++p)
    if (p % 11 != 0) pfns.push_back(p);
  VectorPfns stream(pfns);
  PipelineOptions o;
  o.codec = codec;
  o.threads = threads;
  o.batch_pages = batch;
  o.batches_in_flight = in_flight;
  PagePipeline pipeline(image, o);
  Flat flat;
  auto st = pipeline.run(stream, [&](const CompressedBatch& b) {
    ++flat.batches;
    CHECK(b.pfns.size() <= batch);
    flat.pfns.insert(flat.pfns.end(), b.pfns.begin(), b.pfns.end());
    flat.pages.insert(flat.pages.end(), b.pages.begin(), b.pages.end());
    for (auto piece : b.data) flat.data.insert(flat.data.end(), piece.begin(), piece.end());
  });
  if (stats) *stats = st;
  return flat;
}

TEST_CASE("the pipeline's output does not depend on threads or batch size") {
  PageImage image({{0, 1024}}, mixed);
  for (CodecKind codec : {CodecKind::kZlib, CodecKind::kNone}) {
    CAPTURE(codec_name(codec));
    Flat ref = run(image, codec, 0, 64);
    for (unsigned threads : {1u, 2u, 3u, 8u})
      for (std::size_t batch : {1u, 7u, 64u, 4096u}) {
        CAPTURE(threads);
        CAPTURE(batch);
        Flat f = run(image, codec, threads, batch);
        CHECK(f.pfns == ref.pfns);
        CHECK(f.data == ref.data);
        REQUIRE(f.pages.size() == ref.pages.size());
        for (std::size_t i = 0; i < f.pages.size(); ++i) {
          CHECK(f.pages[i].size == ref.pages[i].size);
          CHECK(f.pages[i].flags == ref.pages[i].flags);
          CHECK(f.pages[i].page_class == ref.pages[i].page_class);
        }
      }
  }
}

void check_same(const Flat& f, const Flat& ref) {
  CHECK(f.pfns == ref.pfns);
  CHECK(f.data == ref.data);
  REQUIRE(f.pages.size() == ref.pages.size());
  for (std::size_t i = 0; i < f.pages.size(); ++i) {
    CHECK(f.pages[i].size == ref.pages[i].size);
    CHECK(f.pages[i].flags == ref.pages[i].flags);
    CHECK(f.pages[i].page_class == ref.pages[i].page_class);
  }
}

// Workers run ahead into later batches of the ring and, with a source that
// allows it, read their own pages: neither may change a byte of the output.
TEST_CASE("the pipeline's output does not depend on batches in flight or on who reads") {
  PageImage image({{0, 1024}}, mixed);
  image.make_unreadable(300);
  Flat ref = run(image, CodecKind::kLzo, 0, 64);
  for (bool concurrent : {false, true}) {
    image.set_concurrent(concurrent);
    for (std::size_t in_flight : {0u, 2u, 3u, 5u})
      for (unsigned threads : {1u, 2u, 5u})
        for (std::size_t batch : {3u, 64u, 130u}) {
          CAPTURE(concurrent);
          CAPTURE(in_flight);
          CAPTURE(threads);
          CAPTURE(batch);
          PipelineStats st;
          check_same(run(image, CodecKind::kLzo, threads, batch, &st, in_flight), ref);
          CHECK(st.unreadable == 1);
          CHECK(st.first_unreadable_pfn == 300);
        }
  }
}

TEST_CASE("a pipeline runs again after a run") {
  PageImage image({{0, 1024}}, mixed);
  image.set_concurrent(true);
  Flat ref = run(image, CodecKind::kZstd, 0, 64);
  PipelineOptions o;
  o.codec = CodecKind::kZstd;
  o.threads = 2;
  o.batch_pages = 40;
  PagePipeline pipeline(image, o);
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    std::vector<std::uint64_t> pfns;
    for (std::uint64_t p = 10; p < 900; ++p)
      if (p % 11 != 0) pfns.push_back(p);
    VectorPfns stream(pfns);
    Flat f;
    pipeline.run(stream, [&](const CompressedBatch& b) {
      f.pfns.insert(f.pfns.end(), b.pfns.begin(), b.pfns.end());
      f.pages.insert(f.pages.end(), b.pages.begin(), b.pages.end());
      for (auto piece : b.data) f.data.insert(f.data.end(), piece.begin(), piece.end());
    });
    check_same(f, ref);
  }
}

TEST_CASE("the pipeline classifies pages and decompresses back to the source") {
  PageImage image({{0, 1024}}, mixed);
  image.make_unreadable(500);
  image.make_unreadable(501);
  PipelineStats st;
  Flat f = run(image, CodecKind::kZlib, 2, 100, &st);
  auto codec = make_codec(CodecKind::kZlib);
  std::size_t at = 0, zero = 0, raw = 0, compressed = 0, unreadable = 0;
  for (std::size_t i = 0; i < f.pfns.size(); ++i) {
    const auto& p = f.pages[i];
    auto want = image.expected(f.pfns[i]);
    if (f.pfns[i] == 500 || f.pfns[i] == 501) {
      CHECK(p.page_class == PageClass::kUnreadable);
      ++unreadable;
      continue;
    }
    if (mixed(f.pfns[i]) == PageKind::kZero) {
      CHECK(p.page_class == PageClass::kZero);
      CHECK(p.size == 0);
      ++zero;
      continue;
    }
    REQUIRE(p.page_class == PageClass::kStored);
    std::span<const std::byte> stored(f.data.data() + at, p.size);
    at += p.size;
    if (mixed(f.pfns[i]) == PageKind::kRandom) {
      // Incompressible: stored raw with no flag, as makedumpfile does.
      CHECK(p.flags == 0);
      CHECK(p.size == 4096);
      CHECK(std::equal(stored.begin(), stored.end(), want.begin()));
      ++raw;
    } else {
      CHECK(p.flags == 1);
      CHECK(p.size < 4096);
      std::vector<std::byte> back(4096);
      CHECK(codec->decompress(stored, back));
      CHECK(back == want);
      ++compressed;
    }
  }
  CHECK(at == f.data.size());
  CHECK(st.pages == f.pfns.size());
  CHECK(st.zero == zero);
  CHECK(st.unreadable == unreadable);
  CHECK(st.unreadable == 2);
  CHECK(st.first_unreadable_pfn == 500);
  CHECK(st.compressed == compressed);
  CHECK(st.stored == compressed + raw);
  CHECK(st.bytes_out == f.data.size());
  CHECK(st.bytes_in == (f.pfns.size() - 2) * 4096);
}

// Reads runs of frames in one call, as a file-backed source does, and
// remembers how long the runs were.
class RunSource final : public PageSource {
 public:
  explicit RunSource(PageImage& image) : image_(image) {}
  std::size_t page_size() const override { return 4096; }
  std::vector<MemoryRange> memory_ranges() const override { return image_.memory_ranges(); }
  bool read_page(std::uint64_t pfn, std::span<std::byte> out) override {
    ++single_reads;
    return image_.read_page(pfn, out);
  }
  std::size_t read_pages(std::uint64_t first_pfn, std::span<std::byte> out) override {
    runs.push_back(out.size() / 4096);
    std::size_t n = 0;
    while ((n + 1) * 4096 <= out.size() && image_.read_page(first_pfn + n, out.subspan(n * 4096, 4096))) ++n;
    return n;
  }
  std::vector<std::byte> elf_notes() const override { return {}; }
  std::string vmcoreinfo() const override { return {}; }
  std::vector<std::size_t> runs;
  std::size_t single_reads = 0;

 private:
  PageImage& image_;
};

TEST_CASE("pages are read in runs of consecutive frames, a short run marks one page unreadable") {
  PageImage image({{0, 1024}}, mixed);
  image.make_unreadable(500);
  image.make_unreadable(501);
  Flat ref = run(image, CodecKind::kLzo, 1, 4096);
  RunSource source(image);
  std::vector<std::uint64_t> pfns;
  for (std::uint64_t p = 10; p < 900; ++p)
    if (p % 11 != 0) pfns.push_back(p);
  VectorPfns stream(pfns);
  PipelineOptions o;
  o.codec = CodecKind::kLzo;
  o.threads = 1;
  o.batch_pages = 4096;
  PagePipeline pipeline(source, o);
  Flat f;
  auto st = pipeline.run(stream, [&](const CompressedBatch& b) {
    f.pfns.insert(f.pfns.end(), b.pfns.begin(), b.pfns.end());
    f.pages.insert(f.pages.end(), b.pages.begin(), b.pages.end());
    for (auto piece : b.data) f.data.insert(f.data.end(), piece.begin(), piece.end());
  });
  CHECK(f.pfns == ref.pfns);
  CHECK(f.data == ref.data);
  CHECK(st.unreadable == 2);
  CHECK(st.first_unreadable_pfn == 500);
  CHECK(source.single_reads == 0);
  // Runs end at the gaps every 11 frames (at most 10 frames long) and at the
  // unreadable frames, never one call per page.
  CHECK(source.runs.size() < pfns.size() / 5);
  for (std::size_t r : source.runs) CHECK(r <= 10);
}

class ThrowingSource final : public PageSource {
 public:
  explicit ThrowingSource(bool concurrent = false) : concurrent_(concurrent) {}
  std::size_t page_size() const override { return 4096; }
  bool concurrent_reads() const override { return concurrent_; }
  std::vector<MemoryRange> memory_ranges() const override { return {}; }
  bool read_page(std::uint64_t pfn, std::span<std::byte>) override {
    if (pfn == 77) throw std::runtime_error("device vanished");
    return true;
  }
  std::vector<std::byte> elf_notes() const override { return {}; }
  std::string vmcoreinfo() const override { return {}; }

 private:
  bool concurrent_;
};

TEST_CASE("errors of the source and of the consumer stop the pipeline and surface") {
  std::vector<std::uint64_t> pfns(200);
  for (std::uint64_t i = 0; i < pfns.size(); ++i) pfns[i] = i;
  for (auto [threads, concurrent] : {std::pair{0u, false}, {1u, false}, {3u, false}, {2u, true}, {3u, true}}) {
    CAPTURE(threads);
    CAPTURE(concurrent);
    ThrowingSource source(concurrent);
    PipelineOptions o;
    o.threads = threads;
    o.batch_pages = 16;
    {
      PagePipeline pipeline(source, o);
      VectorPfns stream(pfns);
      CHECK_THROWS_WITH(pipeline.run(stream, [](const CompressedBatch&) {}), "device vanished");
    }
    {
      PagePipeline pipeline(source, o);
      std::vector<std::uint64_t> few(pfns.begin(), pfns.begin() + 60);
      VectorPfns stream(few);
      int calls = 0;
      CHECK_THROWS_WITH(pipeline.run(stream,
                                     [&](const CompressedBatch&) {
                                       if (++calls == 2) throw std::runtime_error("disk full");
                                     }),
                        "disk full");
      CHECK(calls == 2);
    }
  }
}

}  // namespace
}  // namespace kdump
