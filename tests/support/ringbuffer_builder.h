#pragma once
// Builders for the two kernel log buffers inside a KernelImageBuilder. Each
// models the kernel's writer (which records survive as the rings fill, where
// a block wraps, what an interrupted writer leaves behind), then installs the
// bytes and the VMCOREINFO lines that describe them. Layouts are parameters,
// so tests can prove the reader follows VMCOREINFO instead of assuming one.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/kernel_image_builder.h"

namespace kdump::test {

/// Offsets and sizes of the lockless ring buffer's structures.
struct LocklessLayout {
  std::uint64_t word = 8;  // sizeof(unsigned long)
  // struct printk_ringbuffer
  std::uint64_t ringbuffer_size = 80, desc_ring = 0, text_data_ring = 40, fail = 72;
  // struct prb_desc_ring
  std::uint64_t desc_ring_size = 40, count_bits = 0, descs = 8, infos = 16, head_id = 24, tail_id = 32;
  // struct prb_data_ring
  std::uint64_t data_ring_size = 32, size_bits = 0, data = 8, head_lpos = 16, tail_lpos = 24;
  // struct prb_desc and struct prb_data_blk_lpos
  std::uint64_t desc_size = 24, state_var = 0, text_blk_lpos = 8;
  std::uint64_t lpos_size = 16, lpos_begin = 0, lpos_next = 8;
  // struct printk_info (facility and the flags/level byte follow text_len)
  std::uint64_t info_size = 88, seq = 0, ts_nsec = 8, text_len = 16, caller_id = 20, dev_info = 24;

  /// Linux 6.1 on x86_64 (pahole of the Debian 12 kernel).
  static LocklessLayout linux_6_1() { return {}; }
  /// Linux 6.1 on i386: 4-byte words, ids and positions.
  static LocklessLayout linux_6_1_i386();
  /// Every structure reordered and padded: only VMCOREINFO can tell.
  static LocklessLayout shuffled();
};

/// A lockless printk_ringbuffer (Linux 5.10+), written the way the kernel does.
class LocklessRingBuilder {
 public:
  /// How far the writer of a record got before the kernel stopped.
  enum class Stage { kFinalized, kCommitted, kReserved, kIdClaimed };
  struct Message {
    std::string text;
    std::uint64_t ts_nsec = 0;
    Stage stage = Stage::kFinalized;
    std::uint32_t caller_id = 0;
    std::uint8_t level = 6;
    std::uint8_t facility = 0;
  };
  /// A record a correct reader returns: committed or finalized, tail to head.
  struct Expected {
    std::uint64_t seq;
    std::uint64_t ts_nsec;
    std::string text;
    bool dataless;
  };

  LocklessRingBuilder(unsigned count_bits, unsigned size_bits, LocklessLayout layout = {});

  /// Stores a record as printk would, recycling the oldest ones when a ring
  /// is full; returns its descriptor id.
  std::uint64_t append(const Message& message);
  std::uint64_t append(std::string_view text, std::uint64_t ts_nsec, Stage stage = Stage::kFinalized);

  /// Writes prb, the rings and the VMCOREINFO lines (6.1's set) into the image.
  void install(KernelImageBuilder& image);

  /// What a reader should find, from the builder's own model.
  std::vector<Expected> expected() const;

  // Addresses, valid after install(), for tests that damage the buffer.
  const LocklessLayout& layout() const { return layout_; }
  std::uint64_t desc_address(std::uint64_t id) const;
  std::uint64_t info_address(std::uint64_t id) const;
  /// Where the record's data block starts (its id word), or nullopt if data-less.
  std::optional<std::uint64_t> block_address(std::uint64_t id) const;
  std::uint64_t prb_address() const { return prb_; }
  std::uint64_t head_id() const { return head_id_; }
  std::uint64_t tail_id() const { return tail_id_; }
  std::uint64_t data_head_lpos() const { return head_lpos_; }

 private:
  struct Desc {
    std::uint64_t state_var = 0, begin = 0, next = 0;
  };
  struct Info {
    std::uint64_t seq = 0, ts_nsec = 0;
    std::uint16_t text_len = 0;
    std::uint8_t facility = 0, level = 0;
    std::uint32_t caller_id = 0;
  };
  std::uint64_t sv(std::uint64_t id, unsigned state) const;
  unsigned state_of(const Desc& d) const;
  std::uint64_t id_of(const Desc& d) const { return d.state_var & id_mask_; }
  void push_desc_tail();
  void push_data_tail(std::uint64_t lpos);
  std::uint64_t data_index(std::uint64_t lpos) const { return lpos & (data_size_ - 1); }
  std::uint64_t wraps(std::uint64_t lpos) const { return (lpos & word_mask_) >> size_bits_; }

  LocklessLayout layout_;
  unsigned count_bits_, size_bits_;
  std::uint64_t count_, data_size_, word_mask_, id_mask_;
  std::uint64_t head_id_, tail_id_, head_lpos_, tail_lpos_;
  std::vector<Desc> descs_;
  std::vector<Info> infos_;
  std::vector<std::byte> data_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t prb_ = 0, descs_addr_ = 0, infos_addr_ = 0, data_addr_ = 0;
};

/// Offsets of struct printk_log (struct log before 3.11).
struct LegacyLayout {
  std::uint64_t header_size = 16, ts_nsec = 0, len = 8, text_len = 10, dict_len = 12, facility = 14, flags_level = 15;
  std::optional<std::uint64_t> caller_id;  // CONFIG_PRINTK_CALLER (5.1-5.9): header grows to 24
  bool old_name = false;                   // export as SIZE(log)/OFFSET(log.*) as 3.5-3.10 did
  std::uint64_t align = 4;                 // LOG_ALIGN on x86

  /// 4.x/5.x on x86_64.
  static LegacyLayout linux_5_4() { return {}; }
  /// 5.x with CONFIG_PRINTK_CALLER.
  static LegacyLayout with_caller_id();
};

/// A 3.5-5.9 log_buf of variable-length records, written as log_store() does.
class LegacyLogBuilder {
 public:
  struct Message {
    std::string text;
    std::uint64_t ts_nsec = 0;
    std::string dict;
    std::uint8_t level = 6;
    std::uint8_t facility = 0;
    std::uint32_t caller_id = 0;
  };

  explicit LegacyLogBuilder(std::uint32_t log_buf_len, LegacyLayout layout = {});

  /// Stores a record, dropping the oldest ones until it fits.
  void append(const Message& message);
  void append(std::string_view text, std::uint64_t ts_nsec);

  /// Writes log_buf, its pointer and indexes, and the VMCOREINFO lines.
  void install(KernelImageBuilder& image);

  /// The surviving records' texts, oldest first (the builder's own model).
  std::vector<std::string> expected_texts() const;
  /// Offsets in log_buf of the surviving records, oldest first.
  std::vector<std::uint32_t> record_offsets() const;
  /// Offset of the end-of-buffer marker, if the buffer has wrapped.
  std::optional<std::uint32_t> marker_offset() const { return first_idx_ > next_idx_ ? marker_ : std::nullopt; }

  const LegacyLayout& layout() const { return layout_; }
  std::uint64_t buffer_address() const { return buf_addr_; }
  std::uint32_t first_idx() const { return first_idx_; }
  std::uint32_t next_idx() const { return next_idx_; }

 private:
  std::uint16_t len_at(std::uint32_t idx) const;
  std::uint32_t next_of(std::uint32_t idx) const;
  bool has_space(std::uint32_t size, bool empty) const;

  LegacyLayout layout_;
  std::vector<std::byte> buf_;
  std::uint32_t first_idx_ = 0, next_idx_ = 0;
  std::optional<std::uint32_t> marker_;
  struct Live {
    std::uint32_t offset;
    std::string text;
  };
  std::deque<Live> live_;
  std::uint64_t buf_addr_ = 0;
};

}  // namespace kdump::test
