#include "vmcore/kdump_compressed.h"

// Layout facts from makedumpfile's diskdump_mod.h and IMPLEMENTATION (x86_64
// sizes: long and off_t are 8 bytes, struct timeval 16):
//   block 0:                 disk_dump_header
//   block 1..sub_hdr_size:   kdump_sub_header
//   next bitmap_blocks:      1st bitmap (RAM) then 2nd bitmap (dumped pages), half each
//   next:                    page_desc {off_t offset; u32 size; u32 flags; u64 page_flags}
//                            for each dumped page in pfn order
// Bit n of a bitmap is byte n/8, bit n%8. A page's descriptor index is the
// number of dumped pages below it, answered from a rank table (one count per
// 512 pages) plus a popcount, so a read is O(1) and allocation-free. Sizes
// come from the file and are capped by its length before anything is
// allocated. One decoded page is cached, since readers walk byte ranges.

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "vmcore/dump_error.h"
#include "vmcore/le.h"

namespace kdump {
namespace {

constexpr char kSignature[] = "KDUMP   ";
constexpr std::size_t kDescSize = 24;
constexpr std::uint32_t kStatusIncomplete = 0x8;  // DUMP_DH_COMPRESSED_INCOMPLETE
constexpr std::uint64_t kMaxVmcoreinfo = 1 << 20;
constexpr std::uint64_t kMaxNotes = 64ull << 20;
constexpr std::size_t kWordsPerRankBlock = 8;

// disk_dump_header offsets (new_utsname is 6 fields of 65 bytes).
constexpr std::size_t kHeaderVersion = 8, kUtsname = 12, kUtsField = 65, kTimestamp = 408, kStatus = 424,
                      kBlockSize = 428, kSubHdrSize = 432, kBitmapBlocks = 436, kMaxMapnr = 440,
                      kCurrentCpu = 456, kNrCpus = 460, kHeaderBytes = 464;
// kdump_sub_header offsets.
constexpr std::size_t kPhysBase = 0, kDumpLevel = 8, kSplit = 12, kStartPfn = 16, kEndPfn = 24,
                      kOffsetVmcoreinfo = 32, kSizeVmcoreinfo = 40, kOffsetNote = 48, kSizeNote = 56,
                      kOffsetEraseinfo = 64, kSizeEraseinfo = 72, kStartPfn64 = 80, kEndPfn64 = 88,
                      kMaxMapnr64 = 96, kSubHeaderBytes = 104;

// Reads `bytes` bytes of bitmap at `offset` into words; what cannot be read stays zero.
std::vector<std::uint64_t> read_bitmap(ByteSource& src, std::uint64_t offset, std::uint64_t bytes) {
  std::vector<std::uint64_t> words(static_cast<std::size_t>((bytes + 7) / 8));
  std::vector<std::byte> raw(static_cast<std::size_t>(std::min<std::uint64_t>(bytes, 1 << 20)));
  for (std::uint64_t done = 0; done < bytes;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(raw.size(), bytes - done));
    const std::size_t got = src.read_at(offset + done, std::span(raw.data(), n));
    for (std::size_t i = 0; i < got; ++i)  // done is a multiple of 8: raw.size() is
      words[(done + i) / 8] |= std::uint64_t{std::to_integer<std::uint8_t>(raw[i])} << (8 * ((done + i) % 8));
    if (got < n) break;
    done += n;
  }
  return words;
}

}  // namespace

bool KdumpCompressed::detect(std::span<const std::byte> head) {
  return head.size() >= 8 && std::memcmp(head.data(), kSignature, 8) == 0;
}

KdumpCompressed::KdumpCompressed(ByteSource& source) : source_(source) {
  const std::string name = source.name();
  const std::uint64_t file_size = source.size();
  const std::uint64_t stored = std::min(file_size, source.stored_size());  // caps allocations
  std::array<std::byte, kHeaderBytes> hb{};
  if (source.read_at(0, hb) < hb.size() || !detect(hb)) throw DumpError(name + ": kdump-compressed header is unreadable");
  KdumpHeader& h = header_;
  h.header_version = static_cast<std::int32_t>(load_le<std::uint32_t>(hb, kHeaderVersion));
  std::string* uts[] = {&h.sysname, &h.nodename, &h.release, &h.version, &h.machine};
  for (std::size_t i = 0; i < 5; ++i) *uts[i] = load_cstr(hb, kUtsname + i * kUtsField, kUtsField);
  h.timestamp_sec = static_cast<std::int64_t>(load_le<std::uint64_t>(hb, kTimestamp));
  h.status = load_le<std::uint32_t>(hb, kStatus);
  h.block_size = load_le<std::uint32_t>(hb, kBlockSize);
  h.sub_hdr_size = load_le<std::uint32_t>(hb, kSubHdrSize);
  h.bitmap_blocks = load_le<std::uint32_t>(hb, kBitmapBlocks);
  h.max_mapnr = load_le<std::uint32_t>(hb, kMaxMapnr);
  h.current_cpu = load_le<std::uint32_t>(hb, kCurrentCpu);
  h.nr_cpus = static_cast<std::int32_t>(load_le<std::uint32_t>(hb, kNrCpus));
  if (h.block_size < 512 || h.block_size > (1u << 20) || !std::has_single_bit(h.block_size))
    throw DumpError(name + ": kdump-compressed block size " + std::to_string(h.block_size) + " is not a valid page size");
  if (h.status & kStatusIncomplete)
    problems_.push_back("the dump is marked incomplete (the capture ran out of space); pages past that point are missing");

  const std::uint64_t bs = h.block_size;
  if (h.header_version >= 1 && h.sub_hdr_size > 0) {
    std::array<std::byte, kSubHeaderBytes> sb{};
    const std::size_t got = source.read_at(bs, sb);
    if (got < 16) problems_.push_back("the kdump sub-header is unreadable");
    std::span<const std::byte> s(sb.data(), got);
    h.phys_base = load_le<std::uint64_t>(s, kPhysBase);
    h.dump_level = static_cast<std::int32_t>(load_le<std::uint32_t>(s, kDumpLevel));
    if (h.header_version >= 2) {
      h.split = load_le<std::uint32_t>(s, kSplit) != 0;
      h.start_pfn = load_le<std::uint64_t>(s, kStartPfn);
      h.end_pfn = load_le<std::uint64_t>(s, kEndPfn);
    }
    if (h.header_version >= 3) {
      h.offset_vmcoreinfo = load_le<std::uint64_t>(s, kOffsetVmcoreinfo);
      h.size_vmcoreinfo = load_le<std::uint64_t>(s, kSizeVmcoreinfo);
    }
    if (h.header_version >= 4) {
      h.offset_note = load_le<std::uint64_t>(s, kOffsetNote);
      h.size_note = load_le<std::uint64_t>(s, kSizeNote);
    }
    if (h.header_version >= 5) {
      h.offset_eraseinfo = load_le<std::uint64_t>(s, kOffsetEraseinfo);
      h.size_eraseinfo = load_le<std::uint64_t>(s, kSizeEraseinfo);
    }
    if (h.header_version >= 6) {
      h.start_pfn = load_le<std::uint64_t>(s, kStartPfn64);
      h.end_pfn = load_le<std::uint64_t>(s, kEndPfn64);
      h.max_mapnr = load_le<std::uint64_t>(s, kMaxMapnr64);
    }
  }
  if (h.split) problems_.push_back("this file is one part of a split dump: pages outside pfn " +
                                   std::to_string(h.start_pfn) + "-" + std::to_string(h.end_pfn) + " are in another file");

  if (h.size_vmcoreinfo > 0) {
    if (h.offset_vmcoreinfo >= file_size || h.size_vmcoreinfo > std::min({kMaxVmcoreinfo, file_size - h.offset_vmcoreinfo, stored})) {
      problems_.push_back("the VMCOREINFO pointer of the sub-header lies outside the file");
    } else {
      std::string text(static_cast<std::size_t>(h.size_vmcoreinfo), '\0');
      const std::size_t got = source.read_at(h.offset_vmcoreinfo, std::as_writable_bytes(std::span(text)));
      text.resize(got);
      vmcoreinfo_ = std::move(text);
    }
  }
  if (h.size_note > 0) {
    if (h.offset_note >= file_size || h.size_note > std::min({kMaxNotes, file_size - h.offset_note, stored})) {
      problems_.push_back("the ELF notes pointer of the sub-header lies outside the file");
    } else {
      std::vector<std::byte> notes(static_cast<std::size_t>(h.size_note));
      notes.resize(source.read_at(h.offset_note, notes));
      notes_ = parse_elf_notes(notes, problems_);
    }
  }

  // Bitmaps: each half of bitmap_blocks; cap by the file and by max_mapnr.
  const std::uint64_t bitmap_offset = (1 + std::uint64_t{h.sub_hdr_size}) * bs;
  std::uint64_t half = std::uint64_t{h.bitmap_blocks} * bs / 2;
  if (bitmap_offset >= file_size || half * 2 > file_size - bitmap_offset) {
    problems_.push_back("the page bitmaps extend past the end of the file");
    half = bitmap_offset < file_size ? (file_size - bitmap_offset) / 2 : 0;
  }
  if (half > stored) {
    problems_.push_back("the page bitmaps are larger than the data the file holds; only the first " +
                        std::to_string(stored) + " bytes of each are used");
    half = stored;
  }
  if (h.max_mapnr > half * 8) {
    problems_.push_back("max_mapnr " + std::to_string(h.max_mapnr) + " exceeds what the bitmap covers (" +
                        std::to_string(half * 8) + " pages); pages above are unreadable");
    h.max_mapnr = half * 8;
  }
  const std::uint64_t bitmap_bytes = (h.max_mapnr + 7) / 8;
  bitmap1_ = read_bitmap(source, bitmap_offset, bitmap_bytes);
  bitmap2_ = read_bitmap(source, bitmap_offset + half, bitmap_bytes);
  // Bits past max_mapnr in the last word do not count.
  if (h.max_mapnr % 64 && !bitmap2_.empty()) {
    const std::uint64_t keep = (std::uint64_t{1} << (h.max_mapnr % 64)) - 1;
    bitmap1_.back() &= keep;
    bitmap2_.back() &= keep;
  }
  block_rank_.reserve(bitmap2_.size() / kWordsPerRankBlock + 1);
  for (std::size_t i = 0; i < bitmap2_.size(); ++i) {
    if (i % kWordsPerRankBlock == 0) block_rank_.push_back(dumped_pages_);
    dumped_pages_ += static_cast<std::uint64_t>(std::popcount(bitmap2_[i]));
  }
  desc_offset_ = bitmap_offset + 2 * std::uint64_t{h.bitmap_blocks} * bs / 2;
  if (desc_offset_ > file_size || dumped_pages_ > (file_size - desc_offset_) / kDescSize)
    problems_.push_back("the page descriptor table is truncated; some dumped pages are unreadable");
  page_.resize(bs);
  packed_.resize(bs);
}

bool KdumpCompressed::dumped(std::uint64_t pfn) const {
  if (pfn >= header_.max_mapnr) return false;
  return (bitmap2_[pfn / 64] >> (pfn % 64)) & 1;
}

std::uint64_t KdumpCompressed::rank(std::uint64_t pfn) const {
  const std::size_t word = static_cast<std::size_t>(pfn / 64);
  std::uint64_t r = block_rank_[word / kWordsPerRankBlock];
  for (std::size_t w = word - word % kWordsPerRankBlock; w < word; ++w) r += static_cast<std::uint64_t>(std::popcount(bitmap2_[w]));
  const std::uint64_t below = (std::uint64_t{1} << (pfn % 64)) - 1;
  return r + static_cast<std::uint64_t>(std::popcount(bitmap2_[word] & below));
}

bool KdumpCompressed::load_page(std::uint64_t pfn) {
  if (cached_pfn_ == pfn) return true;
  std::array<std::byte, kDescSize> desc{};
  if (source_.read_at(desc_offset_ + rank(pfn) * kDescSize, desc) < desc.size()) {
    ++bad_pages_;
    return false;
  }
  const std::uint64_t offset = load_le<std::uint64_t>(desc, 0);
  const std::uint32_t size = load_le<std::uint32_t>(desc, 8);
  const std::uint32_t flags = load_le<std::uint32_t>(desc, 12);
  const PageCodec codec = codec_from_flags(flags);
  codecs_seen_ |= 1u << static_cast<unsigned>(codec);
  if (size == 0 || size > packed_.size() || source_.read_at(offset, std::span(packed_.data(), size)) < size ||
      !decompressor_.decompress(codec, std::span(packed_.data(), size), page_)) {
    ++bad_pages_;
    cached_pfn_.reset();
    return false;
  }
  cached_pfn_ = pfn;
  return true;
}

std::size_t KdumpCompressed::read(std::uint64_t paddr, std::span<std::byte> out) {
  const std::uint64_t bs = header_.block_size;
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t addr = paddr + done;
    if (addr < paddr) break;
    const std::uint64_t pfn = addr / bs;
    if (!dumped(pfn) || !load_page(pfn)) break;
    const std::size_t in_page = static_cast<std::size_t>(addr % bs);
    const std::size_t n = std::min<std::size_t>(out.size() - done, bs - in_page);
    std::memcpy(out.data() + done, page_.data() + in_page, n);
    done += n;
  }
  return done;
}

std::vector<PhysicalRange> KdumpCompressed::ranges() const {
  std::vector<PhysicalRange> out;
  const std::uint64_t bs = header_.block_size;
  std::uint64_t run_start = 0;
  bool in_run = false;
  for (std::size_t w = 0; w <= bitmap1_.size(); ++w) {
    const std::uint64_t word = w < bitmap1_.size() ? bitmap1_[w] : 0;
    if ((word == ~std::uint64_t{0} && in_run) || (word == 0 && !in_run)) continue;
    for (unsigned b = 0; b < 64; ++b) {
      const bool set = (word >> b) & 1;
      const std::uint64_t pfn = std::uint64_t{w} * 64 + b;
      if (set && !in_run) {
        run_start = pfn;
        in_run = true;
      } else if (!set && in_run) {
        out.push_back({run_start * bs, (pfn - run_start) * bs});
        in_run = false;
      }
    }
  }
  return out;
}

}  // namespace kdump
