#pragma once
// Sequential byte streams: stdout for the flattened format, stdin for the
// rearranger. Interfaces so that tests run on memory and a transport (ssh)
// can supply its own.

#include <cstddef>
#include <span>
#include <string>

namespace kdump {

/// Bytes written in order.
class OutputStream {
 public:
  virtual ~OutputStream() = default;
  /// Writes all of `bytes`; throws std::system_error on failure.
  virtual void write(std::span<const std::byte> bytes) = 0;
  /// Pushes buffered bytes out (and, for files, to stable storage where that applies).
  virtual void flush() = 0;
  virtual std::string name() const = 0;
};

/// Bytes read in order.
class InputStream {
 public:
  virtual ~InputStream() = default;
  /// Reads up to out.size() bytes; returns 0 only at the end of the stream;
  /// throws std::system_error on a read error.
  virtual std::size_t read(std::span<std::byte> out) = 0;
  virtual std::string name() const = 0;
};

}  // namespace kdump
