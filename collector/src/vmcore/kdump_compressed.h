#pragma once
// makedumpfile's kdump-compressed format ("KDUMP   "), also written by QEMU's
// dump-guest-memory kdump-* formats: a header block, an arch sub-header, two
// page bitmaps, a page descriptor per dumped page, and the (compressed) pages.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "vmcore/elf_notes.h"
#include "vmcore/page_codec.h"
#include "vmcore/physical_memory.h"

namespace kdump {

/// What the kdump-compressed headers say.
struct KdumpHeader {
  std::int32_t header_version = 0;
  std::string sysname, nodename, release, version, machine;
  std::int64_t timestamp_sec = 0;
  std::uint32_t status = 0;
  std::uint32_t block_size = 0;       ///< the page size
  std::uint32_t sub_hdr_size = 0;     ///< in blocks
  std::uint32_t bitmap_blocks = 0;
  std::uint64_t max_mapnr = 0;
  std::int32_t nr_cpus = 0;
  std::uint32_t current_cpu = 0;
  std::uint64_t phys_base = 0;        ///< sub-header
  std::int32_t dump_level = 0;
  bool split = false;
  std::uint64_t start_pfn = 0, end_pfn = 0;
  std::uint64_t offset_vmcoreinfo = 0, size_vmcoreinfo = 0;
  std::uint64_t offset_note = 0, size_note = 0;
  std::uint64_t offset_eraseinfo = 0, size_eraseinfo = 0;
};

/// PhysicalMemory over a kdump-compressed dump.
class KdumpCompressed final : public PhysicalMemory {
 public:
  /// True if the bytes start with the "KDUMP   " signature.
  static bool detect(std::span<const std::byte> head);
  /// Reads headers and bitmaps from `source` (borrowed; must outlive this).
  /// Throws DumpError if the header is unusable; later damage goes to problems().
  explicit KdumpCompressed(ByteSource& source);

  std::size_t read(std::uint64_t paddr, std::span<std::byte> out) override;
  /// Memory present in the crashed system (the first bitmap).
  std::vector<PhysicalRange> ranges() const override;

  const KdumpHeader& header() const { return header_; }
  /// VMCOREINFO text from the sub-header's pointer, if any.
  const std::optional<std::string>& vmcoreinfo_text() const { return vmcoreinfo_; }
  const std::vector<ElfNote>& notes() const { return notes_; }
  /// Pages stored in the dump (set bits of the second bitmap).
  std::uint64_t dumped_pages() const { return dumped_pages_; }
  const std::vector<std::string>& problems() const { return problems_; }
  /// Codecs seen so far in page descriptors, as a bit set over PageCodec.
  unsigned codecs_seen() const { return codecs_seen_; }
  /// Pages that were in the bitmap but could not be read or decoded.
  std::uint64_t bad_pages() const { return bad_pages_; }

 private:
  bool dumped(std::uint64_t pfn) const;
  std::uint64_t rank(std::uint64_t pfn) const;
  bool load_page(std::uint64_t pfn);

  ByteSource& source_;
  KdumpHeader header_;
  std::vector<std::uint64_t> bitmap1_, bitmap2_;  // as 64-bit words, bit i = pfn i
  std::vector<std::uint64_t> block_rank_;         // set bits of bitmap2_ before each 8-word block
  std::uint64_t desc_offset_ = 0;
  std::uint64_t dumped_pages_ = 0;
  std::optional<std::string> vmcoreinfo_;
  std::vector<ElfNote> notes_;
  std::vector<std::string> problems_;
  PageDecompressor decompressor_;
  std::vector<std::byte> page_, packed_;  // one decoded page and its stored bytes, reused
  std::optional<std::uint64_t> cached_pfn_;
  unsigned codecs_seen_ = 0;
  std::uint64_t bad_pages_ = 0;
};

}  // namespace kdump
