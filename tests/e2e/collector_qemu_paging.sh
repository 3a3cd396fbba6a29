#!/usr/bin/env bash
# A real QEMU `dump-guest-memory` with paging: true (tens of thousands of
# program headers, past 65,535 through ELF extended numbering, section headers
# first, no VMCOREINFO): boots the crash lab's cached Debian kernel without an
# initramfs until it panics, dumps it, then checks that `info` reads it and
# that every virtual address QEMU wrote into a PT_LOAD translates, through
# the engine, to the same bytes as its physical address. Skips without QEMU
# or a cached lab kernel.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
probe=${KDUMP_BUILD_DIR:?}/tests/vmcore_probe
cache=${KDUMP_LAB_CACHE:-$HOME/.cache/kdump-toolkit/lab}
# The lab fixture's kernel ($KDUMP_LAB_DIR, set by CTest), else any cached one.
kernel=${KDUMP_LAB_DIR:+$KDUMP_LAB_DIR/kernel/vmlinuz}
[[ -n $kernel && -f $kernel ]] || kernel=$(ls "$cache"/kernels/*/boot/vmlinuz-* 2>/dev/null | head -n 1)
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
[[ -n $kernel ]] || { echo "SKIP: no cached lab kernel under $cache/kernels (run tests/lab/crash-lab)"; exit 77; }
[[ -x $probe ]] || { echo "FAIL: $probe not built"; exit 1; }

tmp=$(mktemp -d)
qemu_pid=
cleanup() {
  [[ -n $qemu_pid ]] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

qemu-system-x86_64 -accel tcg -m 256 -smp 1 -display none -nodefaults -no-reboot \
  -kernel "$kernel" -append "console=ttyS0 panic=0" -serial "file:$tmp/console.log" \
  -qmp "unix:$tmp/qmp.sock,server=on,wait=off" >"$tmp/qemu.log" 2>&1 &
qemu_pid=$!

python3 - "$tmp" <<'PY' || { echo "FAIL: could not dump the guest: $(tail -n 3 "$tmp/console.log" "$tmp/qemu.log")"; exit 1; }
import json, os, socket, sys, time
tmp = sys.argv[1]
deadline = time.time() + 300
while "end Kernel panic" not in (open(f"{tmp}/console.log", errors="replace").read() if os.path.exists(f"{tmp}/console.log") else ""):
    if time.time() > deadline:
        sys.exit("no panic within 300 s")
    time.sleep(0.5)
s = socket.socket(socket.AF_UNIX)
s.connect(f"{tmp}/qmp.sock")
f = s.makefile("rw")
def call(cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n"); f.flush()
    while True:
        reply = json.loads(f.readline())
        if "return" in reply: return reply
        if "error" in reply: sys.exit(f"{cmd}: {reply['error']}")
json.loads(f.readline())  # greeting
call("qmp_capabilities")
call("dump-guest-memory", paging=True, protocol=f"file:{tmp}/dump.elf")
call("quit")
PY
wait "$qemu_pid" 2>/dev/null
qemu_pid=

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
"$collector" info "$tmp/dump.elf" >"$tmp/info" 2>"$tmp/err" || fail "info: $(cat "$tmp/err")"
for want in "section headers before program headers (QEMU layout)" "VMCOREINFO: *absent" \
  "page table: *0x[0-9a-f]* (from CR3 of the saved CPU state)"; do
  grep -q -- "$want" "$tmp/info" || fail "info lacks '$want'"
done
phdrs=$(sed -n 's/^  \([0-9]*\) program headers.*/\1/p' "$tmp/info")
if ((${phdrs:-0} >= 65535)); then
  grep -q "extended program header numbering (e_phnum = PN_XNUM)" "$tmp/info" || fail "info lacks extended numbering"
else
  echo "note: only ${phdrs:-0} program headers (extended numbering was not needed)"
fi
"$probe" check-vaddrs "$tmp/dump.elf" || fail "virtual addresses do not translate to QEMU's physical ones"
((failures)) && { cat "$tmp/info"; exit 1; }
echo "OK ($phdrs program headers)"
