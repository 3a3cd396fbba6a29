#pragma once
// Builder for synthetic kdump-compressed dumps and their flattened form.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kdump::test {

/// How the builder stores a page (page_desc.flags).
enum class StoreAs { kRaw, kZlib, kLzo, kZstd, kSnappy, kSnappyGarbage, kGarbageZlib, kUnknownFlag };

/// Builds a kdump-compressed file (header version 6, x86_64 sizes).
struct KdumpBuilder {
  std::uint32_t block_size = 4096;
  std::uint64_t max_mapnr = 64;
  std::string release = "6.1.0-test";
  std::string machine = "x86_64";
  std::int64_t timestamp = 1700000000;
  std::int32_t nr_cpus = 2;
  std::uint64_t phys_base = 0;
  std::optional<std::string> vmcoreinfo;
  std::vector<std::byte> notes;                      ///< serialized ELF notes for offset_note
  std::map<std::uint64_t, std::vector<std::byte>> pages;  ///< dumped pages by pfn (block_size bytes each)
  std::vector<std::uint64_t> ram_only;               ///< pfns present in RAM but excluded from the dump
  StoreAs store = StoreAs::kZlib;
  std::map<std::uint64_t, StoreAs> store_override;   ///< per-pfn storage

  std::vector<std::byte> build() const;
};

/// Rewrites a file in makedumpfile's flattened format: records of at most
/// `record_size` bytes, emitted back to front when `reverse`; when
/// `rewrite_first` the first record is written twice, the first time with junk.
std::vector<std::byte> flatten(const std::vector<std::byte>& file, std::size_t record_size, bool reverse = false,
                               bool rewrite_first = false);

}  // namespace kdump::test
