#include "transport/nfs_sink.h"

#include <cerrno>
#include <utility>

#include "transport/nfs_error.h"

namespace kdump {
namespace {

// Refuses an existing final name before creating anything, as FileSink does.
NfsFile create_temporary(NfsClient& client, const std::string& path, const std::string& temporary) {
  if (client.lstat(path)) {
    throw NfsError(EEXIST, client.target().display(), "cannot create " + path, nfs_cause(EEXIST), "");
  }
  return client.create_new(temporary);
}

}  // namespace

NfsSink::NfsSink(NfsClient& client, std::string path)
    : client_(client),
      path_(std::move(path)),
      temporary_(path_ + "-incomplete"),
      file_(create_temporary(client_, path_, temporary_)) {}

void NfsSink::write_at(std::uint64_t offset, std::span<const std::byte> bytes) { file_.pwrite_all(offset, bytes); }

void NfsSink::finish() {
  file_.fsync();
  file_.close();
  client_.rename_no_replace(temporary_, path_);
}

std::string NfsSink::name() const { return client_.target().display() + path_; }

}  // namespace kdump
