// kdumpctl show-target: where a dump would go and how. It reports what the
// configuration names even when that device or host is absent from this
// machine (with a warning), so a configuration can be inspected anywhere.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <kdumpcfg/dump_plan.h>
#include <kdumpcfg/posix_system.h>
#include <kdumpcfg/target.h>
#include <nlohmann/json.hpp>

#include "config_loader.h"
#include "verb_options.h"

namespace po = boost::program_options;
using namespace kdump::cfg;

namespace kdumpctl {
namespace {

// Keys that do not apply to a target kind are absent, as the contract says.
nlohmann::json to_json(const ResolvedTarget& t) {
  nlohmann::json j = {{"type", std::string(resolved_kind_name(t.kind))}};
  switch (t.kind) {
    case ResolvedKind::kRaw:
      j["device"] = t.device;
      break;
    case ResolvedKind::kFilesystem:
      j["device"] = t.device;
      j["fstype"] = t.fstype;
      break;
    case ResolvedKind::kNfs:
      j["server"] = t.server;
      j["export"] = t.export_path;
      if (!t.fstype.empty()) j["fstype"] = t.fstype;
      break;
    case ResolvedKind::kSsh:
      j["user"] = t.user;
      j["host"] = t.host;
      j["port"] = t.port;
      break;
  }
  j["path"] = t.path;
  if (!t.mount_point.empty()) j["mount_point"] = t.mount_point;
  j["core_collector"] = t.core_collector;
  return j;
}

void print_human(const ResolvedTarget& t) {
  auto field = [](const char* name, const std::string& value) {
    if (!value.empty()) std::printf("%-15s %s\n", name, value.c_str());
  };
  field("type:", std::string(resolved_kind_name(t.kind)));
  field("device:", t.device);
  field("fstype:", t.fstype);
  field("server:", t.server);
  field("export:", t.export_path);
  field("user:", t.user);
  field("host:", t.host);
  if (t.kind == ResolvedKind::kSsh) field("port:", std::to_string(t.port));
  field("path:", t.path);
  field("mounted at:", t.mount_point);
  field("core_collector:", t.core_collector);

  // The capture host's address is only known in the capture kernel; local
  // targets use 127.0.0.1 as kdump-utils does.
  const bool network = t.kind == ResolvedKind::kNfs || t.kind == ResolvedKind::kSsh;
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  const auto plan = plan_dump(t, network ? "<host-ip>" : "127.0.0.1", local);
  std::printf("\nA capture now would run:\n");
  for (const auto& command : plan.commands) std::printf("  %s\n", command.c_str());
}

}  // namespace

int show_target(const Context& context) {
  po::options_description options("show-target options");
  options.add_options()("json", "print one JSON object");
  po::variables_map vm;
  if (!parse_verb_options(context, "kdumpctl [-c FILE] [--mountinfo FILE] show-target [--json]", options, vm))
    return 0;

  const Config config = load_config(context);
  PosixSystem system(context.mountinfo_path);
  const auto result = resolve_target(config, system, context.config_path);
  // A malformed mount table line is skipped and reported; only what
  // resolution itself could not do stops the verb.
  for (const auto& d : system.mount_diagnostics()) std::fprintf(stderr, "%s\n", format_short(d).c_str());
  int errors = 0;
  for (const auto& d : result.diagnostics) {
    std::fprintf(stderr, "%s\n", format_short(d).c_str());
    if (d.severity == Severity::kError) ++errors;
  }
  if (errors > 0) throw Error("cannot resolve the dump target");

  if (vm.count("json"))
    std::cout << to_json(result.target).dump(2) << "\n";
  else
    print_human(result.target);
  return 0;
}

}  // namespace kdumpctl
