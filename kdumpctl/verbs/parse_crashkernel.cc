// kdumpctl parse-crashkernel: what a kernel command line's crashkernel=
// reserves on a machine with a given amount of RAM, evaluated as the kernel does.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <kdumpcfg/crashkernel.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <variant>

#include "config_loader.h"
#include "verb_options.h"

namespace po = boost::program_options;
using namespace kdump::cfg;

namespace kdumpctl {
namespace {

// The kernel matches ranges against the physical RAM it found
// (memblock_phys_mem_size), which /proc/iomem's "System RAM" ranges show to
// root; MemTotal is smaller (the kernel's own reservations are missing), so it
// is only the fallback when iomem hides its addresses.
std::uint64_t machine_system_ram() {
  std::ifstream iomem("/proc/iomem");
  std::uint64_t total = 0;
  for (std::string line; std::getline(iomem, line);) {
    if (line.empty() || line[0] == ' ' || line.find(": System RAM") == std::string::npos) continue;
    std::uint64_t start = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &start, &end) == 2 && end > start) total += end - start + 1;
  }
  if (total > 0) return total;
  return static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t parse_size(const std::string& text) {
  const auto parsed = memparse(text);
  if (parsed.consumed == 0 || parsed.consumed != text.size())
    throw Error("--system-ram: '" + text + "' is not a size (examples: 4G, 0x100000000, 512m)");
  return parsed.value;
}

std::string human_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"", "K", "M", "G", "T", "P", "E"};
  int unit = 0;
  while (bytes != 0 && bytes % 1024 == 0 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

}  // namespace

int parse_crashkernel(const Context& context) {
  std::string cmdline, system_ram_text;
  po::options_description options("parse-crashkernel options");
  options.add_options()
      ("cmdline", po::value(&cmdline)->value_name("CMDLINE"), "kernel command line (default: /proc/cmdline)")
      ("system-ram", po::value(&system_ram_text)->value_name("SIZE"),
       "system RAM to evaluate against, e.g. 16G (default: this machine's)")
      ("json", "print one JSON object");
  po::variables_map vm;
  if (!parse_verb_options(context,
                          "kdumpctl parse-crashkernel [--cmdline CMDLINE] [--system-ram SIZE] [--json]",
                          options, vm))
    return 0;
  if (!vm.count("cmdline")) cmdline = read_text_file("/proc/cmdline");
  const std::uint64_t system_ram = vm.count("system-ram") ? parse_size(system_ram_text) : machine_system_ram();

  const auto result = evaluate_crashkernel(cmdline, system_ram);
  if (const auto* error = std::get_if<CrashkernelError>(&result)) throw Error(error->message);
  const auto& r = std::get<CrashkernelReservation>(result);

  if (vm.count("json")) {
    nlohmann::json j = {{"size", r.size}, {"base", r.base}, {"high", r.high}};
    if (r.low_size) j["low_size"] = *r.low_size;
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::cout << "system RAM: " << human_size(system_ram) << "\n"
            << "size:       " << human_size(r.size) << (r.size == 0 ? " (nothing reserved)" : "") << "\n"
            << "base:       " << (r.base ? human_size(r.base) : "chosen by the kernel") << "\n";
  if (r.high) std::cout << "high:       yes\nlow size:   " << human_size(r.low_size.value_or(0)) << "\n";
  return 0;
}

}  // namespace kdumpctl
