#include "cli/info_command.h"

// The text view is for people (aligned labels, sizes in KiB/MiB, the crash
// time in UTC); the JSON view carries the same facts as numbers for scripts.
// Both come from Dump::description() and the x86_64 layout, so they cannot
// disagree. JSON is written by hand: the output is flat and the collector
// library does not link a JSON library.

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <string>

namespace kdump::cli {
namespace {

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string human_size(std::uint64_t bytes) {
  struct Unit {
    std::uint64_t size;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{1ull << 40, "TiB"}, {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
  for (const auto& u : kUnits) {
    if (bytes >= u.size) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f %s", static_cast<double>(bytes) / static_cast<double>(u.size), u.name);
      return buf;
    }
  }
  return std::to_string(bytes) + " B";
}

std::string utc(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return std::to_string(t);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;  // bytes >= 0x80 pass through; dumps hold UTF-8 or ASCII
    }
  }
  return out + "\"";
}

template <typename T>
std::string json_opt(const std::optional<T>& v) {
  if (!v) return "null";
  if constexpr (std::is_same_v<T, std::string>) return json_string(*v);
  else return std::to_string(*v);
}

// Addresses go out as hex strings: JSON readers that use doubles would round them.
std::string json_hex(const std::optional<std::uint64_t>& v) { return v ? json_string(hex(*v)) : "null"; }

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_string(items[i]);
  return out + "]";
}

void line(std::ostream& out, std::string_view label, const std::string& value) {
  out << label << ':' << std::string(label.size() < 16 ? 16 - label.size() : 1, ' ') << value << '\n';
}

}  // namespace

void write_info_text(Dump& dump, std::ostream& out) {
  const DumpDescription& d = dump.description();
  line(out, "dump", dump.name());
  line(out, "format", d.format + (d.flattened ? " (flattened)" : ""));
  line(out, "machine", d.machine.empty() ? "unknown" : d.machine);
  line(out, "kernel release", d.kernel_release.value_or("unknown"));
  line(out, "crash time", d.crash_time ? utc(*d.crash_time) : "unknown");
  line(out, "page size", std::to_string(d.page_size));
  line(out, "CPUs", std::to_string(d.cpus));
  if (dump.has_vmcoreinfo()) {
    const VmcoreInfo& vi = dump.vmcoreinfo();
    std::string v = "present, " + std::to_string(vi.entries().size()) + " keys";
    if (auto id = vi.build_id()) v += ", build id " + *id;
    if (auto off = vi.kernel_offset()) v += ", KERNELOFFSET " + hex(*off);
    line(out, "VMCOREINFO", v);
  } else {
    line(out, "VMCOREINFO", "absent");
  }
  const auto ranges = dump.ranges();
  std::uint64_t total = 0;
  for (const auto& r : ranges) total += r.size;
  line(out, "memory", std::to_string(ranges.size()) + " ranges, " + human_size(total));
  for (const auto& r : ranges) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "  0x%016" PRIx64 "-0x%016" PRIx64 "  ", r.start, r.start + r.size - 1);
    out << buf << human_size(r.size) << '\n';
  }
  if (const X86_64Layout* l = dump.x86_64_layout()) {
    auto fact = [&](std::string_view label, const std::optional<std::uint64_t>& v, const std::string& from) {
      line(out, label, v ? hex(*v) + " (from " + from + ")" : "unknown");
    };
    fact("phys_base", l->phys_base, l->phys_base_from);
    fact("direct map", l->page_offset, l->page_offset_from);
    fact("page table", l->top_table, l->top_table_from);
    line(out, "paging", std::string(l->five_level ? "5-level" : "4-level") + " (from " + l->levels_from + ")");
    if (l->vmemmap_base) line(out, "vmemmap", hex(*l->vmemmap_base));
  }
  out << "features:\n";
  for (const auto& f : d.features) out << "  " << f << '\n';
  if (!d.problems.empty()) {
    out << "problems:\n";
    for (const auto& p : d.problems) out << "  " << p << '\n';
  }
}

void write_info_json(Dump& dump, std::ostream& out) {
  const DumpDescription& d = dump.description();
  out << "{\n";
  out << "  \"dump\": " << json_string(dump.name()) << ",\n";
  out << "  \"format\": " << json_string(d.format) << ",\n";
  out << "  \"flattened\": " << (d.flattened ? "true" : "false") << ",\n";
  out << "  \"machine\": " << json_string(d.machine) << ",\n";
  out << "  \"kernel_release\": " << json_opt(d.kernel_release) << ",\n";
  out << "  \"crash_time\": " << json_opt(d.crash_time) << ",\n";
  out << "  \"page_size\": " << d.page_size << ",\n";
  out << "  \"cpus\": " << d.cpus << ",\n";
  out << "  \"vmcoreinfo\": " << (dump.has_vmcoreinfo() ? "true" : "false") << ",\n";
  if (dump.has_vmcoreinfo()) {
    const VmcoreInfo& vi = dump.vmcoreinfo();
    out << "  \"build_id\": " << json_opt(vi.build_id()) << ",\n";
    out << "  \"kernel_offset\": " << json_hex(vi.kernel_offset()) << ",\n";
  }
  out << "  \"memory_ranges\": [";
  const auto ranges = dump.ranges();
  for (std::size_t i = 0; i < ranges.size(); ++i)
    out << (i ? ", " : "") << "{\"start\": " << ranges[i].start << ", \"size\": " << ranges[i].size << "}";
  out << "],\n";
  if (const X86_64Layout* l = dump.x86_64_layout()) {
    out << "  \"x86_64\": {\"phys_base\": " << json_hex(l->phys_base) << ", \"page_offset\": " << json_hex(l->page_offset)
        << ", \"page_table\": " << json_hex(l->top_table) << ", \"five_level\": " << (l->five_level ? "true" : "false")
        << "},\n";
  }
  out << "  \"features\": " << json_list(d.features) << ",\n";
  out << "  \"problems\": " << json_list(d.problems) << "\n";
  out << "}\n";
}

}  // namespace kdump::cli
