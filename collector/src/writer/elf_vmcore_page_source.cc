#include "writer/elf_vmcore_page_source.h"

// Reads go through the vmcore engine's SegmentMap: a run of consecutive
// frames is one read of the file (one pread for a run inside a PT_LOAD).
// Reads may run on several threads where the file allows (pread); the
// pipeline's workers then read their own pages.

#include <algorithm>

#include "vmcore/elf_notes.h"
#include "vmcore/le.h"
#include "vmcore/vmcoreinfo.h"
#include "writer/note_blob.h"

namespace kdump {

ElfVmcorePageSource::ElfVmcorePageSource(ByteSource& file) : layout_(read_elf_dump(file)) {
  map_ = std::make_unique<SegmentMap>(file, layout_.loads);
  std::vector<std::string> problems;
  auto summary = summarize_notes(layout_.notes, problems);
  layout_.problems.insert(layout_.problems.end(), problems.begin(), problems.end());
  vmcoreinfo_ = summary.vmcoreinfo.value_or("");
  if (auto ps = VmcoreInfo::parse(vmcoreinfo_).page_size(); ps && *ps >= 4096 && (*ps & (*ps - 1)) == 0)
    page_size_ = static_cast<std::size_t>(*ps);
}

std::vector<MemoryRange> ElfVmcorePageSource::memory_ranges() const {
  std::vector<MemoryRange> out;
  for (const auto& l : layout_.loads) {
    if (l.mem_size == 0) continue;
    // makedumpfile's 1st bitmap: pfns paddr_to_pfn(start) up to paddr_to_pfn(end), both rounded down.
    const std::uint64_t start = l.paddr / page_size_ * page_size_;
    const std::uint64_t end = (l.paddr + l.mem_size) / page_size_ * page_size_;
    if (end <= start) continue;
    out.push_back({start, end - start, l.vaddr == 0 ? 0 : l.vaddr - (l.paddr - start)});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.paddr < b.paddr; });
  return out;
}

std::vector<MemoryRange> ElfVmcorePageSource::zero_filled_ranges() const {
  // From the map's pieces, where overlaps are resolved: a byte held by an
  // earlier segment is that segment's, whatever a later one's p_memsz says.
  std::vector<MemoryRange> out;
  for (const auto& p : map_->pieces()) {
    if (p.mem_size <= p.file_size) continue;
    const std::uint64_t start = (p.paddr + p.file_size + page_size_ - 1) / page_size_ * page_size_;
    const std::uint64_t end = (p.paddr + p.mem_size) / page_size_ * page_size_;
    if (end > start) out.push_back({start, end - start, 0});
  }
  return out;
}

std::vector<MemoryRange> ElfVmcorePageSource::missing_ranges() const {
  std::vector<MemoryRange> out;
  for (const auto& r : map_->missing()) out.push_back({r.start, r.size, 0});
  return out;
}

bool ElfVmcorePageSource::read_page(std::uint64_t pfn, std::span<std::byte> out) {
  return map_->read(pfn * page_size_, out) == out.size();
}

std::size_t ElfVmcorePageSource::read_pages(std::uint64_t first_pfn, std::span<std::byte> out) {
  return map_->read(first_pfn * page_size_, out.first(out.size() / page_size_ * page_size_)) / page_size_;
}

std::vector<std::string> ElfVmcorePageSource::utsname() const {
  // struct new_utsname: six char[65] fields, at OFFSET(uts_namespace.name) of init_uts_ns.
  if (kernel_ == nullptr) return {};
  const VmcoreInfo& info = kernel_->vmcoreinfo();
  auto symbol = info.symbol("init_uts_ns");
  auto offset = info.offset("uts_namespace.name");
  if (!symbol || !offset) return {};
  std::vector<std::byte> raw(6 * 65);
  if (kernel_->read_virtual(*symbol + static_cast<std::uint64_t>(*offset), raw) != raw.size()) return {};
  std::vector<std::string> fields;
  for (std::size_t i = 0; i < 6; ++i) fields.push_back(load_cstr(raw, i * 65, 65));
  return fields;
}

std::vector<std::byte> ElfVmcorePageSource::elf_notes() const {
  std::vector<std::byte> out;
  for (const auto& n : layout_.notes) {
    auto bytes = encode_note(n.name, n.type, n.desc);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

}  // namespace kdump
