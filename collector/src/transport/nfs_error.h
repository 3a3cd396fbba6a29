#pragma once
// One error type for everything that goes wrong talking to an NFS server. It
// is a std::system_error (so ByteSink callers need not know about NFS) whose
// message names the target ("server:/export"), what was being done, a short
// cause a user can act on ("export not found", "server not reachable",
// "permission denied", "no space") and libnfs's own text for the details.

#include <string>
#include <system_error>

namespace kdump {

/// A failed NFS operation; code() is the errno libnfs reported.
class NfsError : public std::system_error {
 public:
  /// `target` "server:/export", `action` "cannot create /d/vmcore", `cause` short reason, `detail` libnfs text.
  NfsError(int error, std::string target, std::string action, std::string cause, std::string detail);
  /// "<target>: <action>: <cause>" followed by " (<detail>)" when libnfs said more.
  const char* what() const noexcept override { return message_.c_str(); }
  /// "<target>: <action>: <cause>" without libnfs's text, stable enough to compare whole.
  const std::string& summary() const { return summary_; }
  /// The short cause ("server not reachable", ...).
  const std::string& cause() const { return cause_; }
  /// libnfs's own error text, possibly empty.
  const std::string& detail() const { return detail_; }

 private:
  std::string cause_;
  std::string detail_;
  std::string summary_;
  std::string message_;
};

/// The short cause for an errno from libnfs (a negative value is accepted too).
std::string nfs_cause(int error);

}  // namespace kdump
