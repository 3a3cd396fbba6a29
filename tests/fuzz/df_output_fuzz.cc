// parse_df_available on arbitrary remote output (an ssh target's `df -P -k`
// is text from another machine): no crash, and an answer only when the text
// holds the digits it claims (the value fits in 64 bits as KiB * 1024).

#include <cstddef>
#include <cstdint>
#include <string>

#include "capture/ssh_destination.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto available = kdump::capture::parse_df_available(text);
  if (available && *available % 1024 != 0) __builtin_trap();
  return 0;
}
