#pragma once
// The kdump-compressed ("diskdump") format as makedumpfile and crash read it,
// for x86_64 and other LP64 targets: field offsets of the main header, the
// kdump sub-header and the page descriptor, and the layout arithmetic.
// Layout: makedumpfile diskdump_mod.h (struct disk_dump_header,
// struct kdump_sub_header, struct page_desc) and its IMPLEMENTATION file.

#include <cstddef>
#include <cstdint>

namespace kdump::diskdump {

inline constexpr char kSignature[] = "KDUMP   ";  ///< 8 bytes, no NUL in the file
inline constexpr std::int32_t kHeaderVersion = 6;  ///< 64-bit pfns in the sub-header

// struct disk_dump_header (464 bytes with LP64 alignment).
inline constexpr std::size_t kHeaderVersionAt = 8, kUtsnameAt = 12, kUtsFieldLength = 65,
                             kTimestampSecAt = 408, kTimestampUsecAt = 416, kStatusAt = 424, kBlockSizeAt = 428,
                             kSubHdrSizeAt = 432, kBitmapBlocksAt = 436, kMaxMapnrAt = 440,
                             kTotalRamBlocksAt = 444, kDeviceBlocksAt = 448, kWrittenBlocksAt = 452,
                             kCurrentCpuAt = 456, kNrCpusAt = 460, kHeaderSize = 464;
/// utsname fields in order: sysname, nodename, release, version, machine, domainname.
inline constexpr std::size_t kUtsRelease = 2, kUtsMachine = 4;

// struct kdump_sub_header (104 bytes).
inline constexpr std::size_t kPhysBaseAt = 0, kDumpLevelAt = 8, kSplitAt = 12, kStartPfnAt = 16, kEndPfnAt = 24,
                             kOffsetVmcoreinfoAt = 32, kSizeVmcoreinfoAt = 40, kOffsetNoteAt = 48,
                             kSizeNoteAt = 56, kOffsetEraseinfoAt = 64, kSizeEraseinfoAt = 72,
                             kStartPfn64At = 80, kEndPfn64At = 88, kMaxMapnr64At = 96, kSubHeaderSize = 104;

// struct page_desc (24 bytes).
inline constexpr std::size_t kDescOffsetAt = 0, kDescSizeAt = 8, kDescFlagsAt = 12, kDescPageFlagsAt = 16,
                             kDescSize = 24;

/// disk_dump_header.status: the dump was cut short (DUMP_DH_COMPRESSED_INCOMPLETE).
inline constexpr std::uint32_t kStatusIncomplete = 0x8;

/// Where everything goes, given the sizes that decide it.
struct Layout {
  std::uint64_t block_size = 0;
  std::uint64_t sub_header_blocks = 0;  ///< sub-header + notes, in blocks
  std::uint64_t bitmap_bytes = 0;       ///< one bitmap, rounded up to whole blocks
  std::uint64_t notes_offset = 0;
  std::uint64_t bitmap1_offset = 0;
  std::uint64_t bitmap2_offset = 0;
  std::uint64_t descs_offset = 0;
  std::uint64_t data_offset = 0;  ///< the shared zero page is the first page here
  std::uint64_t bitmap_blocks() const { return 2 * bitmap_bytes / block_size; }
};

/// The layout for a dump of `max_mapnr` page frames, `notes_size` bytes of
/// notes and `dumpable` page descriptors.
inline Layout layout(std::uint64_t block_size, std::uint64_t max_mapnr, std::uint64_t notes_size,
                     std::uint64_t dumpable) {
  Layout l;
  l.block_size = block_size;
  l.sub_header_blocks = (kSubHeaderSize + notes_size + block_size - 1) / block_size;
  std::uint64_t bits_bytes = (max_mapnr + 7) / 8;
  l.bitmap_bytes = (bits_bytes + block_size - 1) / block_size * block_size;
  l.notes_offset = block_size + kSubHeaderSize;
  l.bitmap1_offset = (1 + l.sub_header_blocks) * block_size;
  l.bitmap2_offset = l.bitmap1_offset + l.bitmap_bytes;
  l.descs_offset = l.bitmap2_offset + l.bitmap_bytes;
  l.data_offset = l.descs_offset + dumpable * kDescSize;
  return l;
}

}  // namespace kdump::diskdump
