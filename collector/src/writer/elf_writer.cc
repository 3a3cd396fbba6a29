#include "writer/elf_writer.h"

// An ELF core file: the ELF header, a PT_NOTE and one PT_LOAD per run of
// dumped pages, the notes, then the page data. The number of program headers
// must be known before any data is placed, so the writer plans the segments
// twice with the same deterministic planner: a counting pass (which reads the
// pages only when zero pages are to be left out, as makedumpfile does for -E
// -d 1), then the writing pass, which emits each program header as its
// segment closes. Memory stays bounded: the planner keeps one open segment.
//
// Left-out pages inside a memory range: a run shorter than kMinHolePages is
// written as zeros (keeps the header count down), a longer one ends the
// segment, whose p_memsz then covers the run with p_filesz < p_memsz, so the
// left-out pages read as zeros, as in makedumpfile's ELF output.
// Layout: elf.h Elf64_Ehdr/Elf64_Phdr/Elf64_Shdr; extended numbering (PN_XNUM)
// per the System V gABI when there are 65535 headers or more.

#include <chrono>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "pipeline/page_pipeline.h"
#include "vmcore/le.h"
#include "writer/coalescing_writer.h"
#include "writer/note_blob.h"
#include "writer/page_map.h"

namespace kdump {
namespace {

constexpr std::uint64_t kMinHolePages = 256;
constexpr std::size_t kEhdrSize = 64, kPhdrSize = 56, kShdrSize = 64;
constexpr std::uint32_t kPtLoad = 1, kPtNote = 4, kPfRwx = 7;
constexpr std::uint16_t kPnXnum = 0xffff;
constexpr std::uint32_t kElfIncomplete = 0x1;  // makedumpfile IMPLEMENTATION: e_flags DUMP_ELF_INCOMPLETE

struct Segment {
  std::uint64_t first_pfn = 0;
  std::uint64_t file_pages = 0;
  std::uint64_t mem_pages = 0;
  std::uint64_t file_offset = 0;
  std::uint64_t vaddr = 0;
};

// Turns the kept pages of one memory range at a time into segments.
class SegmentPlanner {
 public:
  using ZeroFill = std::function<void(std::uint64_t file_offset, std::uint64_t bytes)>;
  using Close = std::function<void(const Segment&)>;
  SegmentPlanner(std::size_t page_size, std::uint64_t data_start, ZeroFill zero_fill, Close close)
      : page_size_(page_size), cursor_(data_start), zero_fill_(std::move(zero_fill)), close_(std::move(close)) {}

  void begin_range(const MemoryRange& r) { range_ = r; }

  /// Page `pfn` has data; returns the file offset where it goes.
  std::uint64_t keep(std::uint64_t pfn) {
    if (open_) {
      const std::uint64_t gap = pfn - next_pfn_;
      if (gap < kMinHolePages) {
        if (gap > 0) zero_fill_(cursor_, gap * page_size_);
        cursor_ += gap * page_size_;
        seg_.file_pages += gap;
      } else {
        seg_.mem_pages = seg_.file_pages + gap;
        finish_segment();
      }
    }
    if (!open_) {
      open_ = true;
      seg_ = {};
      seg_.first_pfn = pfn;
      seg_.file_offset = cursor_;
      const std::uint64_t paddr = pfn * page_size_;
      seg_.vaddr = range_.vaddr != 0 ? range_.vaddr + (paddr - range_.paddr) : 0;
    }
    const std::uint64_t at = cursor_;
    ++seg_.file_pages;
    cursor_ += page_size_;
    next_pfn_ = pfn + 1;
    return at;
  }

  void end_range() {
    if (!open_) return;
    const std::uint64_t end_pfn = (range_.paddr + range_.size + page_size_ - 1) / page_size_;
    seg_.mem_pages = seg_.file_pages + (end_pfn > next_pfn_ ? end_pfn - next_pfn_ : 0);
    finish_segment();
  }

  std::uint64_t segments() const { return segments_; }
  std::uint64_t end_offset() const { return cursor_; }

 private:
  void finish_segment() {
    if (seg_.mem_pages < seg_.file_pages) seg_.mem_pages = seg_.file_pages;
    close_(seg_);
    ++segments_;
    open_ = false;
  }

  std::size_t page_size_;
  std::uint64_t cursor_;
  ZeroFill zero_fill_;
  Close close_;
  MemoryRange range_;
  Segment seg_;
  bool open_ = false;
  std::uint64_t next_pfn_ = 0;
  std::uint64_t segments_ = 0;
};

class RangePfns final : public PfnStream {
 public:
  RangePfns(const PageMap& map, std::uint64_t first, std::uint64_t end) : pfns_(map, first, end) {}
  std::size_t next(std::span<std::uint64_t> out) override { return pfns_.next(out); }

 private:
  DumpablePfns pfns_;
};

std::vector<std::byte> elf_header(std::uint16_t machine, std::uint64_t phnum, std::uint64_t shoff, std::uint32_t flags) {
  std::vector<std::byte> h(kEhdrSize);
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2 /*ELFCLASS64*/, 1 /*ELFDATA2LSB*/, 1 /*EV_CURRENT*/};
  std::memcpy(h.data(), ident, sizeof ident);
  store_le<std::uint16_t>(h, 16, 4);  // ET_CORE
  store_le<std::uint16_t>(h, 18, machine);
  store_le<std::uint32_t>(h, 20, 1);
  store_le<std::uint64_t>(h, 32, kEhdrSize);  // e_phoff
  store_le<std::uint64_t>(h, 40, shoff);
  store_le<std::uint32_t>(h, 48, flags);
  store_le<std::uint16_t>(h, 52, kEhdrSize);
  store_le<std::uint16_t>(h, 54, kPhdrSize);
  store_le<std::uint16_t>(h, 56, phnum >= kPnXnum ? kPnXnum : static_cast<std::uint16_t>(phnum));
  if (shoff != 0) {
    store_le<std::uint16_t>(h, 58, kShdrSize);
    store_le<std::uint16_t>(h, 60, 1);  // e_shnum: the one header that carries the count
  }
  return h;
}

std::array<std::byte, kPhdrSize> phdr(std::uint32_t type, std::uint64_t offset, std::uint64_t vaddr,
                                      std::uint64_t paddr, std::uint64_t filesz, std::uint64_t memsz) {
  std::array<std::byte, kPhdrSize> p{};
  store_le<std::uint32_t>(p, 0, type);
  store_le<std::uint32_t>(p, 4, type == kPtLoad ? kPfRwx : 0);
  store_le<std::uint64_t>(p, 8, offset);
  store_le<std::uint64_t>(p, 16, vaddr);
  store_le<std::uint64_t>(p, 24, paddr);
  store_le<std::uint64_t>(p, 32, filesz);
  store_le<std::uint64_t>(p, 40, memsz);
  return p;
}

}  // namespace

WriteReport write_elf(PageSource& source, PageFilter* filter, const WriteOptions& options, ByteSink& sink) {
  const auto started = std::chrono::steady_clock::now();
  const std::size_t page_size = source.page_size();
  if (page_size < 4096 || (page_size & (page_size - 1)) != 0)
    throw std::invalid_argument("page size " + std::to_string(page_size) + " is not a power of two of at least 4096");
  WriteReport report;
  const auto ranges = source.memory_ranges();
  PageMap map(ranges, page_size, filter);
  report.max_pfn = map.max_pfn();
  const bool exclude_zero = (options.dump_level & kDumpLevelExcludeZero) != 0;
  map.leave_out_known(source, exclude_zero);
  NoteBlob notes = prepare_notes(source.elf_notes(), source.vmcoreinfo());
  if (notes.vmcoreinfo_size == 0) report.problems.push_back("no VMCOREINFO: readers will not find the kernel's symbols");

  PageMap::KnownOut known;  // frames left out unread: known zero, or missing from the file
  {
    std::vector<std::uint8_t> present(PageMap::kWindowBytes), dump(PageMap::kWindowBytes);
    std::uint64_t dumpable = 0;
    for (std::uint64_t w = 0; w < map.windows(); ++w) {
      known += map.fill(w, present, dump);
      report.pages_present += count_bits(present);
      dumpable += count_bits(dump);
    }
    report.pages_filtered = report.pages_present - dumpable;
  }

  PipelineOptions popts;
  popts.codec = CodecKind::kNone;
  popts.threads = options.threads;
  popts.batch_pages = options.batch_pages;
  popts.detect_zero = exclude_zero;
  auto range_pfns = [&](const MemoryRange& r) {
    return std::pair{r.paddr / page_size, (r.paddr + r.size + page_size - 1) / page_size};
  };

  // Counting pass.
  std::uint64_t segments = 0, data_bytes = 0;
  {
    SegmentPlanner plan(page_size, 0, [](std::uint64_t, std::uint64_t) {}, [](const Segment&) {});
    for (const auto& r : ranges) {
      if (r.size == 0) continue;
      plan.begin_range(r);
      auto [first, end] = range_pfns(r);
      RangePfns pfns(map, first, end);
      if (exclude_zero) {
        PagePipeline pipeline(source, popts);
        pipeline.run(pfns, [&](const CompressedBatch& b) {
          for (std::size_t i = 0; i < b.pfns.size(); ++i)
            if (b.pages[i].page_class != PageClass::kZero) plan.keep(b.pfns[i]);
        });
      } else {
        std::vector<std::uint64_t> buf(4096);
        for (std::size_t n; (n = pfns.next(buf)) > 0;)
          for (std::size_t i = 0; i < n; ++i) plan.keep(buf[i]);
      }
      plan.end_range();
    }
    segments = plan.segments();
    data_bytes = plan.end_offset();
  }

  const std::uint64_t phnum = 1 + segments;
  const bool extended = phnum >= kPnXnum;
  const std::uint64_t shoff = extended ? kEhdrSize + phnum * kPhdrSize : 0;
  const std::uint64_t notes_offset = kEhdrSize + phnum * kPhdrSize + (extended ? kShdrSize : 0);
  const std::uint64_t data_start = (notes_offset + notes.bytes.size() + page_size - 1) / page_size * page_size;

  sink.write_at(0, elf_header(source.elf_machine(), phnum, shoff, kElfIncomplete));
  sink.write_at(kEhdrSize, phdr(kPtNote, notes_offset, 0, 0, notes.bytes.size(), notes.bytes.size()));
  if (extended) {
    std::array<std::byte, kShdrSize> sh{};
    store_le<std::uint32_t>(sh, 44, static_cast<std::uint32_t>(phnum));  // sh_info holds the real e_phnum
    sink.write_at(shoff, sh);
  }
  if (!notes.bytes.empty()) sink.write_at(notes_offset, notes.bytes);

  // Writing pass.
  CoalescingWriter out(sink);
  std::uint64_t phdr_index = 1;
  PipelineStats total;
  SegmentPlanner plan(
      page_size, data_start, [&](std::uint64_t at, std::uint64_t n) { out.zeros_at(at, n); },
      [&](const Segment& s) {
        if (phdr_index > segments) throw std::runtime_error("the pages changed between the two passes of the ELF writer");
        sink.write_at(kEhdrSize + phdr_index * kPhdrSize,
                      phdr(kPtLoad, s.file_offset, s.vaddr, s.first_pfn * page_size, s.file_pages * page_size,
                           s.mem_pages * page_size));
        ++phdr_index;
      });
  std::uint64_t done = 0;
  for (const auto& r : ranges) {
    if (r.size == 0) continue;
    plan.begin_range(r);
    auto [first, end] = range_pfns(r);
    RangePfns pfns(map, first, end);
    PagePipeline pipeline(source, popts);
    PipelineStats st = pipeline.run(pfns, [&](const CompressedBatch& b) {
      std::size_t piece = 0, piece_at = 0;
      for (std::size_t i = 0; i < b.pfns.size(); ++i) {
        const PageResult& p = b.pages[i];
        if (p.page_class == PageClass::kZero) continue;
        const std::uint64_t at = plan.keep(b.pfns[i]);
        if (p.page_class == PageClass::kUnreadable) {
          out.zeros_at(at, page_size);
          continue;
        }
        while (piece_at == b.data[piece].size()) ++piece, piece_at = 0;
        out.write_at(at, b.data[piece].subspan(piece_at, p.size));
        piece_at += p.size;
      }
      done += b.pfns.size();
      if (options.progress) options.progress(done, report.pages_present - report.pages_filtered);
    });
    plan.end_range();
    total.zero += st.zero;
    total.unreadable += st.unreadable;
    total.stored += st.stored;
    total.bytes_in += st.bytes_in;
    if (st.unreadable > 0 && total.first_unreadable_pfn == 0) total.first_unreadable_pfn = st.first_unreadable_pfn;
  }
  out.flush();
  if (phdr_index != phnum || plan.end_offset() != data_start + data_bytes)
    throw std::runtime_error("the pages changed between the two passes of the ELF writer");
  sink.write_at(0, elf_header(source.elf_machine(), phnum, shoff, 0));
  sink.finish();

  report.pages_zero = total.zero + known.zero;
  report.pages_filtered -= known.zero + known.missing;
  report.pages_unreadable = total.unreadable + known.missing;
  report.pages_stored = total.stored;
  report.bytes_in = total.bytes_in;
  report.bytes_out = plan.end_offset();
  if (total.unreadable > 0)
    report.problems.push_back(std::to_string(total.unreadable) + " pages could not be read (first pfn " +
                              std::to_string(total.first_unreadable_pfn) + "); written as zeros");
  for (auto& note : map.known_notes(known)) report.problems.push_back(std::move(note));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace kdump
