#include "support/elf_vmcore_builder.h"

// Writes the gABI structures field by field with store_le, the same offsets
// the reader uses but from the specification, so a mistake on either side
// shows up as a failing test rather than cancelling out. Extended numbering
// is used automatically past 65,534 program headers, as QEMU does.

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "vmcore/le.h"

namespace kdump::test {

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

void PhysImage::put(std::uint64_t paddr, std::span<const std::byte> data) {
  for (std::size_t i = 0; i < data.size();) {
    const std::uint64_t a = paddr + i;
    auto& page = pages_[a / 4096];
    if (page.empty()) page.resize(4096);
    const std::size_t n = std::min<std::size_t>(data.size() - i, 4096 - a % 4096);
    std::memcpy(page.data() + a % 4096, data.data() + i, n);
    i += n;
  }
}

void PhysImage::put_u64(std::uint64_t paddr, std::uint64_t v) {
  std::byte b[8];
  store_le<std::uint64_t>(b, 0, v);
  put(paddr, b);
}

std::vector<std::byte> PhysImage::slice(std::uint64_t start, std::uint64_t size) const {
  std::vector<std::byte> out(size);
  for (const auto& [pn, page] : pages_) {
    const std::uint64_t p = pn * 4096;
    if (p + 4096 <= start || p >= start + size) continue;
    for (std::uint64_t i = 0; i < 4096; ++i)
      if (p + i >= start && p + i < start + size) out[p + i - start] = page[i];
  }
  return out;
}

PageTableBuilder::PageTableBuilder(PhysImage& image, bool five_level, std::uint64_t next_free, std::uint64_t extra)
    : image_(image), five_level_(five_level), next_free_(next_free), extra_(extra) {
  root_ = alloc();
}

std::uint64_t PageTableBuilder::alloc() {
  const std::uint64_t p = next_free_;
  next_free_ += 4096;
  image_.put(p, std::vector<std::byte>(4096));
  return p;
}

std::uint64_t PageTableBuilder::table_for(std::uint64_t vaddr, int level) {
  const int top = five_level_ ? 5 : 4;
  std::uint64_t table = root_;
  for (int l = top; l > level; --l) {
    const unsigned shift = 12 + 9 * static_cast<unsigned>(l - 1);
    const auto key = std::make_pair(l - 1, vaddr >> shift);
    auto it = tables_.find(key);
    if (it == tables_.end()) {
      const std::uint64_t t = alloc();
      image_.put_u64(table + ((vaddr >> shift) & 0x1ff) * 8, t | 0x63 | extra_);  // present, rw, accessed, dirty
      it = tables_.emplace(key, t).first;
    }
    table = it->second;
  }
  return table;
}

void PageTableBuilder::set_entry(std::uint64_t vaddr, int level, std::uint64_t entry) {
  const unsigned shift = 12 + 9 * static_cast<unsigned>(level - 1);
  image_.put_u64(table_for(vaddr, level) + ((vaddr >> shift) & 0x1ff) * 8, entry);
}

void PageTableBuilder::map_4k(std::uint64_t vaddr, std::uint64_t paddr) { set_entry(vaddr, 1, paddr | 0x63 | extra_); }
void PageTableBuilder::map_2m(std::uint64_t vaddr, std::uint64_t paddr) { set_entry(vaddr, 2, paddr | 0xe3 | extra_); }
void PageTableBuilder::map_1g(std::uint64_t vaddr, std::uint64_t paddr) { set_entry(vaddr, 3, paddr | 0xe3 | extra_); }

NoteSpec prstatus_note() { return {"CORE", 1, std::vector<std::byte>(336)}; }

NoteSpec qemu_cpu_note(std::uint64_t cr3, std::uint64_t cr4) {
  // QEMUCPUState (QEMU target/i386/arch_dump.c): 440 bytes, cr[] at 392.
  std::vector<std::byte> d(440);
  store_le<std::uint32_t>(d, 0, 1);
  store_le<std::uint32_t>(d, 4, 440);
  store_le<std::uint64_t>(d, 392 + 24, cr3);
  store_le<std::uint64_t>(d, 392 + 32, cr4);
  return {"QEMU", 0, std::move(d)};
}

NoteSpec vmcoreinfo_note(std::string_view text) { return {"VMCOREINFO", 0, bytes_of(text)}; }

std::vector<std::byte> serialize_notes(const std::vector<NoteSpec>& notes) {
  std::vector<std::byte> out;
  auto pad = [&] { out.resize((out.size() + 3) & ~std::size_t{3}); };
  for (const auto& n : notes) {
    const std::size_t at = out.size();
    out.resize(at + 12);
    store_le<std::uint32_t>(out, at, static_cast<std::uint32_t>(n.name.size() + 1));
    store_le<std::uint32_t>(out, at + 4, static_cast<std::uint32_t>(n.desc.size()));
    store_le<std::uint32_t>(out, at + 8, n.type);
    for (char c : n.name) out.push_back(static_cast<std::byte>(c));
    out.push_back(std::byte{0});
    pad();
    out.insert(out.end(), n.desc.begin(), n.desc.end());
    pad();
  }
  return out;
}

std::vector<std::byte> ElfVmcoreBuilder::build() const {
  const bool wide = elf_class == 64;
  const std::size_t ehsize = wide ? 64 : 52, phsize = wide ? 56 : 32, shsize = wide ? 64 : 40;
  std::vector<std::vector<std::byte>> note_blobs;
  if (note_per_segment) {
    for (const auto& n : notes) note_blobs.push_back(serialize_notes({n}));
  } else if (!notes.empty()) {
    note_blobs.push_back(serialize_notes(notes));
  }
  const std::uint64_t phnum = note_blobs.size() + loads.size() + extra_phdrs;
  const bool xnum = force_xnum || phnum >= 0xffff;
  const bool has_sections = xnum || sections_first;
  std::uint64_t pos = ehsize;
  std::uint64_t shoff = 0, phoff;
  if (has_sections && sections_first) {
    shoff = pos;
    pos += shsize;
  }
  phoff = pos;
  pos += phnum * phsize;
  if (has_sections && !sections_first) {
    shoff = pos;
    pos += shsize;
  }
  std::vector<std::uint64_t> note_off, load_off;
  for (const auto& b : note_blobs) {
    note_off.push_back(pos);
    pos += b.size();
  }
  for (const auto& l : loads) {
    pos = (pos + 4095) & ~std::uint64_t{4095};
    load_off.push_back(pos);
    pos += l.data.size();
  }
  std::vector<std::byte> out(pos);
  std::span<std::byte> o(out);
  const char magic[] = {'\x7f', 'E', 'L', 'F'};
  std::memcpy(out.data(), magic, 4);
  out[4] = std::byte{static_cast<unsigned char>(wide ? 2 : 1)};
  out[5] = std::byte{1};
  out[6] = std::byte{1};
  store_le<std::uint16_t>(o, 16, 4);  // ET_CORE
  store_le<std::uint16_t>(o, 18, machine);
  store_le<std::uint32_t>(o, 20, 1);
  const std::uint16_t phnum16 = xnum ? 0xffff : static_cast<std::uint16_t>(phnum);
  if (wide) {
    store_le<std::uint64_t>(o, 32, phoff);
    store_le<std::uint64_t>(o, 40, shoff);
    store_le<std::uint16_t>(o, 52, 64);
    store_le<std::uint16_t>(o, 54, 56);
    store_le<std::uint16_t>(o, 56, phnum16);
    store_le<std::uint16_t>(o, 58, has_sections ? 64 : 0);
    store_le<std::uint16_t>(o, 60, has_sections ? 1 : 0);
  } else {
    store_le<std::uint32_t>(o, 28, static_cast<std::uint32_t>(phoff));
    store_le<std::uint32_t>(o, 32, static_cast<std::uint32_t>(shoff));
    store_le<std::uint16_t>(o, 40, 52);
    store_le<std::uint16_t>(o, 42, 32);
    store_le<std::uint16_t>(o, 44, phnum16);
    store_le<std::uint16_t>(o, 46, has_sections ? 40 : 0);
    store_le<std::uint16_t>(o, 48, has_sections ? 1 : 0);
  }
  if (has_sections) store_le<std::uint32_t>(o, shoff + (wide ? 44 : 28), static_cast<std::uint32_t>(xnum ? phnum : 0));
  std::uint64_t ph = phoff;
  auto put_phdr = [&](std::uint32_t type, std::uint64_t off, std::uint64_t vaddr, std::uint64_t paddr,
                      std::uint64_t filesz, std::uint64_t memsz) {
    store_le<std::uint32_t>(o, ph, type);
    if (wide) {
      store_le<std::uint64_t>(o, ph + 8, off);
      store_le<std::uint64_t>(o, ph + 16, vaddr);
      store_le<std::uint64_t>(o, ph + 24, paddr);
      store_le<std::uint64_t>(o, ph + 32, filesz);
      store_le<std::uint64_t>(o, ph + 40, memsz);
    } else {
      store_le<std::uint32_t>(o, ph + 4, static_cast<std::uint32_t>(off));
      store_le<std::uint32_t>(o, ph + 8, static_cast<std::uint32_t>(vaddr));
      store_le<std::uint32_t>(o, ph + 12, static_cast<std::uint32_t>(paddr));
      store_le<std::uint32_t>(o, ph + 16, static_cast<std::uint32_t>(filesz));
      store_le<std::uint32_t>(o, ph + 20, static_cast<std::uint32_t>(memsz));
    }
    ph += phsize;
  };
  for (std::size_t i = 0; i < note_blobs.size(); ++i) {
    put_phdr(4, note_off[i], 0, 0, note_blobs[i].size(), 0);
    std::memcpy(out.data() + note_off[i], note_blobs[i].data(), note_blobs[i].size());
  }
  for (std::size_t i = 0; i < loads.size(); ++i) {
    const auto& l = loads[i];
    put_phdr(1, load_off[i], l.vaddr, l.paddr, l.data.size(), std::max<std::uint64_t>(l.mem_size, l.data.size()));
    if (!l.data.empty()) std::memcpy(out.data() + load_off[i], l.data.data(), l.data.size());
  }
  for (std::uint64_t i = 0; i < extra_phdrs; ++i) put_phdr(0, 0, 0, 0, 0, 0);
  return out;
}

}  // namespace kdump::test
