#pragma once
// makedumpfile's flattened format (-F): a 4096-byte header, then records of
// a 16-byte big-endian {offset, size} header and `size` bytes that belong at
// `offset` of the rebuilt dump, ended by a record header of {-1, -1}.
// Layout: makedumpfile.h struct makedumpfile_header and
// struct makedumpfile_data_header; write_buffer() and rearrange_dumpdata()
// in makedumpfile.c (both fields big-endian whatever the host).

#include <cstddef>
#include <cstdint>

namespace kdump::flattened {

inline constexpr char kSignature[] = "makedumpfile";  ///< NUL-padded to 16 bytes
inline constexpr std::size_t kSignatureField = 16;
inline constexpr std::size_t kTypeAt = 16, kVersionAt = 24;  ///< big-endian int64 each
inline constexpr std::int64_t kType = 1;                     ///< TYPE_FLAT_HEADER
inline constexpr std::int64_t kVersion = 1;                  ///< VERSION_FLAT_HEADER
inline constexpr std::size_t kHeaderSize = 4096;             ///< MAX_SIZE_MDF_HEADER
inline constexpr std::size_t kRecordHeaderSize = 16;         ///< offset, size: big-endian int64
inline constexpr std::int64_t kEndMarker = -1;               ///< END_FLAG_FLAT_HEADER in both fields

}  // namespace kdump::flattened
