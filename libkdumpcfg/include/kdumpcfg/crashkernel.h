#pragma once
// crashkernel= as the Linux kernel parses and evaluates it
// (kernel/crash_reserve.c, lib/cmdline.c memparse), so a tool can tell what
// a command line reserves without booting it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace kdump::cfg {

/// What a crashkernel= setting reserves on a machine with a given amount of RAM.
struct CrashkernelReservation {
  std::uint64_t size = 0;      // bytes; 0 means nothing is reserved
  std::uint64_t base = 0;      // bytes; 0 means "let the kernel choose"
  bool high = false;           // ",high": reserved above 4 GiB where possible
  std::optional<std::uint64_t> low_size;  // with ",high": the low reservation (explicit or default)

  bool operator==(const CrashkernelReservation&) const = default;
};

/// Why the kernel would reject the setting: a message for people.
struct CrashkernelError {
  std::string message;
  bool operator==(const CrashkernelError&) const = default;
};

using CrashkernelResult = std::variant<CrashkernelReservation, CrashkernelError>;

/// Reads a number as the kernel's memparse does: 0x hex, leading-0 octal,
/// decimal, then an optional K/M/G/T/P/E suffix in either case. Returns the
/// value and how many characters were consumed (0: no number).
struct MemparseResult {
  std::uint64_t value = 0;
  std::size_t consumed = 0;
};
MemparseResult memparse(std::string_view text);

/// Evaluates the crashkernel= parameter of a whole kernel command line against
/// the machine's system RAM in bytes, as the kernel does at boot on x86_64.
/// No crashkernel= at all is an error ("no crashkernel= parameter").
CrashkernelResult evaluate_crashkernel(std::string_view cmdline, std::uint64_t system_ram);

/// The value kdump-utils recommends for this architecture
/// (`kdumpctl get-default-crashkernel`), e.g. "1G-4G:192M,4G-64G:256M,64G-:512M".
std::string default_crashkernel(std::string_view arch = "x86_64");

}  // namespace kdump::cfg
