#pragma once
// A crash dump opened for reading, whatever its format: ELF (/proc/vmcore,
// QEMU ELF), kdump-compressed, and either of those flattened. It is the
// KernelMemory the kernel-log reader and the page filter use.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "vmcore/kernel_memory.h"
#include "vmcore/physical_memory.h"
#include "vmcore/x86_64_translator.h"

namespace kdump {

/// What the dump is and what was found in it, for `info` and for messages.
struct DumpDescription {
  std::string format;                         ///< "ELF64", "ELF32", "kdump-compressed"
  bool flattened = false;                     ///< read through makedumpfile's flattened format
  std::string machine;                        ///< "x86_64", "i386", ... or empty
  std::uint64_t page_size = 4096;
  unsigned cpus = 0;                          ///< CPUs whose state was saved
  std::optional<std::string> kernel_release;
  std::optional<std::int64_t> crash_time;     ///< seconds since the epoch
  std::vector<std::string> features;          ///< facts found, one phrase each
  std::vector<std::string> problems;          ///< damage found and what was skipped
};

/// An open dump.
class Dump final : public KernelMemory {
 public:
  /// Opens the file at `path`; throws DumpError (or std::system_error) if it cannot be read as a dump.
  static std::unique_ptr<Dump> open(const std::string& path);
  /// Opens a dump from any source (tests, fuzzing); takes ownership.
  static std::unique_ptr<Dump> open(std::unique_ptr<ByteSource> source);
  ~Dump() override;

  std::size_t read_virtual(std::uint64_t vaddr, std::span<std::byte> out) override;
  std::size_t read_physical(std::uint64_t paddr, std::span<std::byte> out) override;
  const VmcoreInfo& vmcoreinfo() const override { return vmcoreinfo_; }

  /// False when the dump carries no VMCOREINFO (QEMU without -device vmcoreinfo).
  bool has_vmcoreinfo() const { return has_vmcoreinfo_; }
  const DumpDescription& description() const { return description_; }
  /// Physical memory ranges the dump describes.
  std::vector<PhysicalRange> ranges() const { return physical_->ranges(); }
  /// The x86_64 address-space facts, if the dump is x86_64.
  const X86_64Layout* x86_64_layout() const { return translator_ ? &translator_->layout() : nullptr; }
  /// The source's name (the path).
  std::string name() const { return file_->name(); }

 private:
  Dump() = default;
  void open_elf(ByteSource& source);
  void open_kdump(ByteSource& source);
  void finish(bool is_x86_64, const std::vector<struct LoadSegment>* loads, std::optional<std::uint64_t> header_phys_base,
              std::optional<std::uint64_t> cr3, std::optional<std::uint64_t> cr4);

  std::unique_ptr<ByteSource> file_;
  std::unique_ptr<ByteSource> flattened_;
  std::unique_ptr<PhysicalMemory> physical_;
  std::optional<X86_64Translator> translator_;
  VmcoreInfo vmcoreinfo_;
  bool has_vmcoreinfo_ = false;
  DumpDescription description_;
};

}  // namespace kdump
