#include "dmesg/memory_window.h"

// Chunks are aligned on absolute virtual addresses, so they coincide with the
// dump's pages and a hole in the dump never poisons a neighbouring page. The
// cache is direct-mapped: the ring walks are sequential (with one wrap), so a
// handful of slots gives one read per page of the ring.

#include <cstring>
#include <limits>

namespace kdump::dmesg {

std::uint64_t load_le(std::span<const std::byte> bytes, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = width; i-- > 0;) v = (v << 8) | std::to_integer<std::uint8_t>(bytes[at + i]);
  return v;
}

std::optional<std::uint64_t> read_word(KernelMemory& memory, std::uint64_t vaddr, std::size_t width) {
  std::array<std::byte, 8> buf{};
  if (width > buf.size() || memory.read_virtual(vaddr, std::span(buf.data(), width)) != width)
    return std::nullopt;
  return load_le(buf, 0, width);
}

MemoryWindow::MemoryWindow(KernelMemory& memory, std::uint64_t base, std::uint64_t size)
    : memory_(memory), base_(base), size_(size), slots_(kSlots) {
  // A window that would run past the top of the address space is cut there.
  const std::uint64_t room = std::numeric_limits<std::uint64_t>::max() - base;
  if (size_ > room) size_ = room;
}

const MemoryWindow::Slot& MemoryWindow::fetch(std::uint64_t chunk_index) {
  Slot& slot = slots_[chunk_index % kSlots];
  if (slot.index != chunk_index) {
    slot.index = chunk_index;
    slot.valid = gave_up() ? 0 : memory_.read_virtual(chunk_index * kChunk, slot.bytes);
    if (slot.valid < kChunk) ++missing_pages_;
  }
  return slot;
}

bool MemoryWindow::read(std::uint64_t offset, std::span<std::byte> out) {
  if (offset > size_ || out.size() > size_ - offset) return false;
  std::uint64_t addr = base_ + offset;
  std::size_t done = 0;
  while (done < out.size()) {
    const Slot& slot = fetch(addr / kChunk);
    const std::size_t in_chunk = static_cast<std::size_t>(addr % kChunk);
    const std::size_t n = std::min<std::size_t>(out.size() - done, kChunk - in_chunk);
    if (in_chunk + n > slot.valid) return false;
    std::memcpy(out.data() + done, slot.bytes.data() + in_chunk, n);
    done += n;
    addr += n;
  }
  return true;
}

std::optional<std::uint64_t> MemoryWindow::read_le(std::uint64_t offset, std::size_t width) {
  std::array<std::byte, 8> buf{};
  if (width > buf.size() || !read(offset, std::span(buf.data(), width))) return std::nullopt;
  return load_le(buf, 0, width);
}

}  // namespace kdump::dmesg
