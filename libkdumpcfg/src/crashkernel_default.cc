// The crashkernel= value kdump-utils recommends (kdump-lib.sh,
// kdump_get_arch_recommend_crashkernel, as of its 2025 sources), which is what
// `kdumpctl get-default-crashkernel` prints and `reset-crashkernel` writes.
//
// kdump-utils keeps one range table per architecture and adds a number of
// MiB to every size in it for machine features it detects; the sum is then
// printed in the largest unit that divides it (its memsize_add). Both the
// tables and the extras are data here. Detecting the features is the
// caller's job (DefaultCrashkernelOptions names how kdump-utils does it).
// Earlier kdump-utils releases recommended other tables, e.g. x86_64
// "1G-4G:192M,4G-64G:256M,64G-:512M" and later "1G-2G:192M,2G-64G:256M,64G-:512M".
#include "kdumpcfg/crashkernel.h"

#include <array>
#include <span>

namespace kdump::cfg {
namespace {

struct RangeSize {
  std::string_view range;  // "start-[end]", copied to the output unchanged
  std::uint64_t mib;
};

enum class Mode { kAny, kKdump, kFadump };

struct ArchTable {
  std::string_view arch;
  Mode mode;
  std::span<const RangeSize> ranges;
};

constexpr std::array<RangeSize, 2> kX86{{{"2G-64G", 256}, {"64G-", 512}}};
constexpr std::array<RangeSize, 3> kAarch64{{{"2G-4G", 256}, {"4G-64G", 320}, {"64G-", 576}}};
constexpr std::array<RangeSize, 5> kPpc64leKdump{{
    {"2G-4G", 384}, {"4G-16G", 512}, {"16G-64G", 1024}, {"64G-128G", 2048}, {"128G-", 4096},
}};
constexpr std::array<RangeSize, 11> kPpc64leFadump{{
    {"4G-16G", 768}, {"16G-64G", 1024}, {"64G-128G", 2048}, {"128G-1T", 4096}, {"1T-2T", 6144},
    {"2T-4T", 12288}, {"4T-8T", 20480}, {"8T-16T", 36864}, {"16T-32T", 65536}, {"32T-64T", 131072},
    {"64T-", 184320},
}};

constexpr std::array<ArchTable, 5> kTables{{
    {"x86_64", Mode::kAny, kX86},
    {"s390x", Mode::kAny, kX86},
    {"aarch64", Mode::kAny, kAarch64},
    {"ppc64le", Mode::kKdump, kPpc64leKdump},
    {"ppc64le", Mode::kFadump, kPpc64leFadump},
}};

// An extra kdump-utils adds, and when. image_build (its maximize_crashkernel)
// turns every condition on, including SME/SEV on s390x.
struct Extra {
  std::string_view arch;
  std::uint64_t mib;
  bool (*applies)(const DefaultCrashkernelOptions&);
};

bool is_64k(const DefaultCrashkernelOptions& o) { return o.image_build || o.aarch64_64k_kernel; }

constexpr std::array<Extra, 6> kExtras{{
    {"x86_64", 64, [](const DefaultCrashkernelOptions& o) { return o.image_build || o.memory_encryption; }},
    {"s390x", 64, [](const DefaultCrashkernelOptions& o) { return o.image_build || o.memory_encryption; }},
    {"aarch64", 100, [](const DefaultCrashkernelOptions& o) { return is_64k(o); }},
    {"aarch64", 384, [](const DefaultCrashkernelOptions& o) { return is_64k(o) && (o.image_build || o.aarch64_smmu); }},
    {"aarch64", 200, [](const DefaultCrashkernelOptions& o) { return is_64k(o) && (o.image_build || o.mlx5); }},
    {"aarch64", 150, [](const DefaultCrashkernelOptions& o) { return !is_64k(o) && o.mlx5; }},
}};

// memsize_add's output: the largest unit up to E that divides the sum.
std::string format_mib(std::uint64_t mib) {
  static constexpr std::array<const char*, 5> kUnits{"M", "G", "T", "P", "E"};
  std::size_t unit = 0;
  while (mib != 0 && mib % 1024 == 0 && unit + 1 < kUnits.size()) {
    mib /= 1024;
    ++unit;
  }
  return std::to_string(mib) + kUnits[unit];
}

}  // namespace

std::string default_crashkernel(const DefaultCrashkernelOptions& options) {
  const Mode mode = options.fadump ? Mode::kFadump : Mode::kKdump;
  const ArchTable* table = nullptr;
  for (const ArchTable& t : kTables)
    if (t.arch == options.arch && (t.mode == Mode::kAny || t.mode == mode)) table = &t;
  if (!table) return "";

  std::uint64_t extra = 0;
  for (const Extra& e : kExtras)
    if (e.arch == options.arch && e.applies(options)) extra += e.mib;

  std::string out;
  for (const RangeSize& entry : table->ranges) {
    if (!out.empty()) out += ',';
    out += std::string(entry.range) + ":" + format_mib(entry.mib + extra);
  }
  return out;
}

std::string default_crashkernel(std::string_view arch) {
  DefaultCrashkernelOptions options;
  options.arch = arch;
  return default_crashkernel(options);
}

}  // namespace kdump::cfg
