// kdumpctl get-default-crashkernel: the crashkernel= value kdump-utils
// recommends for this machine's architecture.
#include <sys/utsname.h>

#include <iostream>
#include <kdumpcfg/crashkernel.h>

#include "verb_options.h"

namespace po = boost::program_options;

namespace kdumpctl {

int get_default_crashkernel(const Context& context) {
  std::string arch;
  po::options_description options("get-default-crashkernel options");
  options.add_options()("arch", po::value(&arch)->value_name("ARCH"),
                        "architecture to answer for (default: this machine's, as uname -m)");
  po::variables_map vm;
  if (!parse_verb_options(context, "kdumpctl get-default-crashkernel [--arch ARCH]", options, vm)) return 0;
  if (arch.empty()) {
    struct utsname names {};
    if (::uname(&names) != 0) throw Error("uname failed");
    arch = names.machine;
  }
  std::cout << kdump::cfg::default_crashkernel(arch) << "\n";
  return 0;
}

}  // namespace kdumpctl
