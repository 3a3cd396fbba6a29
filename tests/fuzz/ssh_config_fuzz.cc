// resolve_ssh_config and ssh_host_matches on arbitrary bytes: no crash, no
// runaway pattern matching, and the values it returns hold together (a port
// in 1..65535, every error "f:LINE: ..." on a real line).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "transport/ssh_config.h"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line is the host name to resolve for, the rest the config text.
  const auto newline = input.find('\n');
  const auto host = input.substr(0, newline);
  const auto text = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  const auto values = kdump::resolve_ssh_config(text, host, "f", "/home/k");
  if (values.port) require(*values.port >= 1 && *values.port <= 65535);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  if (!text.empty() && text.back() != '\n') ++lines;
  for (const auto& error : values.errors) {
    require(error.starts_with("f:"));
    const auto line = std::stoul(error.substr(2));
    require(line >= 1 && line <= lines);
  }
  (void)kdump::ssh_host_matches(text, host);
  return 0;
}
