#!/usr/bin/env bash
# A distro tool can link libkdumpcfg: install the library alone into a
# temporary prefix, then build a consumer through find_package(kdumpcfg) and
# through pkg-config, and run both.
set -euo pipefail
src=${KDUMP_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A plain build of the library only: the test suite's own build may carry
# sanitizer flags a consumer would not link with.
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$work/prefix" > /dev/null
cmake --build "$work/build" --target kdumpcfg > /dev/null
cmake --install "$work/build" --component kdumpcfg > /dev/null

mkdir -p "$work/consumer"
cat > "$work/consumer/main.cc" <<'CC'
#include <kdumpcfg/config.h>
#include <kdumpcfg/crashkernel.h>
#include <cstdio>
#include <variant>
int main() {
  auto parsed = kdump::cfg::parse_config("path /srv/crash\n", "consumer.conf");
  auto reserved = kdump::cfg::evaluate_crashkernel("crashkernel=256M", 4ull << 30);
  const auto* r = std::get_if<kdump::cfg::CrashkernelReservation>(&reserved);
  std::printf("%s %llu\n", parsed.config.path.c_str(), r ? static_cast<unsigned long long>(r->size) : 0ull);
  return parsed.ok() && r ? 0 : 1;
}
CC
cat > "$work/consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(consumer CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(kdumpcfg REQUIRED)
add_executable(consumer main.cc)
target_link_libraries(consumer PRIVATE kdumpcfg::kdumpcfg)
CM
cmake -S "$work/consumer" -B "$work/consumer/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/consumer/build" > /dev/null
out=$(LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib/x86_64-linux-gnu" "$work/consumer/build/consumer")
[[ $out == "/srv/crash 268435456" ]] || { echo "find_package consumer printed '$out'"; exit 1; }

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
g++ -std=c++20 "$work/consumer/main.cc" -o "$work/consumer/pc" $(pkg-config --cflags --libs kdumpcfg)
out=$(LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib/x86_64-linux-gnu" "$work/consumer/pc")
[[ $out == "/srv/crash 268435456" ]] || { echo "pkg-config consumer printed '$out'"; exit 1; }
echo "library installs and links through find_package and pkg-config"
