// kdumpctl show-config: the effective configuration, defaults applied. As
// JSON, one object whose keys are the directive names (the contract outside
// scripts rely on); otherwise as kdump.conf lines, which parse back to the same.
#include <iostream>
#include <nlohmann/json.hpp>

#include "config_loader.h"
#include "verb_options.h"

namespace po = boost::program_options;
using kdump::cfg::Config;

namespace kdumpctl {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

nlohmann::json optional_string(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json to_json(const Config& c) {
  nlohmann::json j = nlohmann::json::object();
  if (c.target) j[c.target->directive] = c.target->value;
  j["path"] = c.path;
  j["core_collector"] = c.core_collector;
  j["sshkey"] = c.sshkey;
  j["failure_action"] = std::string(kdump::cfg::action_name(c.failure_action));
  j["final_action"] = std::string(kdump::cfg::action_name(c.final_action));
  j["kdump_pre"] = optional_string(c.kdump_pre);
  j["kdump_post"] = optional_string(c.kdump_post);
  j["kdump_emergency"] = optional_string(c.kdump_emergency);
  j["extra_bins"] = c.extra_bins;
  j["extra_modules"] = c.extra_modules;
  j["dracut_args"] = optional_string(c.dracut_args);
  j["fence_kdump_args"] = optional_string(c.fence_kdump_args);
  j["fence_kdump_nodes"] = c.fence_kdump_nodes;
  j["force_rebuild"] = c.force_rebuild;
  j["force_no_rebuild"] = c.force_no_rebuild;
  j["auto_reset_crashkernel"] = c.auto_reset_crashkernel;
  return j;
}

void print_as_kdump_conf(const Config& c) {
  auto line = [](std::string_view directive, const std::string& value) {
    if (!value.empty()) std::cout << directive << " " << value << "\n";
  };
  if (c.target) line(c.target->directive, c.target->value);
  line("path", c.path);
  line("core_collector", c.core_collector);
  line("sshkey", c.sshkey);
  line("failure_action", std::string(kdump::cfg::action_name(c.failure_action)));
  line("final_action", std::string(kdump::cfg::action_name(c.final_action)));
  line("kdump_pre", c.kdump_pre);
  line("kdump_post", c.kdump_post);
  line("kdump_emergency", c.kdump_emergency);
  line("extra_bins", join(c.extra_bins));
  line("extra_modules", join(c.extra_modules));
  line("dracut_args", c.dracut_args);
  line("fence_kdump_args", c.fence_kdump_args);
  line("fence_kdump_nodes", join(c.fence_kdump_nodes));
  if (c.force_rebuild) line("force_rebuild", "1");
  if (c.force_no_rebuild) line("force_no_rebuild", "1");
  line("auto_reset_crashkernel", c.auto_reset_crashkernel ? "yes" : "no");
}

}  // namespace

int show_config(const Context& context) {
  po::options_description options("show-config options");
  options.add_options()("json", "print one JSON object");
  po::variables_map vm;
  if (!parse_verb_options(context, "kdumpctl [-c FILE] show-config [--json]", options, vm)) return 0;

  const Config config = load_config(context);
  if (vm.count("json"))
    std::cout << to_json(config).dump(2) << "\n";
  else
    print_as_kdump_conf(config);
  return 0;
}

}  // namespace kdumpctl
