#!/usr/bin/env bash
# The writers' memory does not grow with the machine: a kdump-compressed
# dump of a 64 GiB synthetic machine (16 Mi page frames; whole bitmaps would
# be 2 MiB each, the descriptors 384 MiB) and an ELF dump of 16 GiB must
# each peak under 64 MiB of resident memory.
set -uo pipefail
probe=${KDUMP_BUILD_DIR:?}/tests/writer_memory_probe
# In the sanitizer build, ASan keeps freed memory in a quarantine (256 MiB by
# default) to catch use after free; that is not the writers' memory, so it is
# turned off here. Shadow memory still counts, and the bound still holds.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0
[[ -x $probe ]] || { echo "FAIL: $probe not built"; exit 1; }
failures=0
check() {
  local out
  out=$("$probe" "$@") || { echo "FAIL: writer_memory_probe $*"; failures=$((failures + 1)); return; }
  echo "writer_memory_probe $*: $out"
  local rss
  rss=$(sed -n 's/.*max_rss_kib \([0-9]*\).*/\1/p' <<<"$out")
  ((rss < 65536)) || { echo "FAIL: peak RSS $rss KiB for $*"; failures=$((failures + 1)); }
}
check 64 lzo
check 16 none elf
((failures)) && exit 1
echo PASS
