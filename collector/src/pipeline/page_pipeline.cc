#include "pipeline/page_pipeline.h"

// Design: with one compression thread, the calling thread reads and writes
// and the worker only compresses. Two batches alternate: while the worker
// compresses batch k, the calling thread reads batch k+1's pages (runs of
// consecutive frames in one read_pages call each: one pread per run inside a
// PT_LOAD, where per-page reads cost a system call per page) and hands the
// compressed batch k-1 to the consumer (the writer). Reading on the worker
// instead made the one compression thread of --num-threads 1 do the
// page-cache copy as well, which was a quarter of its time with zstd and a
// third with LZO. With two or more workers and a source that can be read
// from several threads, each worker reads the pages of the chunks it takes:
// the calling thread reading for all of them was what kept two threads from
// halving the time (the reading is spread too, and the calling thread only
// writes).
// A batch is cut into chunks of kChunkPages pages, each with its own region
// of the batch's slab, sized for the worst case (every page stored raw, plus
// room for one codec output past the end) and allocated once; the codec
// writes straight into it. Workers take the next chunk from a shared counter
// until none is left, so a worker that drew cheap pages (random ones the
// probe rejects, zero pages) takes more chunks and none waits long for
// another; the regions laid end to end are the batch's data in pfn order, so
// the output does not depend on the number of threads. Pages that look
// incompressible are not given to zlib at all; see
// codec/incompressible_probe.h.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "codec/incompressible_probe.h"
#include "filter/page_filter.h"

namespace kdump {
namespace {

// Pages per chunk: small enough that the workers' shares even out, large
// enough that taking one is rare.
constexpr std::size_t kChunkPages = 64;

void add(PipelineStats& total, const PipelineStats& s) {
  if (s.unreadable > 0 && total.unreadable == 0) total.first_unreadable_pfn = s.first_unreadable_pfn;
  total.pages += s.pages;
  total.stored += s.stored;
  total.compressed += s.compressed;
  total.zero += s.zero;
  total.unreadable += s.unreadable;
  total.bytes_in += s.bytes_in;
  total.bytes_out += s.bytes_out;
}

}  // namespace

struct PagePipeline::Batch {
  std::vector<std::uint64_t> pfns;
  std::vector<PageResult> pages;
  std::size_t count = 0;
  // The two large buffers are left uninitialised: zeroing them cost a tenth
  // of a -d 31 run (page faults and memset of 16 MiB no page may need).
  std::unique_ptr<std::byte[]> input;              // the pages as read, page i at i * page size
  std::vector<std::uint8_t> readable;              // whether page i was read
  std::unique_ptr<std::byte[]> slab;               // chunk c's data at c * chunk_stride
  std::vector<std::size_t> used;                   // bytes of data of each chunk
  std::vector<std::span<const std::byte>> pieces;  // each chunk's data, in order
  std::vector<PipelineStats> chunk_stats;
  PipelineStats stats;                             // the batch's, summed by wait()
  std::atomic<std::size_t> next_chunk{0};
};

struct PagePipeline::Worker {
  std::unique_ptr<Codec> codec;
  std::unique_ptr<IncompressibleProbe> probe;  // null for codecs cheaper than the probe
  std::thread thread;
};

struct PagePipeline::Shared {
  std::vector<std::unique_ptr<Worker>> workers;
  Batch batches[2];
  std::size_t chunk_pages = 0;
  std::size_t chunk_stride = 0;
  std::mutex mutex;
  std::condition_variable work_ready, work_done;
  Batch* current = nullptr;
  std::uint64_t generation = 0;
  std::size_t pending = 0;
  bool stopping = false;
  std::exception_ptr error;
};

PagePipeline::PagePipeline(PageSource& source, const PipelineOptions& options)
    : source_(source), options_(options), shared_(std::make_unique<Shared>()) {
  if (options_.batch_pages == 0) options_.batch_pages = 1;
  workers_read_ = options_.threads >= 2 && source_.concurrent_reads();
  const std::size_t page_size = source_.page_size();
  const std::size_t workers = std::max<std::size_t>(1, options_.threads);
  const std::size_t chunk_pages = std::min(kChunkPages, options_.batch_pages);
  shared_->chunk_pages = chunk_pages;
  for (std::size_t i = 0; i < workers; ++i) {
    auto w = std::make_unique<Worker>();
    w->codec = make_codec(options_.codec);
    // Only zlib is slow enough on random pages for the probe to pay: zstd
    // gives up on them about as fast as the probe decides (measured on the
    // lab's busy vmcores: no gain).
    if (options_.codec == CodecKind::kZlib) w->probe = std::make_unique<IncompressibleProbe>();
    shared_->workers.push_back(std::move(w));
  }
  const std::size_t slack = std::max(page_size, shared_->workers[0]->codec->max_compressed_size(page_size)) - page_size;
  shared_->chunk_stride = chunk_pages * page_size + slack;
  const std::size_t chunks = (options_.batch_pages + chunk_pages - 1) / chunk_pages;
  for (auto& b : shared_->batches) {
    b.pfns.resize(options_.batch_pages);
    b.pages.resize(options_.batch_pages);
    b.input = std::make_unique_for_overwrite<std::byte[]>(options_.batch_pages * page_size);
    b.readable.resize(options_.batch_pages);
    b.slab = std::make_unique_for_overwrite<std::byte[]>(chunks * shared_->chunk_stride);
    b.used.assign(chunks, 0);
    b.pieces.resize(chunks);
    b.chunk_stats.resize(chunks);
  }
}

PagePipeline::~PagePipeline() { stop_workers(); }

void PagePipeline::start_workers() {
  if (options_.threads == 0) return;
  shared_->stopping = false;
  const std::uint64_t generation = shared_->generation;
  for (auto& w : shared_->workers) w->thread = std::thread([this, &w, generation] { worker_loop(*w, generation); });
}

void PagePipeline::stop_workers() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->work_ready.notify_all();
  for (auto& w : shared_->workers)
    if (w->thread.joinable()) w->thread.join();
}

void PagePipeline::worker_loop(Worker& worker, std::uint64_t seen) {
  for (;;) {
    Batch* batch;
    {
      std::unique_lock lock(shared_->mutex);
      shared_->work_ready.wait(lock, [&] { return shared_->stopping || shared_->generation != seen; });
      if (shared_->stopping) return;
      seen = shared_->generation;
      batch = shared_->current;
    }
    try {
      work(worker, *batch);
    } catch (...) {
      std::lock_guard lock(shared_->mutex);
      if (!shared_->error) shared_->error = std::current_exception();
    }
    {
      std::lock_guard lock(shared_->mutex);
      if (--shared_->pending == 0) shared_->work_done.notify_all();
    }
  }
}

void PagePipeline::read(Batch& batch, std::size_t begin, std::size_t end) {
  const std::size_t page_size = source_.page_size();
  for (std::size_t i = begin; i < end;) {
    std::size_t n = 1;
    while (i + n < end && batch.pfns[i + n] == batch.pfns[i] + n) ++n;
    const std::size_t got = source_.read_pages(batch.pfns[i], std::span(batch.input.get() + i * page_size, n * page_size));
    // A short run: the pages read are used, the next one is unreadable (the
    // source said so for it), and the rest are read again as the next run.
    const std::size_t done = std::min(n, got + 1);
    for (std::size_t k = 0; k < done; ++k) batch.readable[i + k] = k < got;
    i += done;
  }
}

void PagePipeline::work(Worker& worker, Batch& batch) {
  const std::size_t page_size = source_.page_size();
  const std::size_t chunk_pages = shared_->chunk_pages;
  const std::size_t max_out = worker.codec->max_compressed_size(page_size);
  const std::uint32_t flag = codec_flag(options_.codec);
  const bool compressing = options_.codec != CodecKind::kNone;
  for (;;) {
    const std::size_t chunk = batch.next_chunk.fetch_add(1, std::memory_order_relaxed);
    const std::size_t begin = chunk * chunk_pages;
    if (begin >= batch.count) return;
    const std::size_t end = std::min(batch.count, begin + chunk_pages);
    if (workers_read_) read(batch, begin, end);
    std::byte* slab = batch.slab.get() + chunk * shared_->chunk_stride;
    std::size_t used = 0;
    PipelineStats& st = batch.chunk_stats[chunk];
    st = {};
    for (std::size_t i = begin; i < end; ++i) {
      PageResult& r = batch.pages[i];
      r = {};
      ++st.pages;
      if (!batch.readable[i]) {
        r.page_class = PageClass::kUnreadable;
        if (st.unreadable++ == 0) st.first_unreadable_pfn = batch.pfns[i];
        continue;
      }
      std::span<const std::byte> page(batch.input.get() + i * page_size, page_size);
      st.bytes_in += page_size;
      if (options_.detect_zero && is_zero_page(page)) {
        r.page_class = PageClass::kZero;
        ++st.zero;
        continue;
      }
      std::optional<std::size_t> size;
      if (compressing && !(worker.probe && worker.probe->incompressible(page)))
        size = worker.codec->compress(page, {slab + used, max_out});
      if (size && *size < page_size) {
        r.size = static_cast<std::uint32_t>(*size);
        r.flags = flag;
        ++st.compressed;
      } else {
        // makedumpfile stores a page raw unless compression made it smaller.
        std::memcpy(slab + used, page.data(), page_size);
        r.size = static_cast<std::uint32_t>(page_size);
      }
      used += r.size;
      ++st.stored;
      st.bytes_out += r.size;
    }
    batch.used[chunk] = used;
  }
}

void PagePipeline::dispatch(Batch& batch) {
  batch.next_chunk.store(0, std::memory_order_relaxed);
  if (options_.threads == 0) {
    for (auto& w : shared_->workers) work(*w, batch);
    return;
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->current = &batch;
    shared_->pending = shared_->workers.size();
    ++shared_->generation;
  }
  shared_->work_ready.notify_all();
}

void PagePipeline::wait(Batch& batch) {
  if (options_.threads != 0) {
    std::unique_lock lock(shared_->mutex);
    shared_->work_done.wait(lock, [&] { return shared_->pending == 0; });
    if (shared_->error) std::rethrow_exception(shared_->error);
  }
  batch.stats = {};
  const std::size_t chunk_pages = shared_->chunk_pages;
  const std::size_t chunks = (batch.count + chunk_pages - 1) / chunk_pages;
  for (std::size_t c = 0; c < batch.pieces.size(); ++c) {
    batch.pieces[c] = {batch.slab.get() + c * shared_->chunk_stride, c < chunks ? batch.used[c] : 0};
    if (c < chunks) add(batch.stats, batch.chunk_stats[c]);
  }
}

PipelineStats PagePipeline::run(PfnStream& pfns, const std::function<void(const CompressedBatch&)>& consume) {
  PipelineStats total;
  start_workers();
  try {
    Batch* cur = &shared_->batches[0];
    Batch* nxt = &shared_->batches[1];
    cur->count = pfns.next(cur->pfns);
    if (!workers_read_) read(*cur, 0, cur->count);
    if (cur->count > 0) dispatch(*cur);
    while (cur->count > 0) {
      nxt->count = pfns.next(nxt->pfns);
      if (!workers_read_) read(*nxt, 0, nxt->count);  // while the workers compress cur
      wait(*cur);
      if (nxt->count > 0) dispatch(*nxt);
      add(total, cur->stats);
      CompressedBatch view{{cur->pfns.data(), cur->count}, {cur->pages.data(), cur->count}, cur->pieces};
      consume(view);
      std::swap(cur, nxt);
    }
  } catch (...) {
    // Let a batch in flight finish before the workers are stopped.
    if (options_.threads != 0) {
      std::unique_lock lock(shared_->mutex);
      shared_->work_done.wait(lock, [&] { return shared_->pending == 0; });
    }
    stop_workers();
    throw;
  }
  stop_workers();
  return total;
}

}  // namespace kdump
