// The page filter against makedumpfile on a real vmcore of the crash lab
// (tests/lab/README.md): for dump levels 1, 17 and 31 every class count must
// be within 1% of what makedumpfile reports for the same file. Skipped, with
// a message, when there is no lab vmcore or no makedumpfile. The vmcore is
// $KDUMP_LAB_DIR/vmcore, else the newest CACHE/results/*/vmcore, CACHE being
// $KDUMP_LAB_CACHE or ~/.cache/kdump-toolkit/lab. KDUMP_LAB_LEVELS (e.g.
// "0,2,4,8,23") replaces the levels checked.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "filter/mem_map.h"
#include "filter/page_census.h"
#include "filter/page_filter.h"
#include "filter/page_report.h"
#include "io/file_source.h"
#include "support/lab_dir.h"
#include "vmcore/dump.h"
#include "vmcore/elf_dump.h"

namespace kdump {
namespace {

namespace fs = std::filesystem;

std::string lab_vmcore() {
  const fs::path dir = test::find_lab_dir();
  return dir.empty() ? std::string() : (dir / "vmcore").string();
}

// makedumpfile's report for `level`, or nullopt if it could not run.
std::optional<PageCounts> makedumpfile_counts(const std::string& vmcore, unsigned level, std::string& output) {
  fs::path dir = fs::temp_directory_path() / ("kdump-filter-lab-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string cmd = "timeout 300 makedumpfile -f -d " + std::to_string(level) + " --message-level 31 '" + vmcore +
                    "' '" + (dir / "out").string() + "' 2>&1";
  output.clear();
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
    ::pclose(p);
  }
  fs::remove_all(dir);
  return parse_makedumpfile_report(output);
}

// The PT_LOADs as pfn ranges, overlaps and all (makedumpfile's totals count
// a page once per PT_LOAD that lists it).
std::vector<PfnRange> load_pfns(const std::string& vmcore, std::uint64_t page) {
  FileSource file(vmcore);
  std::vector<PhysicalRange> loads;
  for (const auto& l : read_elf_dump(file).loads) loads.push_back({l.paddr, l.mem_size});
  return present_pfns(loads, page);
}

TEST_CASE("lab: page classes agree with makedumpfile within 1% (levels 1, 17, 31)") {
  std::string vmcore = lab_vmcore();
  if (vmcore.empty()) {
    MESSAGE("skipped: no crash-lab vmcore (set KDUMP_LAB_DIR or run tests/lab/crash-lab)");
    return;
  }
  if (std::system("makedumpfile -v >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: makedumpfile is not installed");
    return;
  }
  MESSAGE("lab vmcore: " << vmcore);
  auto dump = Dump::open(vmcore);
  auto present = load_pfns(vmcore, dump->description().page_size);
  // KDUMP_LAB_LEVELS="1,2,4" checks other levels too.
  std::vector<unsigned> levels{1, 17, 31};
  if (const char* env = std::getenv("KDUMP_LAB_LEVELS")) {
    levels.clear();
    for (const char* p = env; *p;) {
      char* end = nullptr;
      unsigned long v = std::strtoul(p, &end, 10);
      if (end == p) break;
      if (v <= 31) levels.push_back(static_cast<unsigned>(v));
      p = *end == ',' ? end + 1 : end;
    }
  }
  for (unsigned level : levels) {
    CAPTURE(level);
    std::string output;
    auto theirs = makedumpfile_counts(vmcore, level, output);
    auto report_at = output.rfind("Original pages");
    INFO("makedumpfile said:\n" << (report_at == std::string::npos ? output : output.substr(report_at)));
    REQUIRE(theirs.has_value());
    std::vector<std::string> problems;
    auto census = take_page_census(*dump, *DumpLevel::from_int(level), present, dump->description().page_size);
    PageCounts ours = census.counts;
    problems = census.problems;
    for (const auto& p : problems) MESSAGE("filter: " << p);
    CHECK(problems.empty());
    std::string table;
    for (std::size_t i = 1; i < kExclusionClassCount; ++i) {
      auto c = static_cast<ExclusionClass>(i);
      table += std::string(exclusion_class_label(c)) + ": ours " + std::to_string(ours.excluded[i]) + ", makedumpfile " +
               std::to_string(theirs->excluded[i]) + "\n";
    }
    MESSAGE("level " << level << "\n" << table);
    for (std::size_t i = 1; i < kExclusionClassCount; ++i) {
      CAPTURE(exclusion_class_label(static_cast<ExclusionClass>(i)));
      double diff = static_cast<double>(ours.excluded[i]) - static_cast<double>(theirs->excluded[i]);
      CHECK(std::abs(diff) <= static_cast<double>(theirs->excluded[i]) / 100.0);
    }
    // Totals as makedumpfile prints them, through our report text.
    auto printed = parse_makedumpfile_report(format_makedumpfile_report(ours));
    REQUIRE(printed.has_value());
    CHECK(printed->present == theirs->present);
    CHECK(printed->hole == theirs->hole);
    CHECK(printed->total == theirs->total);
    // With equal counts the report text is makedumpfile's, line for line.
    bool equal = ours.excluded == theirs->excluded;
    if (equal) CHECK(output.find(format_makedumpfile_report(ours)) != std::string::npos);
  }
}

}  // namespace
}  // namespace kdump

namespace kdump {
namespace {

// The lab dump with part of its struct page array gone and part of it
// overwritten with 0xff bytes (every flag set, mapping and order absurd).
class DamagedMemory final : public KernelMemory {
 public:
  DamagedMemory(KernelMemory& inner, std::uint64_t gone_first, std::uint64_t gone_last, std::uint64_t junk_first,
                std::uint64_t junk_last)
      : inner_(inner), gone_{gone_first, gone_last}, junk_{junk_first, junk_last} {}
  std::size_t read_virtual(std::uint64_t vaddr, std::span<std::byte> out) override {
    if (vaddr < gone_[1] && vaddr + out.size() > gone_[0]) {
      if (vaddr >= gone_[0]) return 0;
      out = out.first(gone_[0] - vaddr);
    }
    std::size_t got = inner_.read_virtual(vaddr, out);
    for (std::size_t i = 0; i < got; ++i)
      if (vaddr + i >= junk_[0] && vaddr + i < junk_[1]) out[i] = std::byte{0xff};
    return got;
  }
  std::size_t read_physical(std::uint64_t paddr, std::span<std::byte> out) override {
    return inner_.read_physical(paddr, out);
  }
  const VmcoreInfo& vmcoreinfo() const override { return inner_.vmcoreinfo(); }

 private:
  KernelMemory& inner_;
  std::uint64_t gone_[2];
  std::uint64_t junk_[2];
};

TEST_CASE("lab: a damaged mem_map keeps its pages and counts them") {
  std::string vmcore = lab_vmcore();
  if (vmcore.empty()) {
    MESSAGE("skipped: no crash-lab vmcore (set KDUMP_LAB_DIR or run tests/lab/crash-lab)");
    return;
  }
  auto dump = Dump::open(vmcore);
  const std::uint64_t page = dump->description().page_size;
  auto present = load_pfns(vmcore, page);
  MemMap map = MemMap::load(*dump);
  // 16384 pfns (64 MiB of memory) from pfn 0x8000 lose their struct pages;
  // the next 16384 get junk ones.
  const std::uint64_t gone = 0x8000, junk = 0xc000, n = 0x4000;
  REQUIRE(map.page_address(gone).has_value());
  REQUIRE(map.page_address(junk + n - 1).has_value());
  const std::uint64_t sp = map.struct_page_size();
  DamagedMemory damaged(*dump, *map.page_address(gone), *map.page_address(gone) + n * sp, *map.page_address(junk),
                        *map.page_address(junk) + n * sp);

  const auto level = *DumpLevel::from_int(31);
  DumpLevelFilter whole(*dump, level, present);
  DumpLevelFilter hurt(damaged, level, present);
  for (std::uint64_t s = 0; s < whole.end_pfn(); s += 1 << 20) {
    std::uint64_t e = std::min<std::uint64_t>(s + (1 << 20), whole.end_pfn());
    const PfnBitmap& a = whole.run_cycle(s, e);
    const PfnBitmap& b = hurt.run_cycle(s, e);
    std::uint64_t in_damage_kept = 0, elsewhere_differs = 0;
    for (std::uint64_t pfn = s; pfn < e; ++pfn) {
      if (pfn >= gone && pfn < junk + n)
        in_damage_kept += b.test(pfn);
      else if (a.test(pfn) != b.test(pfn))
        ++elsewhere_differs;
    }
    CHECK(elsewhere_differs == 0);
    // Every present page in the damaged ranges stays in the dump.
    std::uint64_t present_in_damage = 0;
    for (std::uint64_t pfn = std::max(gone, s); pfn < std::min(junk + n, e); ++pfn)
      present_in_damage += std::any_of(present.begin(), present.end(),
                                       [&](const PfnRange& r) { return pfn >= r.start && pfn < r.end; });
    CHECK(in_damage_kept == present_in_damage);
  }
  const auto& c = hurt.counts();
  MESSAGE("damaged: unreadable " << c.unreadable_metadata << ", suspect " << c.suspect_metadata << ", excluded "
                                 << c.excluded_total() << " (undamaged " << whole.counts().excluded_total() << ")");
  CHECK(c.unreadable_metadata == n);
  CHECK(c.suspect_metadata >= n - 1);  // junk heads with impossible orders
  CHECK(c.excluded_total() < whole.counts().excluded_total());
  REQUIRE_FALSE(hurt.problems().empty());
  CHECK(hurt.problems()[0].find("are unreadable") != std::string::npos);
}

}  // namespace
}  // namespace kdump
