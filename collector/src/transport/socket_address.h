#pragma once
// This machine's address as a peer sees it, for the dump directory's name
// (kdump-utils names it after the capture host's address on network targets).

#include <optional>
#include <string>

namespace kdump {

/// The local address of connected socket `fd` ("10.0.0.5", "fd00::5"; an
/// IPv4-mapped IPv6 address as IPv4); nullopt if it has none.
std::optional<std::string> socket_local_address(int fd);

/// The source address this machine would use to reach `host` (resolved as a
/// name or an address); nullopt if it cannot be reached. Sends nothing: a
/// UDP connect() only asks the routing table.
std::optional<std::string> source_address_towards(const std::string& host);

}  // namespace kdump
