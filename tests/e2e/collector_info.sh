#!/usr/bin/env bash
# kdump-collector's vmcore commands from the outside: clear errors and exit
# codes on bad input always; on the crash lab's real dumps (when the lab has
# run: $KDUMP_LAB_DIR, else $KDUMP_BUILD_DIR/lab, else the newest result in the
# lab's cache) `info` on every dump form,
# and the kernel log compared byte for byte with vmcore-dmesg's and
# makedumpfile's own output.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect RC STDERR-SUBSTRING -- ARGS...
expect() {
  local want_rc=$1 want_err=$2
  shift 3
  "$collector" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [[ $rc == "$want_rc" ]] || fail "$* exited $rc, expected $want_rc: $(cat "$tmp/err")"
  grep -qF -- "$want_err" "$tmp/err" || fail "$*: stderr lacks '$want_err': $(cat "$tmp/err")"
}

printf 'not a dump at all' >"$tmp/text"
: >"$tmp/empty"
head -c 100 /dev/zero >"$tmp/zeros"
printf 'KDUMP   ' >"$tmp/kdump-stub"
expect 1 "kdump-collector: error: $tmp/text: not a crash dump" -- info "$tmp/text"
expect 1 "kdump-collector: error: $tmp/empty: empty or unreadable" -- info "$tmp/empty"
expect 1 "kdump-collector: error: $tmp/zeros: not a crash dump" -- --vmcore-dmesg "$tmp/zeros"
expect 1 "kdump-collector: error: $tmp/kdump-stub: kdump-compressed header is unreadable" -- info "$tmp/kdump-stub"
expect 1 "kdump-collector: error: cannot open $tmp/missing" -- info "$tmp/missing"
expect 2 "kdump-collector: error: info needs a VMCORE" -- info
expect 2 "kdump-collector: error: --dump-dmesg needs VMCORE and LOGFILE" -- --dump-dmesg "$tmp/text"
expect 2 "cannot be combined" -- --dump-dmesg --vmcore-dmesg "$tmp/text"
expect 2 "kdump-collector: error: needs VMCORE and DUMPFILE" --

lab=${KDUMP_LAB_DIR:-${KDUMP_BUILD_DIR:-}/lab}
if [[ -z ${KDUMP_LAB_DIR:-} && ! -f $lab/vmcore ]]; then  # else the newest cached lab result
  for d in $(ls -td "${KDUMP_LAB_CACHE:-$HOME/.cache/kdump-toolkit/lab}"/results/*/ 2>/dev/null); do
    if [[ -f $d/vmcore && -d $d/ref ]]; then lab=${d%/}; break; fi
  done
fi
if [[ ! -f $lab/vmcore ]]; then
  ((failures)) && exit 1
  echo "SKIP: no crash lab output in '$lab' or the lab cache (run the lab.crash test or tests/lab/crash-lab --out DIR)"
  exit 77
fi
ref=$lab/ref

# info on every form of the real dumps: it must name the kernel and find VMCOREINFO.
release=$(grep -aom1 'OSRELEASE=[^[:space:]]*' "$lab/vmcore" | cut -d= -f2)
for dump in "$lab/vmcore" "$lab/qemu-dump.elf" "$lab/qemu-dump.kdump-zlib" "$ref"/dumpfile-d31-*; do
  [[ -f $dump && $dump != *.log ]] || continue
  if ! "$collector" info "$dump" >"$tmp/info" 2>"$tmp/err"; then
    fail "info $dump: $(cat "$tmp/err")"
    continue
  fi
  grep -q "^kernel release: *$release\$" "$tmp/info" || fail "info $dump: kernel release is not $release"
  "$collector" info --json "$dump" >"$tmp/info.json" || fail "info --json $dump"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["kernel_release"]==sys.argv[2], d' \
    "$tmp/info.json" "$release" || fail "info --json $dump: not JSON or wrong release"
done
grep -q '^VMCOREINFO: *present' <("$collector" info "$lab/vmcore") || fail "info vmcore: VMCOREINFO not found"

# The kernel log, byte for byte against the reference tools.
compare() {  # NAME EXPECTED ACTUAL
  if [[ -f $2 ]]; then
    cmp -s "$2" "$3" || fail "$1 differs from $2: $(diff "$2" "$3" | head -5)"
  fi
}
"$collector" --vmcore-dmesg "$lab/vmcore" >"$tmp/vmcore-dmesg.txt" 2>"$tmp/err" || fail "--vmcore-dmesg: $(cat "$tmp/err")"
compare "--vmcore-dmesg vmcore" "$ref/vmcore-dmesg.txt" "$tmp/vmcore-dmesg.txt"
"$collector" --dump-dmesg "$lab/vmcore" "$tmp/mdf-dmesg.txt" >/dev/null 2>"$tmp/err" || fail "--dump-dmesg: $(cat "$tmp/err")"
compare "--dump-dmesg vmcore" "$ref/makedumpfile-dmesg.txt" "$tmp/mdf-dmesg.txt"
for d in "$ref"/dumpfile-d31-*; do
  [[ -f $d && $d != *.log ]] || continue
  "$collector" --dump-dmesg "$d" "$tmp/d31.txt" >/dev/null 2>"$tmp/err" || fail "--dump-dmesg $d: $(cat "$tmp/err")"
  compare "--dump-dmesg $(basename "$d")" "$ref/makedumpfile-dmesg.txt" "$tmp/d31.txt"
done
# QEMU's dumps of the panicked guest: makedumpfile reads only a copy of the ELF
# with its program headers moved first; the reference comes from that copy.
for d in "$lab/qemu-dump.elf" "$lab/qemu-dump.kdump-zlib"; do
  [[ -f $d ]] || continue
  "$collector" --dump-dmesg "$d" "$tmp/qemu.txt" >/dev/null 2>"$tmp/err" ||
    fail "--dump-dmesg $(basename "$d"): $(cat "$tmp/err")"
  compare "--dump-dmesg $(basename "$d")" "$ref/qemu-dump-makedumpfile-dmesg.txt" "$tmp/qemu.txt"
done

# A truncated vmcore: still prints what it can, names what it skipped, never crashes.
size=$(stat -L -c %s "$lab/vmcore")
head -c $((size / 2)) "$lab/vmcore" >"$tmp/half"
"$collector" info "$tmp/half" >"$tmp/info" 2>"$tmp/err"
rc=$?
[[ $rc == 0 ]] || fail "info on a truncated vmcore exited $rc: $(cat "$tmp/err")"
grep -q 'past the end of the file' "$tmp/info" || fail "info on a truncated vmcore does not report the truncation"

((failures)) && exit 1
echo "OK ($lab)"
