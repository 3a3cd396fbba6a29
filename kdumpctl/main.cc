// kdumpctl: parses the global options, finds the verb in the table and runs it.
// Only this file catches errors: it prints them as "kdumpctl: error: ..." and
// returns non-zero.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "verb.h"

namespace po = boost::program_options;

namespace {

void print_usage(const po::options_description& global) {
  std::cout << "Usage: kdumpctl [OPTIONS] VERB [VERB OPTIONS]\n\n" << global << "\nVerbs:\n";
  for (const auto& verb : kdumpctl::verbs()) {
    std::string name(verb.name);
    name.resize(26, ' ');
    std::cout << "  " << name << verb.summary << "\n";
  }
  std::cout << "\nkdumpctl VERB --help describes a verb's own options.\n";
}

int run(int argc, char** argv) {
  kdumpctl::Context context;
  po::options_description global("Global options");
  global.add_options()
      ("help,h", "show this help")
      ("config,c", po::value(&context.config_path)->value_name("FILE"),
       "kdump configuration (default /etc/kdump.conf)")
      ("mountinfo", po::value(&context.mountinfo_path)->value_name("FILE"),
       "mount table to resolve targets with (default /proc/self/mountinfo)");
  po::options_description hidden;
  hidden.add_options()("verb", po::value<std::string>())("args", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(global).add(hidden);
  po::positional_options_description positional;
  positional.add("verb", 1).add("args", -1);

  // Global options may stand anywhere; everything else (the verb and its own
  // options, in their original order) is handed to the verb.
  auto parsed = po::command_line_parser(argc, argv).options(all).positional(positional).allow_unregistered().run();
  po::variables_map vm;
  po::store(parsed, vm);
  po::notify(vm);
  auto rest = po::collect_unrecognized(parsed.options, po::include_positional);

  if (rest.empty()) {
    print_usage(global);
    return vm.count("help") ? 0 : 2;
  }
  const std::string verb_name = rest.front();
  context.args.assign(rest.begin() + 1, rest.end());
  if (vm.count("help")) context.args.push_back("--help");
  for (const auto& verb : kdumpctl::verbs()) {
    if (verb.name == verb_name) return verb.run(context);
  }
  throw kdumpctl::Error("unknown verb '" + verb_name + "' (kdumpctl --help lists them)");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const kdumpctl::Error& e) {
    std::fprintf(stderr, "kdumpctl: error: %s\n", e.what());
  } catch (const po::error& e) {
    std::fprintf(stderr, "kdumpctl: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kdumpctl: error: %s\n", e.what());
  }
  return 1;
}
