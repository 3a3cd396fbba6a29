#pragma once
// The few OpenSSH client settings the ssh transport honours, read from an
// ssh_config(5) file by our own small parser (libssh's config processing is
// turned off so that the collector does exactly what this file says).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdump {

/// What an ssh_config file says for one host (first value wins, as in OpenSSH).
struct SshConfigValues {
  std::optional<std::string> hostname;          ///< HostName
  std::optional<std::string> user;              ///< User
  std::optional<int> port;                      ///< Port
  std::optional<std::string> identity_file;     ///< the first IdentityFile, "~/" expanded
  std::optional<std::string> known_hosts_file;  ///< the first UserKnownHostsFile, "~/" expanded
  std::optional<std::string> strict_host_key_checking;  ///< StrictHostKeyChecking, as written
  std::vector<std::string> errors;              ///< "FILE:LINE: message" for values that are unusable
};

/// True if `host` matches a Host line's pattern list ("*", "?", "!" negation).
bool ssh_host_matches(std::string_view patterns, std::string_view host);

/// Reads the settings that apply to `host` from ssh_config text. `file_name` is
/// for messages; `home` expands a leading "~/". Match blocks are skipped and
/// Include is ignored (neither is supported); other keywords are ignored.
SshConfigValues resolve_ssh_config(std::string_view text, std::string_view host, std::string_view file_name,
                                   std::string_view home);

}  // namespace kdump
