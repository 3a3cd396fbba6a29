#include "support/ringbuffer_builder.h"

// The writers model kernel/printk/printk_ringbuffer.c (desc_reserve,
// desc_push_tail, data_alloc, get_next_lpos, data_push_tail,
// data_make_reusable; 6.1) and log_store()/log_make_free_space()/
// logbuf_has_space() of kernel/printk/printk.c (3.5-5.9), reduced to one
// writer: they decide which records survive, where blocks wrap, and what a
// writer that was interrupted leaves in the descriptor. Misuse that the
// kernel would refuse (pushing out a record still being written) throws.

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace kdump::test {
namespace {

constexpr unsigned kReserved = 0, kCommitted = 1, kFinalized = 2, kReusable = 3;  // enum desc_state
constexpr std::uint64_t kFailedLpos = 0x1, kNoLpos = 0x3;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

void put(std::vector<std::byte>& bytes, std::uint64_t at, std::uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) bytes.at(at + i) = static_cast<std::byte>((value >> (8 * i)) & 0xff);
}

std::uint64_t get(const std::vector<std::byte>& bytes, std::uint64_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = width; i-- > 0;) v = (v << 8) | std::to_integer<std::uint8_t>(bytes.at(at + i));
  return v;
}

}  // namespace

LocklessLayout LocklessLayout::linux_6_1_i386() {
  LocklessLayout l;
  l.word = 4;
  l.ringbuffer_size = 40, l.desc_ring = 0, l.text_data_ring = 20, l.fail = 36;
  l.desc_ring_size = 20, l.count_bits = 0, l.descs = 4, l.infos = 8, l.head_id = 12, l.tail_id = 16;
  l.data_ring_size = 16, l.size_bits = 0, l.data = 4, l.head_lpos = 8, l.tail_lpos = 12;
  l.desc_size = 12, l.state_var = 0, l.text_blk_lpos = 4, l.lpos_size = 8, l.lpos_begin = 0, l.lpos_next = 4;
  return l;
}

LocklessLayout LocklessLayout::shuffled() {
  LocklessLayout l;
  l.ringbuffer_size = 136, l.fail = 0, l.desc_ring = 16, l.text_data_ring = 88;
  l.desc_ring_size = 48, l.descs = 0, l.infos = 8, l.head_id = 16, l.tail_id = 24, l.count_bits = 40;
  l.data_ring_size = 40, l.data = 0, l.head_lpos = 8, l.tail_lpos = 16, l.size_bits = 32;
  l.desc_size = 40, l.text_blk_lpos = 0, l.state_var = 24;
  l.lpos_size = 16, l.lpos_next = 0, l.lpos_begin = 8;
  l.info_size = 104, l.ts_nsec = 0, l.caller_id = 8, l.seq = 16, l.text_len = 24, l.dev_info = 32;
  return l;
}

LocklessRingBuilder::LocklessRingBuilder(unsigned count_bits, unsigned size_bits, LocklessLayout layout)
    : layout_(layout), count_bits_(count_bits), size_bits_(size_bits) {
  count_ = std::uint64_t{1} << count_bits;
  data_size_ = std::uint64_t{1} << size_bits;
  word_mask_ = layout_.word == 8 ? ~std::uint64_t{0} : 0xffffffffu;
  id_mask_ = word_mask_ >> 2;
  descs_.resize(count_);
  infos_.resize(count_);
  data_.resize(data_size_);
  // prb_init(): head and tail at DESC0_ID, whose descriptor (the last slot)
  // is reusable and data-less; the data ring starts at BLK0_LPOS, one whole
  // wrap before 0.
  head_id_ = tail_id_ = (0 - (count_ + 1)) & id_mask_;
  descs_[head_id_ % count_] = {sv(head_id_, kReusable), kFailedLpos, kFailedLpos};
  head_lpos_ = tail_lpos_ = (0 - data_size_) & word_mask_;
}

std::uint64_t LocklessRingBuilder::sv(std::uint64_t id, unsigned state) const {
  return ((static_cast<std::uint64_t>(state) << (layout_.word * 8 - 2)) | id) & word_mask_;
}

unsigned LocklessRingBuilder::state_of(const Desc& d) const {
  return static_cast<unsigned>((d.state_var >> (layout_.word * 8 - 2)) & 3);
}

void LocklessRingBuilder::push_data_tail(std::uint64_t lpos) {
  if (lpos & 1) return;  // data-less: nothing to push
  for (;;) {
    const std::uint64_t ahead = (lpos - tail_lpos_) & word_mask_;
    if (ahead == 0 || ahead - 1 >= data_size_) return;
    const std::uint64_t owner = get(data_, data_index(tail_lpos_), layout_.word);
    Desc& d = descs_[owner % count_];
    if (id_of(d) != owner || d.begin != tail_lpos_) throw std::logic_error("data ring model out of step");
    if (state_of(d) == kFinalized)
      d.state_var = sv(owner, kReusable);
    else if (state_of(d) != kReusable)
      throw std::logic_error("the oldest text block is still being written");
    tail_lpos_ = d.next;
  }
}

void LocklessRingBuilder::push_desc_tail() {
  Desc& t = descs_[tail_id_ % count_];
  if (id_of(t) != tail_id_) throw std::logic_error("tail descriptor out of step");
  if (state_of(t) == kReserved || state_of(t) == kCommitted)
    throw std::logic_error("the oldest record is still being written");
  t.state_var = sv(tail_id_, kReusable);
  push_data_tail(t.next);
  tail_id_ = (tail_id_ + 1) & id_mask_;
}

std::uint64_t LocklessRingBuilder::append(std::string_view text, std::uint64_t ts_nsec, Stage stage) {
  Message m;
  m.text = std::string(text);
  m.ts_nsec = ts_nsec;
  m.stage = stage;
  return append(m);
}

std::uint64_t LocklessRingBuilder::append(const Message& m) {
  const std::uint64_t id = (head_id_ + 1) & id_mask_;
  if (((id - count_) & id_mask_) == tail_id_) push_desc_tail();
  // prb_reserve() finalizes the previous record if it was left committed.
  Desc& prev = descs_[head_id_ % count_];
  if (id_of(prev) == head_id_ && state_of(prev) == kCommitted) prev.state_var = sv(head_id_, kFinalized);
  head_id_ = id;
  if (m.stage == Stage::kIdClaimed) return id;  // the descriptor still holds its old id

  Desc& d = descs_[id % count_];
  d.state_var = sv(id, kReserved);
  Info& info = infos_[id % count_];
  info = {};
  info.seq = next_seq_++;
  info.ts_nsec = m.ts_nsec;
  info.text_len = static_cast<std::uint16_t>(m.text.size());
  info.facility = m.facility;
  info.level = m.level;
  info.caller_id = m.caller_id;

  const std::uint64_t w = layout_.word;
  const std::uint64_t block = (m.text.size() + w + w - 1) / w * w;  // to_blk_size()
  if (m.text.empty()) {
    d.begin = d.next = kNoLpos;
  } else if (block > data_size_ - w) {  // data_check_size(): never fits
    d.begin = d.next = kFailedLpos;
  } else {
    const std::uint64_t begin = head_lpos_;
    std::uint64_t next = (begin + block) & word_mask_;
    const bool wrapped = wraps(begin) != wraps(next);
    if (wrapped) next = ((next & ~(data_size_ - 1)) + block) & word_mask_;  // get_next_lpos()
    push_data_tail((next - data_size_) & word_mask_);
    head_lpos_ = next;
    put(data_, data_index(begin), id, w);
    if (wrapped) put(data_, 0, id, w);
    const std::uint64_t at = (wrapped ? 0 : data_index(begin)) + w;
    for (std::size_t i = 0; i < m.text.size(); ++i) data_[at + i] = static_cast<std::byte>(m.text[i]);
    d.begin = begin;
    d.next = next;
  }
  const unsigned state = m.stage == Stage::kFinalized ? kFinalized : m.stage == Stage::kCommitted ? kCommitted : kReserved;
  d.state_var = sv(id, state);
  return id;
}

std::vector<LocklessRingBuilder::Expected> LocklessRingBuilder::expected() const {
  std::vector<Expected> out;
  for (std::uint64_t id = tail_id_;; id = (id + 1) & id_mask_) {
    const Desc& d = descs_[id % count_];
    const unsigned st = state_of(d);
    if (id_of(d) == id && (st == kCommitted || st == kFinalized)) {
      const Info& info = infos_[id % count_];
      Expected e{info.seq, info.ts_nsec, {}, (d.begin & 1) != 0};
      if (!e.dataless) {
        const bool wrapped = wraps(d.begin) != wraps(d.next);
        const std::uint64_t at = (wrapped ? 0 : data_index(d.begin)) + layout_.word;
        for (std::uint64_t i = 0; i < info.text_len; ++i) e.text.push_back(static_cast<char>(data_[at + i]));
      }
      out.push_back(std::move(e));
    }
    if (id == head_id_) break;
  }
  return out;
}

std::uint64_t LocklessRingBuilder::desc_address(std::uint64_t id) const {
  return descs_addr_ + (id % count_) * layout_.desc_size;
}

std::uint64_t LocklessRingBuilder::info_address(std::uint64_t id) const {
  return infos_addr_ + (id % count_) * layout_.info_size;
}

std::optional<std::uint64_t> LocklessRingBuilder::block_address(std::uint64_t id) const {
  const Desc& d = descs_[id % count_];
  if (d.begin & 1) return std::nullopt;
  return data_addr_ + (wraps(d.begin) != wraps(d.next) ? 0 : data_index(d.begin));
}

void LocklessRingBuilder::install(KernelImageBuilder& image) {
  const LocklessLayout& l = layout_;
  const std::size_t w = l.word;
  const std::uint64_t prb_var = image.allocate(w, w);
  prb_ = image.allocate(l.ringbuffer_size, 8);
  // The arrays start on pages of their own, as the kernel's static ones
  // (__aligned) and memblock-allocated ones do, so tests can take one away.
  descs_addr_ = image.allocate(count_ * l.desc_size, KernelImageBuilder::kPageSize);
  infos_addr_ = image.allocate(count_ * l.info_size, KernelImageBuilder::kPageSize);
  data_addr_ = image.allocate(data_size_, KernelImageBuilder::kPageSize);
  const std::uint64_t clear_seq = image.allocate(24, 8);

  image.write_le(prb_var, prb_, w);
  std::vector<std::byte> rb(l.ringbuffer_size);
  put(rb, l.desc_ring + l.count_bits, count_bits_, 4);
  put(rb, l.desc_ring + l.descs, descs_addr_, w);
  put(rb, l.desc_ring + l.infos, infos_addr_, w);
  put(rb, l.desc_ring + l.head_id, head_id_, w);
  put(rb, l.desc_ring + l.tail_id, tail_id_, w);
  put(rb, l.text_data_ring + l.size_bits, size_bits_, 4);
  put(rb, l.text_data_ring + l.data, data_addr_, w);
  put(rb, l.text_data_ring + l.head_lpos, head_lpos_, w);
  put(rb, l.text_data_ring + l.tail_lpos, tail_lpos_, w);
  image.write(prb_, rb);

  std::vector<std::byte> descs(count_ * l.desc_size), infos(count_ * l.info_size);
  for (std::uint64_t i = 0; i < count_; ++i) {
    const std::uint64_t d = i * l.desc_size, f = i * l.info_size;
    put(descs, d + l.state_var, descs_[i].state_var, w);
    put(descs, d + l.text_blk_lpos + l.lpos_begin, descs_[i].begin, w);
    put(descs, d + l.text_blk_lpos + l.lpos_next, descs_[i].next, w);
    put(infos, f + l.seq, infos_[i].seq, 8);
    put(infos, f + l.ts_nsec, infos_[i].ts_nsec, 8);
    put(infos, f + l.text_len, infos_[i].text_len, 2);
    put(infos, f + l.text_len + 2, infos_[i].facility, 1);
    put(infos, f + l.text_len + 3, static_cast<std::uint64_t>(infos_[i].level & 7) << 5, 1);
    put(infos, f + l.caller_id, infos_[i].caller_id, 4);
  }
  image.write(descs_addr_, descs);
  image.write(infos_addr_, infos);
  image.write(data_addr_, data_);

  // The keys log_buf_vmcoreinfo_setup() exports in 6.1 (kernel/printk/printk.c).
  auto line = [&](std::string key, std::uint64_t v) { image.vmcoreinfo_line(key + "=" + std::to_string(v)); };
  image.vmcoreinfo_line("SYMBOL(prb)=" + hex(prb_var));
  image.vmcoreinfo_line("SYMBOL(printk_rb_static)=" + hex(prb_));
  image.vmcoreinfo_line("SYMBOL(clear_seq)=" + hex(clear_seq));
  line("SIZE(printk_ringbuffer)", l.ringbuffer_size);
  line("OFFSET(printk_ringbuffer.desc_ring)", l.desc_ring);
  line("OFFSET(printk_ringbuffer.text_data_ring)", l.text_data_ring);
  line("OFFSET(printk_ringbuffer.fail)", l.fail);
  line("SIZE(prb_desc_ring)", l.desc_ring_size);
  line("OFFSET(prb_desc_ring.count_bits)", l.count_bits);
  line("OFFSET(prb_desc_ring.descs)", l.descs);
  line("OFFSET(prb_desc_ring.infos)", l.infos);
  line("OFFSET(prb_desc_ring.head_id)", l.head_id);
  line("OFFSET(prb_desc_ring.tail_id)", l.tail_id);
  line("SIZE(prb_desc)", l.desc_size);
  line("OFFSET(prb_desc.state_var)", l.state_var);
  line("OFFSET(prb_desc.text_blk_lpos)", l.text_blk_lpos);
  line("SIZE(prb_data_blk_lpos)", l.lpos_size);
  line("OFFSET(prb_data_blk_lpos.begin)", l.lpos_begin);
  line("OFFSET(prb_data_blk_lpos.next)", l.lpos_next);
  line("SIZE(printk_info)", l.info_size);
  line("OFFSET(printk_info.seq)", l.seq);
  line("OFFSET(printk_info.ts_nsec)", l.ts_nsec);
  line("OFFSET(printk_info.text_len)", l.text_len);
  line("OFFSET(printk_info.caller_id)", l.caller_id);
  line("OFFSET(printk_info.dev_info)", l.dev_info);
  line("SIZE(dev_printk_info)", 64);
  line("OFFSET(dev_printk_info.subsystem)", 0);
  line("LENGTH(printk_info_subsystem)", 16);
  line("OFFSET(dev_printk_info.device)", 16);
  line("LENGTH(printk_info_device)", 48);
  line("SIZE(prb_data_ring)", l.data_ring_size);
  line("OFFSET(prb_data_ring.size_bits)", l.size_bits);
  line("OFFSET(prb_data_ring.data)", l.data);
  line("OFFSET(prb_data_ring.head_lpos)", l.head_lpos);
  line("OFFSET(prb_data_ring.tail_lpos)", l.tail_lpos);
  line("SIZE(atomic_long_t)", w);
  line("OFFSET(atomic_long_t.counter)", 0);
  line("SIZE(latched_seq)", 24);
  line("OFFSET(latched_seq.val)", 8);
}

LegacyLayout LegacyLayout::with_caller_id() {
  LegacyLayout l;
  l.caller_id = 16;
  l.header_size = 24;
  return l;
}

LegacyLogBuilder::LegacyLogBuilder(std::uint32_t log_buf_len, LegacyLayout layout)
    : layout_(layout), buf_(log_buf_len) {}

std::uint16_t LegacyLogBuilder::len_at(std::uint32_t idx) const {
  return static_cast<std::uint16_t>(get(buf_, idx + layout_.len, 2));
}

std::uint32_t LegacyLogBuilder::next_of(std::uint32_t idx) const {
  const std::uint16_t len = len_at(idx);
  return len == 0 ? len_at(0) : idx + len;  // log_next(): a marker means "the record at 0"
}

bool LegacyLogBuilder::has_space(std::uint32_t size, bool empty) const {
  const auto buf_len = static_cast<std::uint32_t>(buf_.size());
  std::uint32_t free = 0;
  if (next_idx_ > first_idx_ || empty)
    free = std::max(buf_len - next_idx_, first_idx_);
  else
    free = first_idx_ - next_idx_;
  return free >= size + layout_.header_size;  // room for a marker after it
}

void LegacyLogBuilder::append(std::string_view text, std::uint64_t ts_nsec) {
  Message m;
  m.text = std::string(text);
  m.ts_nsec = ts_nsec;
  append(m);
}

void LegacyLogBuilder::append(const Message& m) {
  const LegacyLayout& l = layout_;
  std::uint32_t size = static_cast<std::uint32_t>(l.header_size + m.text.size() + m.dict.size());
  size += static_cast<std::uint32_t>((0 - size) & (l.align - 1));  // msg_used_size()
  while (!live_.empty() && !has_space(size, false)) {
    first_idx_ = next_of(first_idx_);
    live_.pop_front();
  }
  if (live_.empty()) first_idx_ = next_idx_;
  if (!has_space(size, live_.empty())) throw std::logic_error("message larger than log_buf");
  if (next_idx_ + size + l.header_size > buf_.size()) {
    for (std::uint64_t i = 0; i < l.header_size; ++i) buf_[next_idx_ + i] = std::byte{0};
    marker_ = next_idx_;
    next_idx_ = 0;
  }
  const std::uint32_t at = next_idx_;
  for (std::uint32_t i = 0; i < size; ++i) buf_[at + i] = std::byte{0};
  put(buf_, at + l.ts_nsec, m.ts_nsec, 8);
  put(buf_, at + l.len, size, 2);
  put(buf_, at + l.text_len, m.text.size(), 2);
  put(buf_, at + l.dict_len, m.dict.size(), 2);
  put(buf_, at + l.facility, m.facility, 1);
  put(buf_, at + l.flags_level, static_cast<std::uint64_t>(m.level & 7) << 5, 1);
  if (l.caller_id) put(buf_, at + *l.caller_id, m.caller_id, 4);
  const std::uint64_t text_at = at + l.header_size;
  for (std::size_t i = 0; i < m.text.size(); ++i) buf_[text_at + i] = static_cast<std::byte>(m.text[i]);
  for (std::size_t i = 0; i < m.dict.size(); ++i) buf_[text_at + m.text.size() + i] = static_cast<std::byte>(m.dict[i]);
  live_.push_back({at, m.text});
  next_idx_ = at + size;
}

std::vector<std::string> LegacyLogBuilder::expected_texts() const {
  std::vector<std::string> out;
  for (const Live& r : live_) out.push_back(r.text);
  return out;
}

std::vector<std::uint32_t> LegacyLogBuilder::record_offsets() const {
  std::vector<std::uint32_t> out;
  for (const Live& r : live_) out.push_back(r.offset);
  return out;
}

void LegacyLogBuilder::install(KernelImageBuilder& image) {
  const LegacyLayout& l = layout_;
  const std::uint64_t buf_var = image.allocate(8, 8);
  const std::uint64_t len_var = image.allocate(4, 4);
  const std::uint64_t first_var = image.allocate(4, 4);
  const std::uint64_t clear_var = image.allocate(4, 4);
  const std::uint64_t next_var = image.allocate(4, 4);
  buf_addr_ = image.allocate(buf_.size(), 8);
  image.write_le(buf_var, buf_addr_, 8);
  image.write_le(len_var, buf_.size(), 4);
  image.write_le(first_var, first_idx_, 4);
  image.write_le(clear_var, first_idx_, 4);
  image.write_le(next_var, next_idx_, 4);
  image.write(buf_addr_, buf_);

  // log_buf_vmcoreinfo_setup() of 3.11-5.9 (log_buf_kexec_setup() with
  // struct log before), kernel/printk/printk.c.
  const std::string s = l.old_name ? "log" : "printk_log";
  auto line = [&](std::string key, std::uint64_t v) { image.vmcoreinfo_line(key + "=" + std::to_string(v)); };
  image.vmcoreinfo_line("SYMBOL(log_buf)=" + hex(buf_var));
  image.vmcoreinfo_line("SYMBOL(log_buf_len)=" + hex(len_var));
  image.vmcoreinfo_line("SYMBOL(log_first_idx)=" + hex(first_var));
  image.vmcoreinfo_line("SYMBOL(clear_idx)=" + hex(clear_var));
  image.vmcoreinfo_line("SYMBOL(log_next_idx)=" + hex(next_var));
  line("SIZE(" + s + ")", l.header_size);
  line("OFFSET(" + s + ".ts_nsec)", l.ts_nsec);
  line("OFFSET(" + s + ".len)", l.len);
  line("OFFSET(" + s + ".text_len)", l.text_len);
  line("OFFSET(" + s + ".dict_len)", l.dict_len);
  if (l.caller_id) line("OFFSET(" + s + ".caller_id)", *l.caller_id);
}

}  // namespace kdump::test
