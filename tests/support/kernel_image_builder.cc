#include "support/kernel_image_builder.h"

#include <algorithm>
#include <cstring>

namespace kdump::test {

KernelImageBuilder::Page& KernelImageBuilder::page(std::uint64_t index) {
  auto [it, fresh] = pages_.try_emplace(index);
  if (fresh) it->second.resize(kPageSize);
  return it->second;
}

KernelImageBuilder& KernelImageBuilder::write(std::uint64_t vaddr, std::span<const std::byte> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::uint64_t addr = vaddr + done;
    const std::size_t in_page = static_cast<std::size_t>(addr % kPageSize);
    const std::size_t n = std::min<std::size_t>(bytes.size() - done, kPageSize - in_page);
    std::memcpy(page(addr / kPageSize).data() + in_page, bytes.data() + done, n);
    done += n;
  }
  return *this;
}

KernelImageBuilder& KernelImageBuilder::write_le(std::uint64_t vaddr, std::uint64_t value, std::size_t width) {
  std::byte buf[8];
  for (std::size_t i = 0; i < width; ++i) buf[i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
  return write(vaddr, std::span(buf, width));
}

KernelImageBuilder& KernelImageBuilder::write_text(std::uint64_t vaddr, std::string_view text) {
  return write(vaddr, std::as_bytes(std::span(text.data(), text.size())));
}

std::uint64_t KernelImageBuilder::allocate(std::uint64_t size, std::uint64_t align) {
  heap_ = (heap_ + align - 1) / align * align;
  const std::uint64_t at = heap_;
  heap_ += size;
  for (std::uint64_t p = at / kPageSize; size > 0 && p <= (at + size - 1) / kPageSize; ++p) page(p);
  return at;
}

KernelImageBuilder& KernelImageBuilder::make_unreadable(std::uint64_t vaddr, std::uint64_t size) {
  for (std::uint64_t p = vaddr / kPageSize; size > 0 && p <= (vaddr + size - 1) / kPageSize; ++p)
    unreadable_.insert(p);
  return *this;
}

KernelImageBuilder& KernelImageBuilder::vmcoreinfo_line(std::string_view line) {
  vmcoreinfo_text_.append(line);
  vmcoreinfo_text_.push_back('\n');
  parsed_.reset();
  return *this;
}

KernelImageBuilder& KernelImageBuilder::set_vmcoreinfo(std::string text) {
  vmcoreinfo_text_ = std::move(text);
  parsed_.reset();
  return *this;
}

std::vector<std::pair<std::uint64_t, std::span<const std::byte>>> KernelImageBuilder::readable_pages() const {
  std::vector<std::pair<std::uint64_t, std::span<const std::byte>>> out;
  for (const auto& [index, bytes] : pages_)
    if (!unreadable_.contains(index)) out.emplace_back(index * kPageSize, std::span(bytes));
  return out;
}

std::size_t KernelImageBuilder::read_virtual(std::uint64_t vaddr, std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t addr = vaddr + done;
    if (addr < vaddr) break;  // ran off the top of the address space
    const std::uint64_t index = addr / kPageSize;
    auto it = pages_.find(index);
    if (it == pages_.end() || unreadable_.contains(index)) break;
    const std::size_t in_page = static_cast<std::size_t>(addr % kPageSize);
    const std::size_t n = std::min<std::size_t>(out.size() - done, kPageSize - in_page);
    std::memcpy(out.data() + done, it->second.data() + in_page, n);
    done += n;
  }
  return done;
}

std::size_t KernelImageBuilder::read_physical(std::uint64_t paddr, std::span<std::byte> out) {
  if (paddr > ~kDirectMap) return 0;
  return read_virtual(paddr + kDirectMap, out);
}

const VmcoreInfo& KernelImageBuilder::vmcoreinfo() const {
  if (!parsed_) parsed_ = std::make_unique<VmcoreInfo>(VmcoreInfo::parse(vmcoreinfo_text_));
  return *parsed_;
}

}  // namespace kdump::test
