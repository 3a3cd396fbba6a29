#include "transport/nfs_exports.h"

// A raw libnfs RPC context, driven by our own poll loop so that the whole
// exchange (connect, MOUNTPROC3_EXPORT) is bounded by the target's timeout.
// With an explicit mount port it connects there; otherwise through the
// server's portmapper, as the mount itself does.

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <poll.h>

#include <chrono>
#include <cstddef>
#include <cstring>

namespace kdump {
namespace {

struct Exchange {
  bool done = false;
  bool ok = false;
  std::vector<std::string> exports;
};

void on_export(rpc_context*, int status, void* data, void* private_data) {
  auto* exchange = static_cast<Exchange*>(private_data);
  exchange->done = true;
  if (status != RPC_STATUS_SUCCESS) return;
  exchange->ok = true;
  // libnfs hands the list over in its decoding arena, where nodes may sit at
  // addresses misaligned for their pointers (UBSan says so): fields are copied out.
  const auto field = [](const exportnode* node, std::size_t offset) {
    char* value = nullptr;
    std::memcpy(&value, reinterpret_cast<const char*>(node) + offset, sizeof value);
    return value;
  };
  exportnode* node = nullptr;
  std::memcpy(&node, data, sizeof node);
  while (node) {
    exchange->exports.emplace_back(field(node, offsetof(exportnode, ex_dir)));
    node = reinterpret_cast<exportnode*>(field(node, offsetof(exportnode, ex_next)));
  }
}

void on_connect(rpc_context* rpc, int status, void*, void* private_data) {
  auto* exchange = static_cast<Exchange*>(private_data);
  if (status != RPC_STATUS_SUCCESS || rpc_mount3_export_async(rpc, on_export, exchange) != 0) exchange->done = true;
}

// Services `rpc` until the exchange completes or the deadline passes.
void run(rpc_context* rpc, Exchange& exchange, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exchange.done) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd fd{rpc_get_fd(rpc), static_cast<short>(rpc_which_events(rpc)), 0};
    int n = ::poll(&fd, 1, static_cast<int>(std::min<long>(left.count(), 100)));
    if (n < 0) return;
    if (rpc_service(rpc, n > 0 ? fd.revents : 0) < 0) return;
  }
}

}  // namespace

std::optional<std::vector<std::string>> nfs_list_exports(const NfsTarget& target) {
  rpc_context* rpc = rpc_init_context();
  if (!rpc) return std::nullopt;
  Exchange exchange;
  int rc = target.mount_port != 0
               ? rpc_connect_port_async(rpc, target.server.c_str(), target.mount_port, MOUNT_PROGRAM, MOUNT_V3,
                                        on_connect, &exchange)
               : rpc_connect_program_async(rpc, target.server.c_str(), MOUNT_PROGRAM, MOUNT_V3, on_connect, &exchange);
  if (rc == 0) run(rpc, exchange, std::chrono::milliseconds(target.timeout_ms));
  rpc_destroy_context(rpc);
  if (!exchange.ok) return std::nullopt;
  return exchange.exports;
}

}  // namespace kdump
