#include "config_loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace kdumpctl {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

kdump::cfg::Config load_config(const Context& context) {
  auto result = kdump::cfg::parse_config(read_text_file(context.config_path), context.config_path);
  // On a terminal, show the line and a caret as compilers do; to a pipe or
  // file, only the FILE:LINE: message lines scripts parse.
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  int errors = 0;
  for (const auto& d : result.diagnostics) {
    const auto text = terminal ? kdump::cfg::format_with_source(d) : kdump::cfg::format_short(d);
    std::fprintf(stderr, "%s\n", text.c_str());
    if (d.severity == kdump::cfg::Severity::kError) ++errors;
  }
  if (errors > 0)
    throw Error(context.config_path + ": " + std::to_string(errors) + (errors == 1 ? " error" : " errors"));
  return result.config;
}

}  // namespace kdumpctl
