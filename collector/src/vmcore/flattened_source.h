#pragma once
// makedumpfile's flattened format (what `makedumpfile -F` and QEMU's
// kdump-* formats write to a pipe): a 4 KiB header, then records of
// {offset, size, data} that, written at their offsets, rebuild the dump.
// This source indexes the records and reads the rebuilt dump in place.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/byte_source.h"

namespace kdump {

/// The dump a flattened file describes, read through an index of its records.
class FlattenedSource final : public ByteSource {
 public:
  /// True if the bytes start with the flattened header's signature.
  static bool detect(std::span<const std::byte> head);
  /// Indexes `file` (borrowed; must outlive this); throws DumpError if the
  /// header is not a flattened header. Damaged records are listed in problems().
  explicit FlattenedSource(ByteSource& file);

  std::size_t read_at(std::uint64_t offset, std::span<std::byte> out) override;
  std::uint64_t size() const override { return size_; }
  std::uint64_t stored_size() const override { return std::min(size_, file_.stored_size()); }
  std::string name() const override { return file_.name(); }

  const std::vector<std::string>& problems() const { return problems_; }
  std::uint64_t records() const { return records_; }

 private:
  struct Piece {
    std::uint64_t length;
    std::uint64_t file_offset;
  };
  void insert(std::uint64_t start, std::uint64_t length, std::uint64_t file_offset);

  ByteSource& file_;
  std::map<std::uint64_t, Piece> pieces_;  // by start in the rebuilt dump; never overlapping
  std::uint64_t size_ = 0;
  std::uint64_t records_ = 0;
  std::vector<std::string> problems_;
};

}  // namespace kdump
