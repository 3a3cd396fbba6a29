#!/usr/bin/env bash
# `crash` opens the dumps we write: from the crash lab's vmcore
# ($KDUMP_LAB_DIR) kdump-collector writes kdump-compressed dumps at -d 31
# (lzo, zlib, snappy, zstd, none) and an ELF dump (-E -d 31); `crash -s
# VMLINUX DUMP` runs `sys` and `log` on each, and the log must hold every
# line of the lab's markers.txt and the panic, `sys` must name the lab's
# kernel release, and crash must print no fatal "crash: ..." error.
#
# crash needs the kernel's debug vmlinux (DWARF), which Debian ships in
# linux-image-*-dbg (860 MB download, 5.6 GB installed): the test uses
# $KDUMP_DEBUG_VMLINUX, else the one tests/lab/fetch-debug-vmlinux keeps in
# the lab cache, else /usr/lib/debug/boot/vmlinux-RELEASE, and skips (77)
# when there is none. `tests/lab/fetch-debug-vmlinux --lab DIR` fetches it.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
lab=${KDUMP_LAB_DIR:-${KDUMP_BUILD_DIR:?}/lab}
here=$(cd "$(dirname "$0")" && pwd)
[[ -f $lab/vmcore && -f $lab/lab.env ]] || { echo "SKIP: no crash-lab vmcore in $lab"; exit 77; }
command -v crash >/dev/null || { echo "SKIP: no crash (apt-get install crash)"; exit 77; }
release=$(sed -n 's/^LAB_KERNEL_RELEASE=//p' "$lab/lab.env")
vmlinux=${KDUMP_DEBUG_VMLINUX:-}
[[ -n $vmlinux ]] || vmlinux=$("$here/../lab/fetch-debug-vmlinux" --cached-only --lab "$lab" 2>/dev/null)
[[ -n $vmlinux ]] || vmlinux=/usr/lib/debug/boot/vmlinux-$release
if [[ ! -f $vmlinux ]]; then
  echo "SKIP: no debug vmlinux for $release: set KDUMP_DEBUG_VMLINUX, or run" \
    "tests/lab/fetch-debug-vmlinux --lab $lab (860 MB download, keeps only the vmlinux)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
echo "crash $(crash --version | sed -n 's/^crash //p' | head -1), vmlinux $vmlinux"

# Debian's crash 8.0.2 is linked with lzo, snappy and zstd (ldd /usr/bin/crash);
# a codec it cannot decompress would fail its `log` below, not be skipped.
for args in "-l -d 31" "-c -d 31" "-p -d 31" "-z -d 31" "-d 31" "-E -d 31"; do
  name=dump$(echo "$args" | tr -d ' ')
  # shellcheck disable=SC2086  # $args is several options
  if ! "$collector" $args --message-level 1 "$lab/vmcore" "$work/$name" 2>"$work/$name.err"; then
    fail "kdump-collector $args: $(cat "$work/$name.err")"
    continue
  fi
  printf 'sys\nlog\nquit\n' >"$work/cmds"
  timeout 300 crash -s "$vmlinux" "$work/$name" <"$work/cmds" >"$work/$name.crash" 2>&1
  rc=$?
  problems=$failures
  ((rc == 0)) || fail "crash on our $args dump exited $rc"
  if grep -q '^crash: ' "$work/$name.crash"; then
    fail "crash on our $args dump: $(grep '^crash: ' "$work/$name.crash" | head -3)"
  fi
  grep -q "RELEASE: $release\$" "$work/$name.crash" || fail "crash's sys on our $args dump names no RELEASE $release"
  while IFS= read -r marker; do
    grep -q -F -- "$marker" "$work/$name.crash" || fail "crash's log of our $args dump lacks '$marker'"
  done <"$lab/markers.txt"
  grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$work/$name.crash" ||
    fail "crash's log of our $args dump lacks the panic"
  if ((failures == problems)); then
    echo "ok: crash reads our $args dump ($(stat -c %s "$work/$name") bytes):" \
      "$(grep -m1 'PANIC:' "$work/$name.crash" | sed 's/^ *//')"
  else
    sed 's/^/  | /' "$work/$name.crash" | head -40
  fi
done

((failures == 0)) || { echo "$failures check(s) failed"; exit 1; }
echo "PASS"
