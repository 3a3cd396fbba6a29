#!/usr/bin/env bash
# `kdump-collector capture` rehearsed on the crash lab's vmcore with a local
# directory as the target (already mounted: used where it is), with
# --simulate-actions: what lands (names, modes, vmcore-dmesg.txt identical to
# kexec-tools' vmcore-dmesg, a dump makedumpfile reads), the hooks (pre.d
# failing reboots, a hanging hook is killed, post.d gets the status), the
# actions (final_action on success; failure_action, kdump_emergency,
# dump_to_rootfs on failure), a symlink planted in the dump path, and a
# core_collector that is another program (cp).
#
# Lab output: $KDUMP_LAB_DIR, else $KDUMP_BUILD_DIR/lab (CTest fixture `lab`). Exit 77 without it.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
lab=${KDUMP_LAB_DIR:-${KDUMP_BUILD_DIR:-}/lab}
[[ -f $lab/vmcore && -f $lab/ref/vmcore-dmesg.txt ]] || { echo "SKIP: no crash lab at $lab"; exit 77; }
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { [[ $2 == "$3" ]] || fail "$1: expected [$2], got [$3]"; }

# capture NAME CONF [options]: runs the capture; its stdout (the actions) in
# $tmp/NAME.out, its log in $tmp/NAME.log, its status in $rc.
capture() {
  local name=$1 conf=$2
  shift 2
  "$collector" capture --config "$conf" --vmcore "$lab/vmcore" --simulate-actions --retry-delay 0 "$@" \
    >"$tmp/$name.out" 2>"$tmp/$name.log"
  rc=$?
}
only_dir() { local d=("$1"/127.0.0.1-*); [[ -d ${d[0]} ]] && echo "${d[0]}"; }

hooks=$tmp/hooks
mkdir -p "$hooks/pre.d" "$hooks/post.d"
printf '#!/bin/sh\necho "$@" >> %q\n' "$tmp/post-status" >"$hooks/post.d/50-record"
chmod +x "$hooks/post.d/50-record"

# 1. A whole capture: final_action printed, files and modes, the log, the dump.
cat >"$tmp/ok.conf" <<CONF
path $tmp/crash
core_collector makedumpfile -l --message-level 7 -d 31
final_action poweroff
CONF
capture ok "$tmp/ok.conf" --hooks-dir "$hooks"
expect "whole capture: status" 0 "$rc"
expect "whole capture: actions" "action: poweroff" "$(cat "$tmp/ok.out")"
dir=$(only_dir "$tmp/crash")
if [[ -z $dir ]]; then
  fail "whole capture: no dump directory (log: $(cat "$tmp/ok.log"))"
else
  [[ $(basename "$dir") =~ ^127\.0\.0\.1-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] ||
    fail "directory name $(basename "$dir") is not 127.0.0.1-%Y-%m-%d-%H:%M:%S"
  expect "directory mode" 700 "$(stat -c %a "$dir")"
  expect "files" "vmcore vmcore-dmesg.txt" "$(ls "$dir" | tr '\n' ' ' | sed 's/ $//')"
  expect "vmcore mode" 600 "$(stat -c %a "$dir/vmcore")"
  expect "vmcore-dmesg.txt mode" 600 "$(stat -c %a "$dir/vmcore-dmesg.txt")"
  cmp -s "$lab/ref/vmcore-dmesg.txt" "$dir/vmcore-dmesg.txt" || fail "vmcore-dmesg.txt differs from vmcore-dmesg's"
  if command -v makedumpfile >/dev/null; then
    makedumpfile --dump-dmesg "$dir/vmcore" "$tmp/ok-dmesg.txt" >/dev/null 2>&1 || fail "makedumpfile cannot read the saved vmcore"
    cmp -s "$lab/ref/makedumpfile-dmesg.txt" "$tmp/ok-dmesg.txt" || fail "makedumpfile's log of the saved vmcore differs"
  fi
  grep -q "saved vmcore-dmesg.txt and vmcore" "$tmp/ok.log" || fail "the log does not say what was saved"
fi
expect "post.d status after success" 0 "$(cat "$tmp/post-status")"

# 2. A pre hook that fails: reboot, nothing written.
printf '#!/bin/sh\nexit 3\n' >"$hooks/pre.d/10-fail"
chmod +x "$hooks/pre.d/10-fail"
capture prefail "$tmp/ok.conf" --hooks-dir "$hooks"
expect "failing pre hook: status" 1 "$rc"
expect "failing pre hook: action" "action: reboot" "$(cat "$tmp/prefail.out")"
grep -q "10-fail exited with status 3" "$tmp/prefail.log" || fail "the log does not name the failing hook: $(cat "$tmp/prefail.log")"
expect "failing pre hook: dumps" 1 "$(ls "$tmp/crash" | wc -l)"
rm "$hooks/pre.d/10-fail"

# 3. A pre hook that hangs is killed after --hook-timeout, with what it started.
printf '#!/bin/sh\nsleep 600 &\nsleep 600\n' >"$hooks/pre.d/20-hang"
chmod +x "$hooks/pre.d/20-hang"
start=$SECONDS
capture hang "$tmp/ok.conf" --hooks-dir "$hooks" --hook-timeout 1
((SECONDS - start < 60)) || fail "a hanging hook held the capture for $((SECONDS - start)) s"
expect "hanging pre hook: action" "action: reboot" "$(cat "$tmp/hang.out")"
grep -q "20-hang did not finish in time" "$tmp/hang.log" || fail "the log does not say the hook timed out: $(cat "$tmp/hang.log")"
pgrep -f "sleep 600" >/dev/null && { pkill -f "sleep 600"; fail "the hook's children were left running"; }
rm "$hooks/pre.d/20-hang"

# 4. Saving fails (the dump path is under a regular file): failure_action,
# then nothing else for halt; kdump_emergency runs first; post.d gets 1.
: >"$tmp/not-a-dir"
printf '#!/bin/sh\ntouch %q\n' "$tmp/emergency-ran" >"$tmp/emergency"
chmod +x "$tmp/emergency"
cat >"$tmp/fail.conf" <<CONF
path $tmp/not-a-dir/crash
core_collector makedumpfile -l -d 31
failure_action halt
kdump_emergency $tmp/emergency
CONF
: >"$tmp/post-status"
capture fail "$tmp/fail.conf" --hooks-dir "$hooks"
expect "failed save: status" 1 "$rc"
expect "failed save: actions" "action: halt" "$(cat "$tmp/fail.out")"
expect "failed save: post.d status" 1 "$(cat "$tmp/post-status")"
[[ -e $tmp/emergency-ran ]] || fail "kdump_emergency did not run"
grep -q "not-a-dir" "$tmp/fail.log" || fail "the log does not say where saving failed: $(cat "$tmp/fail.log")"
expect "failed save: attempts (not worth retrying)" 1 "$(grep -c "saving to .* failed" "$tmp/fail.log")"

# 5. failure_action shell, then final_action; dump_to_rootfs saves under the
# root file system's path, then final_action.
sed -i 's/^failure_action halt/failure_action shell/' "$tmp/fail.conf"
capture shell "$tmp/fail.conf" --hooks-dir "$hooks"
expect "failure_action shell" "action: shell"$'\n'"action: reboot" "$(cat "$tmp/shell.out")"
mkdir -p "$tmp/rootfs"
cat >"$tmp/rootfs.conf" <<CONF
nfs 127.0.0.1:/nowhere-$RANDOM
path /var/crash
core_collector makedumpfile -l -d 31
failure_action dump_to_rootfs
final_action halt
CONF
capture rootfs "$tmp/rootfs.conf" --hooks-dir "$hooks" --rootfs "$tmp/rootfs" --attempts 1 --timeout 5
expect "dump_to_rootfs: status" 1 "$rc"
expect "dump_to_rootfs: actions" "action: dump_to_rootfs"$'\n'"action: halt" "$(cat "$tmp/rootfs.out")"
rdir=$(only_dir "$tmp/rootfs/var/crash")
[[ -n $rdir && -f $rdir/vmcore && -f $rdir/vmcore-dmesg.txt ]] ||
  fail "dump_to_rootfs saved nothing under $tmp/rootfs/var/crash: $(cat "$tmp/rootfs.log")"

# 6. Symbolic links planted where the next dump directories will be (the
# names are predictable) are refused, not followed.
mkdir -p "$tmp/elsewhere" "$tmp/linked"
now=$(date +%s)
for ((t = now; t < now + 30; t++)); do
  ln -s "$tmp/elsewhere" "$tmp/linked/127.0.0.1-$(date -d "@$t" +%Y-%m-%d-%H:%M:%S)"
done
cat >"$tmp/link.conf" <<CONF
path $tmp/linked
core_collector makedumpfile -l -d 31
CONF
capture link "$tmp/link.conf" --hooks-dir "$hooks"
expect "planted symlink: status" 1 "$rc"
expect "planted symlink: nothing written through it" 0 "$(ls "$tmp/elsewhere" | wc -l)"
grep -q "exists already" "$tmp/link.log" || fail "the log does not say the name was taken: $(cat "$tmp/link.log")"

# 7. Another program as core_collector runs as kdump-utils runs it: COLLECTOR VMCORE OUTPUT.
cat >"$tmp/cp.conf" <<CONF
path $tmp/cp-crash
core_collector cp --sparse=always
CONF
capture cp "$tmp/cp.conf" --hooks-dir "$hooks"
expect "cp collector: status" 0 "$rc"
cdir=$(only_dir "$tmp/cp-crash")
[[ -n $cdir ]] && cmp -s "$lab/vmcore" "$cdir/vmcore" || fail "cp collector: the vmcore is not a copy: $(cat "$tmp/cp.log")"
[[ -n $cdir && ! -e $cdir/vmcore-incomplete ]] || fail "cp collector: vmcore-incomplete left behind"

((failures == 0)) && echo "capture flow (local): all checks passed"
exit $((failures > 0))
