#pragma once
// kdumpctl's verbs: each is one file in verbs/, registered in the table in
// verbs.cc. A verb gets the global options and its own arguments, prints its
// result, and returns the exit status; failures throw kdumpctl::Error.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kdumpctl {

/// What every verb gets: the global options and the verb's own arguments.
struct Context {
  std::string config_path = "/etc/kdump.conf";
  std::string mountinfo_path = "/proc/self/mountinfo";
  std::vector<std::string> args;  // everything after the verb, global options removed
};

/// A failure to report as "kdumpctl: error: MESSAGE" with exit status 1.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A verb: its name, a one-line summary for --help, and what it does.
struct Verb {
  std::string_view name;
  std::string_view summary;
  int (*run)(const Context&);
};

/// Every verb, in the order --help lists them.
const std::vector<Verb>& verbs();

}  // namespace kdumpctl
