#!/usr/bin/env bash
# `kdump-collector capture` to a local file system that is not mounted, and
# to one that is too small, on the crash lab's vmcore with --simulate-actions:
#  1. `ext4 LABEL=...` (then `UUID=...`) on a loop device nobody mounted: the
#     collector finds it through libblkid, mounts it on a new directory under
#     --mount-base, saves vmcore-dmesg.txt and the dump under
#     <path>/127.0.0.1-<date>/, and unmounts it again; mounted afterwards by
#     hand, the files are there (modes, the log byte for byte, a dump
#     makedumpfile reads), and the final action is printed.
#  2. a tmpfs of 8 MiB as the dump path's file system: the dump fails part way
#     with ENOSPC, is not retried, vmcore-incomplete and vmcore-dmesg.txt stay,
#     the log says what happened and the failure action is printed.
#
# Needs root, mount(2) and loop devices. Lab output: $KDUMP_LAB_DIR, else
# $KDUMP_BUILD_DIR/lab (CTest fixture `lab`). Exit 77 without them.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
lab=${KDUMP_LAB_DIR:-${KDUMP_BUILD_DIR:-}/lab}
[[ -f $lab/vmcore && -f $lab/ref/vmcore-dmesg.txt ]] || { echo "SKIP: no crash lab at $lab"; exit 77; }
((EUID == 0)) || { echo "SKIP: needs root (mount, loop devices)"; exit 77; }
command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null || { echo "SKIP: needs losetup and mkfs.ext4"; exit 77; }

tmp=$(mktemp -d)
loop=
cleanup() {
  local m
  # Anything still mounted below $tmp (a failed check), innermost first.
  for m in $(awk -v t="$tmp" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
  [[ -n $loop ]] && losetup -d "$loop"
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/probe"
mount -t tmpfs -o size=64k tmpfs "$tmp/probe" 2>/dev/null || { echo "SKIP: mount(2) is forbidden here"; exit 77; }
umount "$tmp/probe"
loop=$(losetup -f --show "$(truncate -s 512M "$tmp/ext4.img" && echo "$tmp/ext4.img")" 2>/dev/null) ||
  { loop=; echo "SKIP: no free loop device"; exit 77; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { [[ $2 == "$3" ]] || fail "$1: expected [$2], got [$3]"; }
mounts_below() { awk -v t="$1" 'index($5, t) == 1' /proc/self/mountinfo | wc -l; }

# capture NAME CONF [options]: the actions in $tmp/NAME.out, the log in $tmp/NAME.log, the status in $rc.
mkdir -p "$tmp/no-hooks"
capture() {
  local name=$1 conf=$2
  shift 2
  "$collector" capture --config "$conf" --vmcore "$lab/vmcore" --simulate-actions --hooks-dir "$tmp/no-hooks" \
    --retry-delay 0 --mount-base "$tmp/run" "$@" >"$tmp/$name.out" 2>"$tmp/$name.log"
  rc=$?
}
only_dir() { local d=("$1"/127.0.0.1-*); [[ -d ${d[0]} ]] && echo "${d[0]}"; }

# 1. ext4 by LABEL= and by UUID=, not mounted.
label=kdcap$$
label=${label:0:16}
mkfs.ext4 -q -F -L "$label" "$loop" || { echo "mkfs.ext4 failed"; exit 1; }
uuid=$(blkid -p -s UUID -o value "$loop")
[[ -z $(findmnt -n -S "$loop") ]] || { echo "$loop is mounted already"; exit 1; }
for spec in "LABEL=$label" "UUID=$uuid"; do
  name=${spec%%=*}
  cat >"$tmp/$name.conf" <<CONF
ext4 $spec
path /var/crash/$name
core_collector makedumpfile -l --message-level 7 -d 31
failure_action halt
final_action poweroff
CONF
  capture "$name" "$tmp/$name.conf"
  expect "$spec: status" 0 "$rc"
  expect "$spec: actions" "action: poweroff" "$(cat "$tmp/$name.out")"
  grep -Eq "saving to fs $spec in /var/crash/$name/127\.0\.0\.1-[0-9-]+:[0-9:]+$" "$tmp/$name.log" ||
    fail "$spec: the log does not name the target: $(cat "$tmp/$name.log")"
  expect "$spec: mounts left under --mount-base" 0 "$(mounts_below "$tmp/run")"
  expect "$spec: mount points left" "" "$(ls "$tmp/run" 2>/dev/null)"
  expect "$spec: --mount-base mode" 700 "$(stat -c %a "$tmp/run")"
  [[ -z $(findmnt -n -S "$loop") ]] || fail "$spec: $loop is still mounted"
done

# What is on the file system, mounted by hand.
mkdir "$tmp/check"
mount -o ro "$loop" "$tmp/check" || { echo "cannot mount $loop to look"; exit 1; }
for name in LABEL UUID; do
  dir=$(only_dir "$tmp/check/var/crash/$name")
  if [[ -z $dir ]]; then
    fail "$name: no dump directory (log: $(cat "$tmp/$name.log"))"
    continue
  fi
  expect "$name: files" "vmcore vmcore-dmesg.txt" "$(ls "$dir" | tr '\n' ' ' | sed 's/ $//')"
  expect "$name: directory mode" 700 "$(stat -c %a "$dir")"
  expect "$name: vmcore mode" 600 "$(stat -c %a "$dir/vmcore")"
  expect "$name: vmcore-dmesg.txt mode" 600 "$(stat -c %a "$dir/vmcore-dmesg.txt")"
  cmp -s "$lab/ref/vmcore-dmesg.txt" "$dir/vmcore-dmesg.txt" || fail "$name: vmcore-dmesg.txt differs from vmcore-dmesg's"
  if command -v makedumpfile >/dev/null && [[ -f $lab/ref/makedumpfile-dmesg.txt ]]; then
    timeout 120 makedumpfile --dump-dmesg "$dir/vmcore" "$tmp/$name-md-dmesg.txt" >/dev/null 2>&1 ||
      fail "$name: makedumpfile cannot read the dump"
    cmp -s "$lab/ref/makedumpfile-dmesg.txt" "$tmp/$name-md-dmesg.txt" || fail "$name: makedumpfile's log of the dump differs"
  fi
done
umount "$tmp/check"

# 2. A tmpfs too small for the dump (about 23 MiB at -l -d 31): ENOSPC part way.
mkdir "$tmp/small"
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$tmp/small" || { echo "cannot mount a tmpfs"; exit 1; }
cat >"$tmp/small.conf" <<CONF
path $tmp/small/crash
core_collector makedumpfile -l --message-level 7 -d 31
failure_action halt
final_action poweroff
CONF
capture small "$tmp/small.conf" --attempts 3
expect "full tmpfs: status" 1 "$rc"
expect "full tmpfs: actions" "action: halt" "$(cat "$tmp/small.out")"
dir=$(only_dir "$tmp/small/crash")
if [[ -z $dir ]]; then
  fail "full tmpfs: no dump directory (log: $(cat "$tmp/small.log"))"
else
  grep -q "saving to fs tmpfs in /crash/${dir##*/}\$" "$tmp/small.log" || fail "full tmpfs: the log does not name the target"
  grep -q "saving to fs tmpfs failed: cannot write to $dir/vmcore-incomplete: No space left on device" "$tmp/small.log" ||
    fail "full tmpfs: the log does not say what happened: $(cat "$tmp/small.log")"
  expect "full tmpfs: attempts (no space is not retried)" 1 "$(grep -c "saving to .* failed" "$tmp/small.log")"
  expect "full tmpfs: files" "vmcore-dmesg.txt vmcore-incomplete" "$(ls "$dir" | tr '\n' ' ' | sed 's/ $//')"
  cmp -s "$lab/ref/vmcore-dmesg.txt" "$dir/vmcore-dmesg.txt" || fail "full tmpfs: vmcore-dmesg.txt did not survive"
  (($(stat -c %s "$dir/vmcore-incomplete") > 4 << 20)) || fail "full tmpfs: vmcore-incomplete is small: $(stat -c %s "$dir/vmcore-incomplete")"
fi

((failures == 0)) || { echo "$failures check(s) failed"; exit 1; }
echo "OK: capture to an unmounted ext4 (by LABEL= and UUID=) and to a full tmpfs"
