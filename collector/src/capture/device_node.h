#pragma once
// The device node a kdump.conf device spec names on this machine: UUID= and
// LABEL= through libblkid (libkdumpcfg's PosixSystem, which probes the block
// devices itself, so it works without udev), /dev/... as written.

#include <string>

namespace kdump::capture {

/// The device node for `spec` ("UUID=...", "LABEL=...", "/dev/vdb1"); throws
/// std::system_error ENOENT "<what>: no such device (...)" when there is none.
/// `what` names the target in messages ("fs UUID=...").
std::string find_device_node(const std::string& spec, const std::string& what);

}  // namespace kdump::capture
