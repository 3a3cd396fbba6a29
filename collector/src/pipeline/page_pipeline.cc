#include "pipeline/page_pipeline.h"

// Design: batches of pages go round a ring of a few slots, and the workers
// never wait for one another. Batch number n lives in slot n % ring size.
// Work is handed out as chunk tickets from one counter: ticket t is chunk
// t % chunks_per_batch of batch t / chunks_per_batch, so a worker that ends
// the last chunk of one batch goes straight on to the next batch instead of
// waiting at a barrier for the slowest chunk (that barrier, once per batch,
// left a worker idle at the end of every batch). A worker that draws a
// ticket of a batch not yet opened waits for the calling thread to open it.
// Two slots are the default: on the lab's 4 GiB vmcore a third made one
// thread 1-4% slower (pages read a batch further ahead, out of cache by the
// time they are compressed) and two threads no faster.
// The calling thread opens batches while a slot is free (taking their
// frames from the PfnStream), waits for the oldest open batch to be done,
// hands it to the consumer (the writer), and so frees its slot.
// Who reads: with one compression thread, the calling thread reads a
// batch's pages when it opens it, so reading and writing overlap the
// worker's compressing (reading on the worker made the one compression
// thread of --num-threads 1 do the page-cache copy as well, a quarter of its
// time with zstd and a third with LZO). With two or more workers and a
// source that can be read from several threads, each worker reads the pages
// of its own chunk, and the calling thread only writes.
// Each chunk has its own region of its batch's slab, sized for the worst
// case (every page stored raw, plus room for one codec output past the end)
// and allocated once; the codec writes straight into it. The regions laid
// end to end are the batch's data in pfn order, so the output does not
// depend on the number of threads. Pages that look incompressible are not
// given to zlib at all; see codec/incompressible_probe.h.

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
  std::atomic<std::size_t> chunks_left{0};         // chunks not yet done; 0 when the batch is
};

struct PagePipeline::Worker {
  std::unique_ptr<Codec> codec;
  std::unique_ptr<IncompressibleProbe> probe;  // null for codecs cheaper than the probe
  std::thread thread;
};

struct PagePipeline::Shared {
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<Batch>> ring;  // batch n in ring[n % ring.size()]
  std::size_t chunk_pages = 0;
  std::size_t chunk_stride = 0;
  std::size_t chunks_per_batch = 0;
  std::atomic<std::uint64_t> next_ticket{0};
  // Written under `mutex` (so that waiting on the condition variables is
  // sound), read without it on the workers' fast path.
  std::atomic<std::uint64_t> opened{0};  // batches handed to the workers
  std::atomic<bool> closed{false};       // no batch after `opened` will come
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable batch_opened, batch_done;
  std::exception_ptr error;
};

PagePipeline::PagePipeline(PageSource& source, const PipelineOptions& options)
    : source_(source), options_(options), shared_(std::make_unique<Shared>()) {
  if (options_.batch_pages == 0) options_.batch_pages = 1;
  if (options_.batches_in_flight < 2) options_.batches_in_flight = 2;
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
  shared_->chunks_per_batch = chunks;
  // Serially one slot is enough.
  const std::size_t slots = options_.threads == 0 ? 1 : options_.batches_in_flight;
  for (std::size_t n = 0; n < slots; ++n) {
    auto b = std::make_unique<Batch>();
    b->pfns.resize(options_.batch_pages);
    b->pages.resize(options_.batch_pages);
    b->input = std::make_unique_for_overwrite<std::byte[]>(options_.batch_pages * page_size);
    b->readable.resize(options_.batch_pages);
    b->slab = std::make_unique_for_overwrite<std::byte[]>(chunks * shared_->chunk_stride);
    b->used.assign(chunks, 0);
    b->pieces.resize(chunks);
    b->chunk_stats.resize(chunks);
    shared_->ring.push_back(std::move(b));
  }
}

PagePipeline::~PagePipeline() { stop_workers(); }

void PagePipeline::start_workers() {
  shared_->next_ticket.store(0);
  shared_->opened.store(0);
  shared_->closed.store(false);
  shared_->stopping.store(false);
  shared_->error = nullptr;
  for (auto& w : shared_->workers) w->thread = std::thread([this, &w] { worker_loop(*w); });
}

void PagePipeline::stop_workers() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping.store(true);
  }
  shared_->batch_opened.notify_all();
  for (auto& w : shared_->workers)
    if (w->thread.joinable()) w->thread.join();
}

void PagePipeline::worker_loop(Worker& worker) {
  Shared& s = *shared_;
  for (;;) {
    const std::uint64_t ticket = s.next_ticket.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t number = ticket / s.chunks_per_batch;
    if (s.stopping.load(std::memory_order_relaxed)) return;
    if (s.opened.load(std::memory_order_acquire) <= number) {
      std::unique_lock lock(s.mutex);
      s.batch_opened.wait(lock, [&] { return s.stopping || s.closed || s.opened > number; });
      if (s.stopping || s.opened <= number) return;
    }
    Batch& batch = *s.ring[number % s.ring.size()];
    try {
      work(worker, batch, ticket % s.chunks_per_batch);
    } catch (...) {
      std::lock_guard lock(s.mutex);
      if (!s.error) s.error = std::current_exception();
      s.batch_done.notify_all();
    }
    if (batch.chunks_left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard lock(s.mutex);
      s.batch_done.notify_all();
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

void PagePipeline::work(Worker& worker, Batch& batch, std::size_t chunk) {
  const std::size_t page_size = source_.page_size();
  const std::size_t begin = chunk * shared_->chunk_pages;
  const std::size_t end = std::min(batch.count, begin + shared_->chunk_pages);
  PipelineStats& st = batch.chunk_stats[chunk];
  st = {};
  batch.used[chunk] = 0;
  if (begin >= end) return;  // past the end of a short last batch
  if (workers_read_) read(batch, begin, end);
  const std::size_t max_out = worker.codec->max_compressed_size(page_size);
  const std::uint32_t flag = codec_flag(options_.codec);
  const bool compressing = options_.codec != CodecKind::kNone;
  std::byte* slab = batch.slab.get() + chunk * shared_->chunk_stride;
  std::size_t used = 0;
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

bool PagePipeline::open_next(PfnStream& pfns) {
  Shared& s = *shared_;
  const std::uint64_t number = s.opened.load(std::memory_order_relaxed);
  Batch& batch = *s.ring[number % s.ring.size()];
  batch.count = pfns.next(batch.pfns);
  if (batch.count == 0) {
    {
      std::lock_guard lock(s.mutex);
      s.closed.store(true);
    }
    s.batch_opened.notify_all();
    return false;
  }
  if (!workers_read_) read(batch, 0, batch.count);  // while the workers compress earlier batches
  batch.chunks_left.store(s.chunks_per_batch, std::memory_order_relaxed);
  {
    std::lock_guard lock(s.mutex);
    s.opened.store(number + 1, std::memory_order_release);
  }
  s.batch_opened.notify_all();
  return true;
}

void PagePipeline::wait_done(Batch& batch) {
  Shared& s = *shared_;
  if (batch.chunks_left.load(std::memory_order_acquire) != 0) {
    std::unique_lock lock(s.mutex);
    s.batch_done.wait(lock, [&] { return batch.chunks_left.load(std::memory_order_acquire) == 0 || s.error; });
  }
  std::lock_guard lock(s.mutex);
  if (s.error) std::rethrow_exception(s.error);
}

CompressedBatch PagePipeline::collect(Batch& batch, PipelineStats& total) {
  PipelineStats stats;
  const std::size_t chunks = (batch.count + shared_->chunk_pages - 1) / shared_->chunk_pages;
  for (std::size_t c = 0; c < batch.pieces.size(); ++c) {
    batch.pieces[c] = {batch.slab.get() + c * shared_->chunk_stride, c < chunks ? batch.used[c] : 0};
    if (c < chunks) add(stats, batch.chunk_stats[c]);
  }
  add(total, stats);
  return {{batch.pfns.data(), batch.count}, {batch.pages.data(), batch.count}, batch.pieces};
}

PipelineStats PagePipeline::run(PfnStream& pfns, const std::function<void(const CompressedBatch&)>& consume) {
  PipelineStats total;
  if (options_.threads == 0) {
    Batch& batch = *shared_->ring[0];
    Worker& worker = *shared_->workers[0];
    while ((batch.count = pfns.next(batch.pfns)) > 0) {
      read(batch, 0, batch.count);
      for (std::size_t c = 0; c < shared_->chunks_per_batch; ++c) work(worker, batch, c);
      consume(collect(batch, total));
    }
    return total;
  }
  start_workers();
  try {
    const std::size_t slots = shared_->ring.size();
    std::uint64_t consumed = 0;
    bool more = true;
    for (;;) {
      while (more && shared_->opened.load(std::memory_order_relaxed) - consumed < slots) more = open_next(pfns);
      if (consumed == shared_->opened.load(std::memory_order_relaxed)) break;
      Batch& batch = *shared_->ring[consumed % slots];
      wait_done(batch);
      consume(collect(batch, total));
      ++consumed;
    }
  } catch (...) {
    stop_workers();  // each worker ends the chunk it is in; the slots stay alive until they have
    throw;
  }
  stop_workers();
  return total;
}

}  // namespace kdump
