// The x86_64 default for "crashkernel=X,high" without ",low"
// (arch/x86/include/asm/crash_reserve.h: max(swiotlb size + 8 MiB, 256 MiB)).
//
// The swiotlb size is not a constant: the early parameter swiotlb= sets it
// (kernel/dma/swiotlb.c setup_io_tlb_npages), and an SEV/TDX guest grows it
// with its RAM (arch/x86/mm/mem_encrypt.c mem_encrypt_setup_arch). Both run in
// setup_arch before the crash kernel is reserved, in that order, so this file
// replays them: the command line is split the way parse_args/next_arg split
// it (quotes, isspace, "--" ends the kernel's part), every swiotlb= is applied
// in turn, then the guest adjustment, then the formula. Integer widths follow
// the kernel (unsigned long slabs, unsigned int areas) because their wrapping
// is part of the behaviour. Later changes to the swiotlb (the per-CPU area
// count at swiotlb_init) happen after the reservation and do not count.
// The area rounding follows the current kernel; 6.1's differs only in corners
// (an area count of 0, fewer than 128 slabs per area), which this ignores.
#include "kdumpcfg/crashkernel.h"

#include <algorithm>
#include <bit>
#include <vector>

#include "kernel_strtox.h"

namespace kdump::cfg {
namespace {

constexpr unsigned kIoTlbShift = 11;                       // 2 KiB slabs
constexpr std::uint32_t kIoTlbSegSize = 128;               // slabs per segment
constexpr std::uint64_t kIoTlbDefaultSize = 64ull << 20;   // IO_TLB_DEFAULT_SIZE
constexpr std::uint64_t kMiB = 1ull << 20;

// The kernel's isspace: its ctype table also counts 0xA0 (Latin-1 NBSP).
bool kernel_isspace(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xA0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

bool is_power_of_2(std::uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// 1UL << fls_long(n - 1); a shift by 64 (n == 0 or n > 2^63) is undefined in C,
// and x86 shifts by the count modulo 64, giving 1.
std::uint64_t roundup_pow_of_two(std::uint64_t n) {
  const int fls = std::bit_width(n - 1);  // the kernel's fls_long
  return fls >= 64 ? 1 : (std::uint64_t{1} << fls);
}

std::uint64_t align_up(std::uint64_t x, std::uint64_t a) { return (x + a - 1) & ~(a - 1); }

struct Swiotlb {
  std::uint64_t nslabs = kIoTlbDefaultSize >> kIoTlbShift;
  std::uint32_t nareas = 0;

  bool round_up_nslabs() {
    if (nareas == 0) return false;
    const std::uint32_t minimum = kIoTlbSegSize * nareas;  // unsigned int product, wraps
    if (nslabs < minimum)
      nslabs = minimum;
    else if (is_power_of_2(nslabs))
      return false;
    nslabs = roundup_pow_of_two(nslabs);
    return true;
  }

  void adjust_nareas(std::uint32_t n) {
    if (n == 0)
      n = 1;
    else if (!is_power_of_2(n))
      n = static_cast<std::uint32_t>(roundup_pow_of_two(n));  // 2^32 truncates to 0
    nareas = n;
    round_up_nslabs();
  }

  // setup_io_tlb_npages: "swiotlb=[nslabs][,nareas][,force|noforce]".
  void apply_parameter(std::string_view value) {
    std::size_t pos = 0;
    if (is_digit(at(value, pos))) {
      const KernelNumber n = kernel_strtoull(value.substr(pos), 0);
      nslabs = align_up(n.value, kIoTlbSegSize);
      pos += n.consumed;
    }
    if (at(value, pos) == ',') ++pos;
    if (is_digit(at(value, pos))) {
      const KernelNumber n = kernel_strtoull(value.substr(pos), 0);
      adjust_nareas(static_cast<std::uint32_t>(n.value));  // unsigned int parameter
      pos += n.consumed;
    }
    // force / noforce change whether bounce buffers are used, not their size.
  }

  // swiotlb_adjust_size: only when swiotlb= left the default slab count.
  void adjust_size(std::uint64_t size) {
    if (nslabs != (kIoTlbDefaultSize >> kIoTlbShift)) return;
    size = align_up(size, std::uint64_t{1} << kIoTlbShift);
    nslabs = align_up(size >> kIoTlbShift, kIoTlbSegSize);
    round_up_nslabs();
  }
};

struct Param {
  std::string_view name;
  std::optional<std::string_view> value;  // none: the parameter had no '='
};

// parse_args over next_arg (lib/cmdline.c, kernel/params.c): whitespace
// separates parameters except inside double quotes; a value's surrounding
// quotes are dropped; a bare "--" ends the parameters the kernel reads.
std::vector<Param> split_kernel_params(std::string_view line) {
  std::vector<Param> params;
  std::size_t pos = 0;
  while (pos < line.size() && kernel_isspace(line[pos])) ++pos;
  while (pos < line.size()) {
    std::string_view args = line.substr(pos);
    bool in_quote = false, quoted = false;
    if (args.front() == '"') {
      args.remove_prefix(1);
      ++pos;
      in_quote = quoted = true;
    }
    std::size_t i = 0, equals = 0;
    for (; i < args.size(); ++i) {
      if (kernel_isspace(args[i]) && !in_quote) break;
      if (equals == 0 && args[i] == '=') equals = i;
      if (args[i] == '"') in_quote = !in_quote;
    }
    // The kernel writes NULs into its copy: at '=', over a closing quote, after the argument.
    std::size_t end = i;
    const bool closing_quote = i > 0 && args[i - 1] == '"';
    Param param;
    if (equals == 0) {
      if (quoted && closing_quote) end = i - 1;
      param.name = args.substr(0, end);
    } else {
      param.name = args.substr(0, equals);
      std::size_t value_start = equals + 1;
      if (at(args, value_start) == '"') {
        ++value_start;
        if (closing_quote) end = i - 1;
      } else if (quoted && closing_quote) {
        end = i - 1;
      }
      param.value = args.substr(value_start, end > value_start ? end - value_start : 0);
    }
    if (!param.value && param.name == "--") break;
    params.push_back(param);
    pos += i;
    if (pos < line.size()) ++pos;  // the separator
    while (pos < line.size() && kernel_isspace(line[pos])) ++pos;
  }
  return params;
}

}  // namespace

std::uint64_t x86_default_crash_low_size(std::string_view cmdline, std::uint64_t system_ram,
                                         bool guest_memory_encryption) {
  cmdline = cmdline.substr(0, cmdline.find('\0'));  // the kernel's is a C string
  Swiotlb swiotlb;
  for (const Param& param : split_kernel_params(cmdline)) {
    // A bare "swiotlb" would hand NULL to setup_io_tlb_npages, which
    // dereferences it; no size results from that, so it is skipped here.
    if (param.name == "swiotlb" && param.value) swiotlb.apply_parameter(*param.value);
  }
  if (guest_memory_encryption) {
    const std::uint64_t six_percent = system_ram * 6 / 100;  // phys_addr_t arithmetic, wraps
    swiotlb.adjust_size(std::clamp(six_percent, kIoTlbDefaultSize, std::uint64_t{1} << 30));
  }
  const std::uint64_t swiotlb_bytes = swiotlb.nslabs << kIoTlbShift;  // wraps like unsigned long
  return std::max(swiotlb_bytes + 8 * kMiB, 256 * kMiB);
}

}  // namespace kdump::cfg
