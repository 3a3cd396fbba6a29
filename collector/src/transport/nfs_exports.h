#pragma once
// Asks a server's MOUNT service for its export list (what `showmount -e`
// shows). The mount reply cannot always say why it refused: nfs-ganesha
// answers MNT3ERR_ACCES both for a path it does not export and for a client
// it refuses, and the list tells the two apart.

#include <optional>
#include <string>
#include <vector>

#include "transport/nfs_client.h"

namespace kdump {

/// The exported directories of `target`'s server; nullopt when it cannot be asked.
std::optional<std::vector<std::string>> nfs_list_exports(const NfsTarget& target);

}  // namespace kdump
