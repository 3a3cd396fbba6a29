#pragma once
// The compression pipeline: page frames go in (in pfn order, in batches), and
// compressed pages come out in the same order to one consumer on the calling
// thread, which is the only one that writes. Memory is bounded by the batch
// size whatever the size of the dump: batches_in_flight batches are in
// memory at once (being read, compressed or written), each holding at most
// batch_pages pages as read and as compressed. Nothing is allocated per page.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "codec/codec.h"
#include "writer/page_source.h"

namespace kdump {

/// What happened to one page.
enum class PageClass : std::uint8_t {
  kStored,      ///< data in the batch (compressed, or raw if that was not smaller)
  kZero,        ///< all zero bytes (only when zero detection is on); no data
  kUnreadable,  ///< read_page failed; no data, written as a zero page
};

/// One page's result.
struct PageResult {
  std::uint32_t size = 0;   ///< bytes of data (0 unless kStored)
  std::uint32_t flags = 0;  ///< codec_flag() if compressed, 0 if raw
  PageClass page_class = PageClass::kStored;
};

/// A compressed batch; the views are valid while the consumer runs.
struct CompressedBatch {
  std::span<const std::uint64_t> pfns;
  std::span<const PageResult> pages;
  /// The stored pages' data in pfn order, in pieces (one per chunk of up to 64 pages).
  std::span<const std::span<const std::byte>> data;
};

/// Supplies the frames to dump, in increasing order.
class PfnStream {
 public:
  virtual ~PfnStream() = default;
  /// Fills `out` with the next frames; 0 at the end.
  virtual std::size_t next(std::span<std::uint64_t> out) = 0;
};

/// How to compress.
struct PipelineOptions {
  CodecKind codec = CodecKind::kZlib;
  unsigned threads = 1;           ///< compression threads; 0 = compress on the calling thread
  std::size_t batch_pages = 1024; ///< pages per batch
  std::size_t batches_in_flight = 2;  ///< batches in memory at once (at least 2); with threads 0, one
  bool detect_zero = true;        ///< classify all-zero pages as kZero
};

/// Totals over a run.
struct PipelineStats {
  std::uint64_t pages = 0, stored = 0, compressed = 0, zero = 0, unreadable = 0;
  std::uint64_t bytes_in = 0, bytes_out = 0;  ///< page bytes read; data bytes produced
  std::uint64_t first_unreadable_pfn = 0;     ///< valid if unreadable > 0
};

/// Runs batches of pages through worker threads.
class PagePipeline {
 public:
  /// `source` is borrowed and must outlive the pipeline.
  PagePipeline(PageSource& source, const PipelineOptions& options);
  ~PagePipeline();
  PagePipeline(const PagePipeline&) = delete;
  PagePipeline& operator=(const PagePipeline&) = delete;

  /// Compresses every frame of `pfns`, calling `consume` once per batch, in
  /// order, on this thread. Rethrows the first exception of a worker or of
  /// `consume` after stopping the workers.
  PipelineStats run(PfnStream& pfns, const std::function<void(const CompressedBatch&)>& consume);

 private:
  struct Batch;
  struct Worker;
  void start_workers();
  void stop_workers();
  void read(Batch& batch, std::size_t begin, std::size_t end);
  bool open_next(PfnStream& pfns);
  void wait_done(Batch& batch);
  CompressedBatch collect(Batch& batch, PipelineStats& total);
  void work(Worker& worker, Batch& batch, std::size_t chunk);
  void worker_loop(Worker& worker);

  struct Shared;
  PageSource& source_;
  PipelineOptions options_;
  bool workers_read_ = false;  // two or more workers, and a source they may read at once
  std::unique_ptr<Shared> shared_;
};

}  // namespace kdump
