#!/usr/bin/env bash
# `kdump-collector capture` to a raw target on the crash lab's vmcore with
# --simulate-actions: `raw /dev/loopN` on a loop device that holds old bytes.
#  1. The flattened dump (kdump-utils adds -F for raw) is written from the
#     device's first byte, the old bytes after it stay, no files appear; read
#     back as kdump-utils does after the reboot (`-R FILE < DEVICE`), both our
#     -R and makedumpfile -R stop at the end record and give the same dump,
#     whose log is vmcore-dmesg's; the final action is printed.
#  2. A device too small for the dump: ENOSPC, not retried, the failure action.
#  3. A device that is not there: ENOENT naming it, not retried, the failure action.
#
# Needs root and loop devices. Lab output: $KDUMP_LAB_DIR, else
# $KDUMP_BUILD_DIR/lab (CTest fixture `lab`). Exit 77 without them.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
lab=${KDUMP_LAB_DIR:-${KDUMP_BUILD_DIR:-}/lab}
[[ -f $lab/vmcore && -f $lab/ref/vmcore-dmesg.txt ]] || { echo "SKIP: no crash lab at $lab"; exit 77; }
((EUID == 0)) || { echo "SKIP: needs root (loop devices)"; exit 77; }
command -v losetup >/dev/null || { echo "SKIP: needs losetup"; exit 77; }

tmp=$(mktemp -d)
loops=()
cleanup() {
  local l
  for l in "${loops[@]}"; do losetup -d "$l"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
# attach IMAGE MIB: an image of MIB MiB of 0xa5 bytes (old contents) on a free loop device, in $loop.
attach() {
  head -c "$(($2 << 20))" /dev/zero | tr '\0' '\245' >"$1"
  loop=$(losetup -f --show "$1" 2>/dev/null) || { echo "SKIP: no free loop device"; exit 77; }
  loops+=("$loop")
}

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { [[ $2 == "$3" ]] || fail "$1: expected [$2], got [$3]"; }

mkdir -p "$tmp/no-hooks"
# capture NAME DEVICE: kdump.conf with `raw DEVICE`; the actions in $tmp/NAME.out, the log in $tmp/NAME.log, the status in $rc.
capture() {
  local name=$1
  cat >"$tmp/$name.conf" <<CONF
raw $2
core_collector makedumpfile -l --message-level 7 -d 31
failure_action halt
final_action poweroff
CONF
  "$collector" capture --config "$tmp/$name.conf" --vmcore "$lab/vmcore" --simulate-actions --hooks-dir "$tmp/no-hooks" \
    --retry-delay 0 --attempts 3 >"$tmp/$name.out" 2>"$tmp/$name.log"
  rc=$?
}

# 1. A device large enough (the dump is about 23 MiB at -l -d 31).
attach "$tmp/raw.img" 64
device=$loop
dumps_before=$(ls -d /var/crash/127.0.0.1-* 2>/dev/null | wc -l)
capture raw "$device"
expect "raw: status" 0 "$rc"
expect "raw: actions" "action: poweroff" "$(cat "$tmp/raw.out")"
grep -q "saving to raw $device\$" "$tmp/raw.log" || fail "raw: the log does not name the target: $(cat "$tmp/raw.log")"
grep -q "saved " "$tmp/raw.log" || fail "raw: the log does not say it saved: $(cat "$tmp/raw.log")"
expect "raw: the stream's start" "makedumpfile" "$(head -c 12 "$device")"
expect "raw: the device's old last MiB" 0 "$(tail -c 1048576 "$device" | tr -d '\245' | wc -c)"
expect "raw: dump directories made in /var/crash (a raw target holds no files)" "$dumps_before" \
  "$(ls -d /var/crash/127.0.0.1-* 2>/dev/null | wc -l)"

# Read back as kdump-utils does: -R with the whole device on standard input.
timeout 300 "$collector" -R "$tmp/ours" <"$device" >"$tmp/ours.log" 2>&1 || fail "-R from the device: $(cat "$tmp/ours.log")"
grep -Eq "^kdump-collector: rearranged [0-9]+ records" "$tmp/ours.log" || fail "-R: log: $(cat "$tmp/ours.log")"
"$collector" --vmcore-dmesg "$tmp/ours" >"$tmp/ours-dmesg.txt" 2>"$tmp/err" || fail "the rearranged dump is unreadable: $(cat "$tmp/err")"
cmp -s "$lab/ref/vmcore-dmesg.txt" "$tmp/ours-dmesg.txt" || fail "the log read from the rearranged dump differs from vmcore-dmesg's"
if command -v makedumpfile >/dev/null; then
  timeout 300 makedumpfile -R "$tmp/theirs" <"$device" >"$tmp/theirs.log" 2>&1 || fail "makedumpfile -R from the device: $(cat "$tmp/theirs.log")"
  cmp -s "$tmp/ours" "$tmp/theirs" || fail "our -R and makedumpfile -R differ"
  if [[ -f $lab/ref/makedumpfile-dmesg.txt ]]; then
    timeout 120 makedumpfile --dump-dmesg "$tmp/theirs" "$tmp/md-dmesg.txt" >/dev/null 2>&1 ||
      fail "makedumpfile cannot read what it rearranged"
    cmp -s "$lab/ref/makedumpfile-dmesg.txt" "$tmp/md-dmesg.txt" || fail "makedumpfile's log of the dump differs"
  fi
fi

# 2. A device too small: ENOSPC at its end, not retried.
attach "$tmp/small.img" 4
capture small "$loop"
expect "small device: status" 1 "$rc"
expect "small device: actions" "action: halt" "$(cat "$tmp/small.out")"
grep -q "saving to raw $loop failed: .*No space left on device" "$tmp/small.log" ||
  fail "small device: the log does not say what happened: $(cat "$tmp/small.log")"
expect "small device: attempts" 1 "$(grep -c "saving to .* failed" "$tmp/small.log")"

# 3. No such device: named, not retried.
capture missing /dev/kdump-no-such-disk
expect "missing device: status" 1 "$rc"
expect "missing device: actions" "action: halt" "$(cat "$tmp/missing.out")"
grep -q "raw /dev/kdump-no-such-disk: no such device (/dev/kdump-no-such-disk does not exist)" "$tmp/missing.log" ||
  fail "missing device: the log does not name it: $(cat "$tmp/missing.log")"
expect "missing device: attempts" 1 "$(grep -c "saving to .* failed" "$tmp/missing.log")"
[[ ! -e /dev/kdump-no-such-disk ]] || fail "missing device: it was created"

((failures == 0)) || { echo "$failures check(s) failed"; exit 1; }
echo "OK: capture to a raw loop device, read back with -R; a small and a missing device"
