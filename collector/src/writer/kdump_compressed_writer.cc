#include "writer/kdump_compressed_writer.h"

// Two passes over the page map, one over the pages. Pass one writes both
// bitmaps window by window and counts the dumpable pages, which fixes where
// the page data starts (after one descriptor per dumpable page). Then the
// headers go out, marked incomplete, and the pipeline compresses the pages;
// for each batch the writer appends the data and writes the batch's
// descriptors in one piece. Zero pages stay in the 2nd bitmap and share one
// descriptor pointing at a single zero page at the start of the data, as
// makedumpfile does for -d 1 (the count of descriptors has to be known
// before the pages are read). Last, the header is rewritten as complete.

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <sys/time.h>

#include "pipeline/page_pipeline.h"
#include "vmcore/le.h"
#include "vmcore/vmcoreinfo.h"
#include "writer/diskdump_format.h"
#include "writer/note_blob.h"
#include "writer/page_map.h"

namespace kdump {
namespace {

using namespace diskdump;

struct MachineName {
  std::uint16_t e_machine;
  const char* uname;
};
constexpr MachineName kMachines[] = {{62, "x86_64"}, {3, "i686"}, {183, "aarch64"}, {21, "ppc64le"},
                                     {22, "s390x"},  {243, "riscv64"}};

const char* machine_name(std::uint16_t e_machine) {
  for (const auto& m : kMachines)
    if (m.e_machine == e_machine) return m.uname;
  return "";
}

void put_string(std::span<std::byte> at, std::size_t offset, std::size_t width, const std::string& s) {
  std::memcpy(at.data() + offset, s.data(), std::min(s.size(), width - 1));
}

class PfnAdapter final : public PfnStream {
 public:
  explicit PfnAdapter(const PageMap& map) : pfns_(map) {}
  std::size_t next(std::span<std::uint64_t> out) override { return pfns_.next(out); }

 private:
  DumpablePfns pfns_;
};

struct HeaderFacts {
  std::uint32_t status = 0;
  std::uint64_t max_pfn = 0;
  std::int64_t seconds = 0, microseconds = 0;
  std::vector<std::string> utsname;  // the six fields of struct new_utsname
  std::uint32_t nr_cpus = 0;
  std::uint64_t phys_base = 0;
  unsigned dump_level = 0;
};

std::vector<std::byte> main_header(const Layout& l, const HeaderFacts& f) {
  std::vector<std::byte> h(l.block_size);
  std::memcpy(h.data(), kSignature, 8);
  store_le<std::uint32_t>(h, kHeaderVersionAt, kHeaderVersion);
  for (std::size_t i = 0; i < f.utsname.size() && i < 6; ++i)
    put_string(h, kUtsnameAt + i * kUtsFieldLength, kUtsFieldLength, f.utsname[i]);
  store_le<std::uint64_t>(h, kTimestampSecAt, static_cast<std::uint64_t>(f.seconds));
  store_le<std::uint64_t>(h, kTimestampUsecAt, static_cast<std::uint64_t>(f.microseconds));
  store_le<std::uint32_t>(h, kStatusAt, f.status);
  store_le<std::uint32_t>(h, kBlockSizeAt, static_cast<std::uint32_t>(l.block_size));
  store_le<std::uint32_t>(h, kSubHdrSizeAt, static_cast<std::uint32_t>(l.sub_header_blocks));
  store_le<std::uint32_t>(h, kBitmapBlocksAt, static_cast<std::uint32_t>(l.bitmap_blocks()));
  // The 32-bit field saturates; readers use max_mapnr_64 from version 6 on.
  store_le<std::uint32_t>(h, kMaxMapnrAt, static_cast<std::uint32_t>(std::min<std::uint64_t>(f.max_pfn, 0xffffffffu)));
  store_le<std::uint32_t>(h, kNrCpusAt, f.nr_cpus);
  return h;
}

std::vector<std::byte> sub_header(const Layout& l, const HeaderFacts& f, const NoteBlob& notes) {
  std::vector<std::byte> h(kSubHeaderSize);
  store_le<std::uint64_t>(h, kPhysBaseAt, f.phys_base);
  store_le<std::uint32_t>(h, kDumpLevelAt, f.dump_level);
  if (notes.vmcoreinfo_size > 0) {
    store_le<std::uint64_t>(h, kOffsetVmcoreinfoAt, l.notes_offset + notes.vmcoreinfo_offset);
    store_le<std::uint64_t>(h, kSizeVmcoreinfoAt, notes.vmcoreinfo_size);
  }
  if (!notes.bytes.empty()) {
    store_le<std::uint64_t>(h, kOffsetNoteAt, l.notes_offset);
    store_le<std::uint64_t>(h, kSizeNoteAt, notes.bytes.size());
  }
  store_le<std::uint64_t>(h, kMaxMapnr64At, f.max_pfn);
  return h;
}

}  // namespace

WriteReport write_kdump_compressed(PageSource& source, PageFilter* filter, const WriteOptions& options,
                                   ByteSink& sink) {
  const auto started = std::chrono::steady_clock::now();
  const std::size_t page_size = source.page_size();
  if (page_size < 4096 || (page_size & (page_size - 1)) != 0)
    throw std::invalid_argument("page size " + std::to_string(page_size) + " is not a power of two of at least 4096");

  WriteReport report;
  PageMap map(source.memory_ranges(), page_size, filter);
  map.leave_out_known(source, (options.dump_level & kDumpLevelExcludeZero) != 0);
  report.max_pfn = map.max_pfn();
  const std::string vmcoreinfo_text = source.vmcoreinfo();
  NoteBlob notes = prepare_notes(source.elf_notes(), vmcoreinfo_text);
  if (notes.vmcoreinfo_size == 0) report.problems.push_back("no VMCOREINFO: readers will not find the kernel's symbols");

  // Pass one: bitmaps and the count of descriptors.
  Layout layout = diskdump::layout(page_size, map.max_pfn(), notes.bytes.size(), 0);
  std::vector<std::uint8_t> present(PageMap::kWindowBytes), dump(PageMap::kWindowBytes);
  std::uint64_t dumpable = 0;
  PageMap::KnownOut known;
  for (std::uint64_t w = 0; w < map.windows(); ++w) {
    known += map.fill(w, present, dump);
    report.pages_present += count_bits(present);
    dumpable += count_bits(dump);
    const std::uint64_t at = w * PageMap::kWindowBytes;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(PageMap::kWindowBytes, layout.bitmap_bytes - at));
    sink.write_at(layout.bitmap1_offset + at, std::as_bytes(std::span(present).first(n)));
    sink.write_at(layout.bitmap2_offset + at, std::as_bytes(std::span(dump).first(n)));
  }
  report.pages_filtered = report.pages_present - dumpable - known.zero - known.missing;
  layout = diskdump::layout(page_size, map.max_pfn(), notes.bytes.size(), dumpable);

  HeaderFacts facts;
  facts.status = codec_flag(options.codec) | kStatusIncomplete;
  facts.max_pfn = map.max_pfn();
  if (options.timestamp_sec) {
    facts.seconds = *options.timestamp_sec;
  } else {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    facts.seconds = tv.tv_sec;
    facts.microseconds = tv.tv_usec;
  }
  VmcoreInfo info = VmcoreInfo::parse(vmcoreinfo_text);
  facts.utsname = source.utsname();
  if (facts.utsname.size() != 6)
    facts.utsname = {"Linux", "", info.osrelease().value_or(""), "", machine_name(source.elf_machine()), ""};
  facts.nr_cpus = notes.prstatus_count;
  facts.phys_base = static_cast<std::uint64_t>(info.number("phys_base").value_or(0));
  facts.dump_level = options.dump_level;

  auto sub = sub_header(layout, facts, notes);
  sink.write_at(0, main_header(layout, facts));
  sink.write_at(layout.block_size, sub);
  if (!notes.bytes.empty()) sink.write_at(layout.notes_offset, notes.bytes);

  // The shared zero page, also used for pages that could not be read.
  std::vector<std::byte> zero_page(page_size);
  sink.write_at(layout.data_offset, zero_page);
  std::uint64_t data_cursor = layout.data_offset + page_size;
  std::vector<std::byte> descs(options.batch_pages * kDescSize);
  std::uint64_t desc_index = 0;

  PipelineOptions popts;
  popts.codec = options.codec;
  popts.threads = options.threads;
  popts.batch_pages = options.batch_pages;
  popts.detect_zero = (options.dump_level & kDumpLevelExcludeZero) != 0;
  PagePipeline pipeline(source, popts);
  PfnAdapter pfns(map);
  PipelineStats stats = pipeline.run(pfns, [&](const CompressedBatch& batch) {
    const std::size_t n = batch.pfns.size();
    std::uint64_t offset = data_cursor;
    for (std::size_t i = 0; i < n; ++i) {
      const PageResult& r = batch.pages[i];
      std::span<std::byte> d(descs.data() + i * kDescSize, kDescSize);
      const bool stored = r.page_class == PageClass::kStored;
      store_le<std::uint64_t>(d, kDescOffsetAt, stored ? offset : layout.data_offset);
      store_le<std::uint32_t>(d, kDescSizeAt, stored ? r.size : static_cast<std::uint32_t>(page_size));
      store_le<std::uint32_t>(d, kDescFlagsAt, stored ? r.flags : 0);
      store_le<std::uint64_t>(d, kDescPageFlagsAt, 0);
      if (stored) offset += r.size;
    }
    if (desc_index + n > dumpable) throw std::logic_error("the page filter gave more pages on the second pass");
    for (auto piece : batch.data) {
      if (piece.empty()) continue;
      sink.write_at(data_cursor, piece);
      data_cursor += piece.size();
    }
    sink.write_at(layout.descs_offset + desc_index * kDescSize, std::span(descs).first(n * kDescSize));
    desc_index += n;
    if (options.progress) options.progress(desc_index, dumpable);
  });
  if (desc_index != dumpable) throw std::logic_error("the page filter gave fewer pages on the second pass");

  facts.status &= ~kStatusIncomplete;
  sink.write_at(0, main_header(layout, facts));
  sink.finish();

  report.pages_zero = stats.zero + known.zero;
  report.pages_unreadable = stats.unreadable + known.missing;
  report.pages_stored = stats.stored;
  report.pages_compressed = stats.compressed;
  report.bytes_in = stats.bytes_in;
  report.bytes_out = data_cursor;
  if (stats.unreadable > 0)
    report.problems.push_back(std::to_string(stats.unreadable) + " pages could not be read (first pfn " +
                              std::to_string(stats.first_unreadable_pfn) + "); written as zero pages");
  for (auto& note : map.known_notes(known)) report.problems.push_back(std::move(note));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace kdump
