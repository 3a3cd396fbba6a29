#pragma once
// crashkernel= as the Linux kernel parses and evaluates it
// (kernel/crash_reserve.c, lib/cmdline.c memparse, arch/x86 defaults), so a
// tool can tell what a command line reserves without booting it. Only the
// parse is modelled: whether memblock then finds room is decided at boot.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace kdump::cfg {

/// What a crashkernel= setting asks the kernel to reserve on a machine with a given amount of RAM.
// Placement is decided at boot: a plain size is tried below 4 GiB first and,
// if that fails, above it (then 6.12+ adds a low part of the default size, 6.1
// one of the ",low" size or the default); a ",high" size goes as high as it
// fits, and only if it lands at or above 4 GiB is low_size reserved below 4 GiB.
struct CrashkernelReservation {
  std::uint64_t size = 0;      // bytes; always > 0 in a returned reservation
  std::uint64_t base = 0;      // bytes; 0 means "let the kernel choose"
  bool high = false;           // from "crashkernel=X,high"
  std::optional<std::uint64_t> low_size;  // set with high: ",low" or the x86 default; 0 = none
  std::uint64_t cma_size = 0;  // "crashkernel=Y,cma" (Linux 6.16+): an extra CMA area; 0 = none

  bool operator==(const CrashkernelReservation&) const = default;
};

/// Why nothing is reserved, in the categories a caller acts on differently.
enum class CrashkernelErrorKind {
  kMissing,          // no crashkernel= anywhere on the command line
  kInvalid,          // the kernel rejects the syntax (it logs a "crashkernel: ..." warning)
  kNothingReserved,  // well-formed, but reserves nothing on this machine (zero, no range, too big)
};

/// Why the kernel would reserve nothing: a message for people, and its category.
struct CrashkernelError {
  std::string message;
  CrashkernelErrorKind kind = CrashkernelErrorKind::kInvalid;
  bool operator==(const CrashkernelError&) const = default;
};

using CrashkernelResult = std::variant<CrashkernelReservation, CrashkernelError>;

/// Which kernel's rules to apply; they differ only in the corners named here.
enum class CrashkernelRules {
  kLinux6_16,  // mainline since 6.16: generic reservation, ",cma", size must be below RAM
  kLinux6_12,  // 6.12 to 6.15 (RHEL 10, Debian 12 backports): as 6.16 without ",cma"
  kLinux6_1,   // x86 6.0 to 6.6 (Debian 12 ships 6.1): its own arch code, see crashkernel.cc
};

/// Machine facts and rule choice for evaluate_crashkernel.
struct CrashkernelOptions {
  CrashkernelRules rules = CrashkernelRules::kLinux6_16;
  /// An SEV or TDX guest (CC_ATTR_GUEST_MEM_ENCRYPT): swiotlb and default ",low" grow with RAM.
  // swiotlb becomes 6% of RAM, clamped to 64 MiB..1 GiB, unless swiotlb= set it.
  bool guest_memory_encryption = false;
};

/// A number as the kernel's memparse reads it, and how many characters it took.
struct MemparseResult {
  std::uint64_t value = 0;
  std::size_t consumed = 0;  // 0: the kernel's "memory value expected"
};

/// Reads a number as the kernel's memparse does (lib/cmdline.c).
// 0x hex (when a hex digit follows), leading-0 octal, decimal, wrapping modulo
// 2^64 on overflow, then one optional K/M/G/T/P/E in either case, each letter a
// further 10-bit shift whose overflow is lost. A lone suffix letter reads as 0.
MemparseResult memparse(std::string_view text);

/// Evaluates the crashkernel= parameters of a whole command line as x86_64 does at boot.
// system_ram is memblock_phys_mem_size(): the sum of /proc/iomem's "System RAM".
CrashkernelResult evaluate_crashkernel(std::string_view cmdline, std::uint64_t system_ram,
                                       const CrashkernelOptions& options = {});

/// The x86_64 ",low" size for a ",high" without ",low": max(swiotlb + 8 MiB, 256 MiB).
// The swiotlb size comes from the command line's swiotlb= and guest encryption.
std::uint64_t x86_default_crash_low_size(std::string_view cmdline, std::uint64_t system_ram,
                                         bool guest_memory_encryption = false);

/// The machine facts kdump-utils' `kdumpctl get-default-crashkernel` looks at.
struct DefaultCrashkernelOptions {
  std::string_view arch = "x86_64";  // as uname -m
  bool fadump = false;               // ppc64le: firmware-assisted dump mode
  bool memory_encryption = false;    // x86_64/s390x: dmesg says AMD SME or SEV is active (+64M)
  bool aarch64_64k_kernel = false;   // aarch64: the kdump kernel's release contains "64k" (+100M)
  bool aarch64_smmu = false;         // aarch64 64k: /sys/devices/platform/arm-smmu-* exists (+384M)
  bool mlx5 = false;                 // aarch64: mlx5_core is bound (+150M on 4k, +200M on 64k)
  bool image_build = false;          // ostree/osbuild image: every optional extra counted
};

/// The value kdump-utils recommends, e.g. "2G-64G:256M,64G-:512M"; empty for unknown arches.
std::string default_crashkernel(const DefaultCrashkernelOptions& options);

/// default_crashkernel for an architecture with no optional extras.
std::string default_crashkernel(std::string_view arch = "x86_64");

}  // namespace kdump::cfg
