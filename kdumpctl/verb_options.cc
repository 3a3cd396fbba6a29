#include "verb_options.h"

#include <iostream>

namespace po = boost::program_options;

namespace kdumpctl {

bool parse_verb_options(const Context& context, std::string_view usage, po::options_description& options,
                        po::variables_map& vm) {
  options.add_options()("help,h", "show this help");
  po::store(po::command_line_parser(context.args).options(options).run(), vm);
  if (vm.count("help")) {
    std::cout << "Usage: " << usage << "\n\n" << options;
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace kdumpctl
