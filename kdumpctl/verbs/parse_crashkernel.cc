// kdumpctl parse-crashkernel: what a kernel command line's crashkernel=
// reserves on a machine with a given amount of RAM, evaluated as the kernel does.
#include <sys/utsname.h>
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

// The kernel's crashkernel= rules changed in 6.7 (generic reservation code) and
// 6.16 (",cma"); pick the rule set of a kernel release such as "6.1.0-28-amd64".
CrashkernelRules rules_for_release(const std::string& release) {
  unsigned major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%u.%u", &major, &minor) != 2)
    throw Error("--kernel-version: '" + release + "' is not a kernel release like 6.1 or 6.12.5");
  const unsigned version = major * 1000 + minor;
  if (version < 6007) return CrashkernelRules::kLinux6_1;
  if (version < 6016) return CrashkernelRules::kLinux6_12;
  return CrashkernelRules::kLinux6_16;
}

std::string running_release() {
  struct utsname names {};
  if (::uname(&names) != 0) throw Error("uname failed");
  return names.release;
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
  std::string cmdline, system_ram_text, release;
  po::options_description options("parse-crashkernel options");
  options.add_options()
      ("cmdline", po::value(&cmdline)->value_name("CMDLINE"), "kernel command line (default: /proc/cmdline)")
      ("system-ram", po::value(&system_ram_text)->value_name("SIZE"),
       "system RAM to evaluate against, e.g. 16G (default: this machine's)")
      ("kernel-version", po::value(&release)->value_name("RELEASE"),
       "evaluate with the rules of this kernel release, e.g. 6.1 or 6.12 (default: the running kernel's)")
      ("json", "print one JSON object");
  po::variables_map vm;
  if (!parse_verb_options(context,
                          "kdumpctl parse-crashkernel [--cmdline CMDLINE] [--system-ram SIZE] [--kernel-version RELEASE] [--json]",
                          options, vm))
    return 0;
  if (!vm.count("cmdline")) cmdline = read_text_file("/proc/cmdline");
  const std::uint64_t system_ram = vm.count("system-ram") ? parse_size(system_ram_text) : machine_system_ram();

  if (release.empty()) release = running_release();
  CrashkernelOptions rules;
  rules.rules = rules_for_release(release);

  // Syntax the kernel rejects is an error; a well-formed setting that reserves
  // nothing here (or no setting at all) is an answer: size 0, with the reason.
  const auto result = evaluate_crashkernel(cmdline, system_ram, rules);
  CrashkernelReservation r;
  if (const auto* error = std::get_if<CrashkernelError>(&result)) {
    if (error->kind == CrashkernelErrorKind::kInvalid) throw Error(error->message);
    std::fprintf(stderr, "kdumpctl: %s\n", error->message.c_str());
  } else {
    r = std::get<CrashkernelReservation>(result);
  }

  if (vm.count("json")) {
    nlohmann::json j = {{"size", r.size}, {"base", r.base}, {"high", r.high}};
    if (r.low_size) j["low_size"] = *r.low_size;
    if (r.cma_size) j["cma_size"] = r.cma_size;
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::cout << "system RAM: " << human_size(system_ram) << "\n"
            << "size:       " << human_size(r.size) << (r.size == 0 ? " (nothing reserved)" : "") << "\n"
            << "base:       " << (r.base ? human_size(r.base) : "chosen by the kernel") << "\n";
  if (r.high) std::cout << "high:       yes\nlow size:   " << human_size(r.low_size.value_or(0)) << "\n";
  if (r.cma_size) std::cout << "CMA size:   " << human_size(r.cma_size) << "\n";
  return 0;
}

}  // namespace kdumpctl
