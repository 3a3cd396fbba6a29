// parse_mountinfo on arbitrary bytes, then everything downstream of a mount
// table: the input's first line is a dump path, the rest a mountinfo text.
// Nothing may crash, and the results must hold together: diagnostics in line
// order on real lines; every entry with absolute root and mount point; the
// mount chosen for a path really holds it; a resolved path is clean and
// absolute; a dump plan has commands.

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "kdumpcfg/dump_plan.h"
#include "kdumpcfg/target.h"

namespace {

using namespace kdump::cfg;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// A machine whose mounts are the fuzzed table, where every absolute path
// exists as itself and no device can be found.
class TableSystem final : public System {
 public:
  explicit TableSystem(std::vector<MountEntry> mounts) : mounts_(std::move(mounts)) {}
  std::vector<MountEntry> mounts() override { return mounts_; }
  std::optional<std::string> device_by_uuid(const std::string&) override { return std::nullopt; }
  std::optional<std::string> device_by_label(const std::string&) override { return std::nullopt; }
  bool path_exists(const std::string& path) override { return !path.empty() && path[0] == '/'; }
  std::optional<std::string> real_path(const std::string& path) override {
    if (path.empty() || path[0] != '/') return std::nullopt;
    return normalize_path(path);
  }
  std::optional<std::string> device_number(const std::string&) override { return std::nullopt; }

 private:
  std::vector<MountEntry> mounts_;
};

bool holds(const std::string& mount_point, const std::string& path) {
  const std::string point = normalize_path(mount_point);
  if (point == "/") return true;
  return path.compare(0, point.size(), point) == 0 && (path.size() == point.size() || path[point.size()] == '/');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string path(input.substr(0, newline));
  const std::string_view text = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  const MountinfoParse parsed = parse_mountinfo(text, "mountinfo");
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  if (!text.empty() && text.back() != '\n') ++lines;
  int previous = 0;
  for (const Diagnostic& d : parsed.diagnostics) {
    require(d.line > previous && static_cast<std::size_t>(d.line) <= lines);
    require(d.column >= 0 && static_cast<std::size_t>(d.column) <= d.source_line.size());
    require(!d.message.empty() && d.severity == Severity::kError);
    previous = d.line;
  }
  for (const MountEntry& m : parsed.entries) {
    require(!m.root.empty() && m.root[0] == '/');
    require(!m.mount_point.empty() && m.mount_point[0] == '/');
    require(!m.fstype.empty() && !m.source.empty());
  }

  const std::string clean = normalize_path(path);
  require(!clean.empty());
  require(normalize_path(clean) == clean);
  if (auto m = mount_containing(parsed.entries, path)) require(clean[0] == '/' && holds(m->mount_point, clean));

  Config config;
  config.path = path;
  config.core_collector = "makedumpfile -l -d 31";
  TableSystem system(parsed.entries);
  const ResolveResult result = resolve_target(config, system, "kdump.conf");
  if (result.ok()) {
    const ResolvedTarget& t = result.target;
    require(!t.path.empty() && t.path[0] == '/');
    require(normalize_path(t.path) == t.path);
    require(!t.mount_point.empty());
    std::tm when{};
    when.tm_year = 126;
    when.tm_mday = 1;
    const DumpPlan plan = plan_dump(t, "127.0.0.1", when);
    require(!plan.commands.empty());
  }
  return 0;
}
