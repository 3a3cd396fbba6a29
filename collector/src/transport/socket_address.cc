#include "transport/socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kdump {

std::optional<std::string> socket_local_address(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  const char* done = nullptr;
  if (address.ss_family == AF_INET) {
    done = ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof text);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    // An IPv4 peer reached through an IPv6 socket: named as IPv4, as the peer sees it.
    done = IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) ? ::inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], text, sizeof text)
                                                : ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
  }
  if (!done) return std::nullopt;
  return std::string(text);
}

std::optional<std::string> source_address_towards(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), "2049", &hints, &found) != 0) return std::nullopt;
  std::optional<std::string> address;
  for (const addrinfo* a = found; a && !address; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) address = socket_local_address(fd);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return address;
}

}  // namespace kdump
