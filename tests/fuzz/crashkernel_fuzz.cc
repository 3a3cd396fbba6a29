// Fuzzes crashkernel= evaluation, memparse, the x86 ",low" default and the
// kdump-utils table lookup on arbitrary bytes. Layout of an input: 8 bytes of
// system RAM (little-endian), 1 byte of option bits, then the command line.
// Beyond "no crash, no UB", it checks the promises callers rely on.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <variant>

#include "kdumpcfg/crashkernel.h"

using namespace kdump::cfg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  std::uint64_t ram = 0;
  for (int i = 7; i >= 0; --i) ram = (ram << 8) | data[i];
  const std::uint8_t bits = data[8];
  const std::string_view cmdline(reinterpret_cast<const char*>(data + 9), size - 9);

  CrashkernelOptions options;
  options.rules = (bits & 1) ? CrashkernelRules::kLinux6_1 : (bits & 4) ? CrashkernelRules::kLinux6_12 : CrashkernelRules::kLinux6_16;
  options.guest_memory_encryption = (bits & 2) != 0;

  const CrashkernelResult result = evaluate_crashkernel(cmdline, ram, options);
  if (const auto* r = std::get_if<CrashkernelReservation>(&result)) {
    if (r->size == 0) __builtin_trap();
    if (options.rules != CrashkernelRules::kLinux6_1 && r->size >= ram) __builtin_trap();
    if (options.rules != CrashkernelRules::kLinux6_16 && r->cma_size != 0) __builtin_trap();
    if (r->high != r->low_size.has_value()) __builtin_trap();
    if (r->high && r->base != 0) __builtin_trap();
  } else {
    const auto& e = std::get<CrashkernelError>(result);
    if (e.message.empty()) __builtin_trap();
    if (e.message.find('\0') != std::string::npos) __builtin_trap();
    // Without "crashkernel=" in the (NUL-terminated) line there is nothing else to report.
    const std::string_view line = cmdline.substr(0, cmdline.find('\0'));
    if ((line.find("crashkernel=") == std::string_view::npos) != (e.kind == CrashkernelErrorKind::kMissing))
      __builtin_trap();
  }

  const MemparseResult number = memparse(cmdline);
  if (number.consumed > cmdline.size()) __builtin_trap();

  const std::uint64_t low = x86_default_crash_low_size(cmdline, ram, (bits & 2) != 0);
  (void)low;

  DefaultCrashkernelOptions defaults;
  defaults.arch = cmdline.substr(0, 16);
  defaults.fadump = (bits & 4) != 0;
  defaults.memory_encryption = (bits & 8) != 0;
  defaults.aarch64_64k_kernel = (bits & 16) != 0;
  defaults.aarch64_smmu = (bits & 32) != 0;
  defaults.mlx5 = (bits & 64) != 0;
  defaults.image_build = (bits & 128) != 0;
  const std::string recommended = default_crashkernel(defaults);
  // A recommendation must itself be a valid crashkernel= value.
  if (!recommended.empty()) {
    const CrashkernelResult r = evaluate_crashkernel("crashkernel=" + recommended, ram);
    if (const auto* e = std::get_if<CrashkernelError>(&r); e && e->kind == CrashkernelErrorKind::kMissing)
      __builtin_trap();
  }
  return 0;
}
