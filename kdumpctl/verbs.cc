#include "verb.h"

namespace kdumpctl {

int show_config(const Context&);
int show_target(const Context&);
int parse_crashkernel(const Context&);
int get_default_crashkernel(const Context&);

const std::vector<Verb>& verbs() {
  static const std::vector<Verb> table = {
      {"show-config", "print the effective kdump.conf, defaults applied (--json)", show_config},
      {"show-target", "print the resolved dump target and collector (--json)", show_target},
      {"parse-crashkernel", "evaluate a crashkernel= setting as the kernel does (--json)", parse_crashkernel},
      {"get-default-crashkernel", "print the recommended crashkernel= value", get_default_crashkernel},
  };
  return table;
}

}  // namespace kdumpctl
