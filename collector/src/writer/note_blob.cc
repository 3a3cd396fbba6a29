#include "writer/note_blob.h"

#include <cstring>
#include <span>

#include "vmcore/le.h"

namespace kdump {
namespace {

constexpr std::uint32_t kNtPrstatus = 1;  // elf.h NT_PRSTATUS
std::uint64_t pad4(std::uint64_t n) { return (n + 3) & ~std::uint64_t{3}; }

}  // namespace

std::vector<std::byte> encode_note(const std::string& name, std::uint32_t type, const std::vector<std::byte>& desc) {
  const std::uint64_t namesz = name.size() + 1;
  std::vector<std::byte> out(12 + pad4(namesz) + pad4(desc.size()));
  store_le<std::uint32_t>(out, 0, static_cast<std::uint32_t>(namesz));
  store_le<std::uint32_t>(out, 4, static_cast<std::uint32_t>(desc.size()));
  store_le<std::uint32_t>(out, 8, type);
  std::memcpy(out.data() + 12, name.data(), name.size());
  if (!desc.empty()) std::memcpy(out.data() + 12 + pad4(namesz), desc.data(), desc.size());
  return out;
}

NoteBlob prepare_notes(std::vector<std::byte> notes, const std::string& vmcoreinfo) {
  NoteBlob blob;
  std::span<const std::byte> b(notes);
  std::uint64_t at = 0;
  while (at + 12 <= b.size()) {
    const auto namesz = load_le<std::uint32_t>(b, at);
    const auto descsz = load_le<std::uint32_t>(b, at + 4);
    const auto type = load_le<std::uint32_t>(b, at + 8);
    if (namesz == 0 && descsz == 0 && type == 0) break;  // padding
    const std::uint64_t desc_at = at + 12 + pad4(namesz);
    const std::uint64_t end = desc_at + pad4(descsz);
    if (end > b.size()) break;
    std::string name = load_cstr(b, at + 12, namesz);
    if (name == "VMCOREINFO" && blob.vmcoreinfo_size == 0) {
      blob.vmcoreinfo_offset = desc_at;
      blob.vmcoreinfo_size = descsz;
    }
    if (name == "CORE" && type == kNtPrstatus) ++blob.prstatus_count;
    at = end;
  }
  if (blob.vmcoreinfo_size == 0 && !vmcoreinfo.empty()) {
    // Keep only the notes that parsed, then add ours after them.
    notes.resize(at);
    auto extra = encode_note("VMCOREINFO", 0, std::vector<std::byte>(reinterpret_cast<const std::byte*>(vmcoreinfo.data()),
                                                                   reinterpret_cast<const std::byte*>(vmcoreinfo.data()) +
                                                                       vmcoreinfo.size()));
    blob.vmcoreinfo_offset = at + 12 + pad4(sizeof "VMCOREINFO");
    blob.vmcoreinfo_size = vmcoreinfo.size();
    notes.insert(notes.end(), extra.begin(), extra.end());
  }
  blob.bytes = std::move(notes);
  return blob;
}

}  // namespace kdump
