// The address a peer sees, for the dump directory's name: on loopback only
// (a UDP connect() sends nothing; numeric addresses need no name service).
#include "transport/socket_address.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kdump {
namespace {

TEST_CASE("socket address: the source address towards a loopback peer is loopback") {
  CHECK(source_address_towards("127.0.0.1") == "127.0.0.1");
  CHECK(source_address_towards("127.0.0.2") == "127.0.0.1");
  const int v6 = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (v6 >= 0) {
    ::close(v6);
    // A machine without IPv6 on lo cannot route to ::1 at all.
    const auto address = source_address_towards("::1");
    if (address) CHECK(*address == "::1");
  }
}

TEST_CASE("socket address: a socket with no address, or no socket, has none") {
  CHECK(socket_local_address(-1) == std::nullopt);
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  CHECK(socket_local_address(fds[0]) == std::nullopt);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("socket address: an IPv4-mapped IPv6 address is named as IPv4") {
  const int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;  // no IPv6 sockets here
  sockaddr_in6 peer{};
  peer.sin6_family = AF_INET6;
  peer.sin6_port = htons(9);
  peer.sin6_addr.s6_addr[10] = peer.sin6_addr.s6_addr[11] = 0xff;
  peer.sin6_addr.s6_addr[12] = 127;
  peer.sin6_addr.s6_addr[15] = 1;
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer) == 0);
  CHECK(socket_local_address(fd) == "127.0.0.1");
  ::close(fd);
}

}  // namespace
}  // namespace kdump
