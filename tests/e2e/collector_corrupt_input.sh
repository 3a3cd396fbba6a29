#!/usr/bin/env bash
# Corrupted input degrades, never crashes: kdump-collector on damaged copies
# of the crash lab's vmcore ($KDUMP_LAB_DIR), each in this test's own
# temporary directory.
#
#  truncated  the file cut in the middle of its largest PT_LOAD: the dump is
#             written and renamed to its final name, exit status 0, a warning
#             names the segment and the missing physical range, the summary
#             counts exactly the pages past the cut as unreadable (left out of
#             the dump, so readers call them excluded), the kernel log (below the cut) reads back the same,
#             and makedumpfile reads our dump as well as it reads the cut file
#  mem-map    random bytes over the struct pages of 64 MiB of memory: the
#             pages are kept as they are, with a warning that counts them
#  vmcoreinfo random bytes over the VMCOREINFO note: at -d 31 every page is
#             kept but those filled with zeros, and the warning says so
#  inflated   the largest PT_LOAD's p_memsz grown by 4 TiB (one flipped bit
#             does that): a warning names the zero-filled range, the 2^30
#             pages that adds are left out as zero pages without being read
#             (done in seconds, not hours), the segments after it still
#             count, and both tools read the same kernel log from our dump
#  no-memory  the ELF header's e_phoff damaged so no PT_LOAD is found: a clear
#             error, exit status 1, no file under the final name and no empty -incomplete one
#  bit flips  random bits flipped across the crashed kernel's part of the file
#             (notes and memory; not the ELF and program headers, which the
#             capture kernel writes), several seeds: no signal, no sanitizer
#             report, no hang; exit 0 with a dump that holds pages, or an
#             error and no final dump
# In the sanitizer build (scripts/test) every run is checked by ASan/UBSan.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
locate=${KDUMP_BUILD_DIR:?}/tests/vmcore_locate
lab=${KDUMP_LAB_DIR:-$KDUMP_BUILD_DIR/lab}
source_dir=${KDUMP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[[ -f $lab/vmcore && -f $lab/ref/makedumpfile-dmesg.txt ]] || { echo "SKIP: no crash-lab vmcore in $lab"; exit 77; }
[[ -x $locate ]] || { echo "FAIL: $locate not built"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
reference=$lab/ref/makedumpfile-dmesg.txt

# copy NAME: a private, sparse copy of the lab vmcore (the lab's files are
# hard links into its cache and must never change).
copy() { cp --sparse=always "$lab/vmcore" "$work/$1"; }

# overwrite FILE OFFSET LENGTH SEED: LENGTH random bytes (from SEED) at OFFSET.
overwrite() {
  python3 -c '
import random, sys
path, offset, length, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path, "r+b") as f:
    f.seek(offset)
    f.write(random.Random(seed).randbytes(length))' "$@"
}

# collect NAME INPUT ARGS...: runs the collector into $work/NAME.dump with a
# time limit; sets rc; fails on a signal, a hang or a sanitizer report.
collect() {
  local name=$1 input=$2
  shift 2
  timeout 300 "$collector" "$@" --message-level 31 "$input" "$work/$name.dump" >"$work/$name.err" 2>&1
  rc=$?
  if ((rc == 124)); then
    fail "$name: kdump-collector did not finish within 300 s"
  elif ((rc > 128)); then
    fail "$name: kdump-collector died of signal $((rc - 128)): $(tail -5 "$work/$name.err")"
  fi
  if grep -q -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$work/$name.err"; then
    fail "$name: sanitizer report: $(grep -m3 -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$work/$name.err")"
  fi
}

# The summary's "N unreadable" count of a run.
unreadable_of() { sed -n 's/.* \([0-9]*\) unreadable); .*/\1/p' "$work/$1.err"; }

# A complete dump under the final name, and no -incomplete left beside it.
expect_saved() {
  local name=$1
  ((rc == 0)) || fail "$name: exit status $rc, expected 0: $(grep -m3 'error' "$work/$name.err")"
  [[ -s $work/$name.dump ]] || fail "$name: no dump under the final name"
  [[ ! -e $work/$name.dump-incomplete ]] || fail "$name: $name.dump-incomplete left behind"
  "$collector" info "$work/$name.dump" >"$work/$name.info" 2>&1 || fail "$name: our info cannot read the dump"
}

# --- truncated: cut in the middle of the largest PT_LOAD ---------------------
copy cut
read -r cut cut_paddr expected log_below <<<"$(python3 - "$lab/vmcore" "$source_dir/tests/lab" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
import elf_tool
core = elf_tool.Core(sys.argv[1])
page = 4096
# (type, flags, offset, vaddr, paddr, filesz, memsz, align)
loads = [p for p in core.phdrs if p[0] == elf_tool.PT_LOAD]
big = max(loads, key=lambda p: p[5])
cut = big[2] + big[5] // 2 // page * page
# A pfn is unreadable when no segment holding it has its bytes before the cut.
readable, present = set(), set()
for _, _, off, _, pa, filesz, memsz, _ in loads:
    for pfn in range((pa + page - 1) // page, (pa + memsz) // page):
        present.add(pfn)
        if off + (pfn * page - pa) + page <= cut:
            readable.add(pfn)
# The kernel log lives in the kernel image: the PT_LOAD with a text address.
text = [p for p in loads if p[3] >= 0xffffffff80000000]
log_below = int(bool(text) and text[0][2] + text[0][5] <= cut)
print(cut, hex(big[4] + (cut - big[2])), len(present - readable), log_below)
EOF
)"
truncate -s "$cut" "$work/cut"
collect truncated "$work/cut" -l -d 31
expect_saved truncated
grep -q "warning: vmcore: program header .*past the end of the file.*physical $cut_paddr-" "$work/truncated.err" ||
  fail "truncated: no warning naming the missing range from $cut_paddr: $(grep -m3 warning "$work/truncated.err")"
got=$(unreadable_of truncated)
[[ $got == "$expected" ]] || fail "truncated: $got pages counted unreadable, expected $expected"
grep -q "pages could not be read" "$work/truncated.err" || fail "truncated: no warning about the unreadable pages"
# They are left out of the dump (readers say "excluded"), not stored as zeros:
# the dump's 2nd bitmap holds exactly the written and the zero pages.
read -r written zero <<<"$(sed -n 's/.*: \([0-9]*\) of [0-9]* pages written ([0-9]* excluded by level, \([0-9]*\) zero.*/\1 \2/p' "$work/truncated.err")"
grep -q "dump level 31, $((written + zero)) of [0-9]* pages dumped" "$work/truncated.info" ||
  fail "truncated: the dump's bitmap does not hold exactly the $written written and $zero zero pages: $(grep 'pages dumped' "$work/truncated.info")"
if ((log_below)); then
  "$collector" --dump-dmesg "$work/truncated.dump" "$work/truncated.dmesg" >/dev/null 2>&1
  cmp -s "$work/truncated.dmesg" "$reference" || fail "truncated: the kernel log of our dump differs from the vmcore's"
fi
# makedumpfile reads our dump exactly as well as the cut file itself (on the
# lab's layout neither works: mem_section lies at the top of memory, past the cut).
timeout 120 makedumpfile --dump-dmesg "$work/cut" "$work/cut.mdf" >/dev/null 2>&1
theirs=$?
timeout 120 makedumpfile --dump-dmesg "$work/truncated.dump" "$work/truncated.mdf" >/dev/null 2>&1
ours=$?
if ((theirs == 0)); then
  ((ours == 0)) && cmp -s "$work/cut.mdf" "$work/truncated.mdf" ||
    fail "truncated: makedumpfile reads the log from the cut file but not the same from our dump"
fi
echo "truncated at $cut bytes (physical $cut_paddr): exit $rc, $got pages unreadable;" \
  "makedumpfile --dump-dmesg: $theirs on the cut file, $ours on our dump"
rm -f "$work/cut"

# --- mem-map: random bytes over the struct pages of pfns 0x8000..0xbfff -----
copy memmap
pieces=$("$locate" mem-map "$work/memmap" 0x8000 0x4000) || fail "mem-map: vmcore_locate found no struct pages"
while read -r offset length; do
  [[ -n $offset ]] && overwrite "$work/memmap" "$offset" "$length" 1
done <<<"$pieces"
collect memmap "$work/memmap" -l -d 31
expect_saved memmap
suspect=$(sed -n 's/.*warning: \([0-9]*\) pages kept as they are because their struct page makes no sense.*/\1/p' "$work/memmap.err")
# Half the random struct pages claim to be compound tails (kept with their
# "head"); nearly all the others are judged damaged.
((${suspect:-0} >= 4096)) || fail "mem-map: ${suspect:-no} pages reported kept for a damaged struct page, expected 4096 or more"
"$collector" --dump-dmesg "$work/memmap.dump" "$work/memmap.dmesg" >/dev/null 2>&1
cmp -s "$work/memmap.dmesg" "$reference" || fail "mem-map: the kernel log of our dump differs from the vmcore's"
echo "mem-map: exit $rc, ${suspect:-0} pages kept for a damaged struct page"
rm -f "$work/memmap"

# --- vmcoreinfo: random bytes over the VMCOREINFO note ------------------------
copy vmcoreinfo
read -r offset length <<<"$("$locate" vmcoreinfo "$work/vmcoreinfo")" || fail "vmcoreinfo: note not found"
overwrite "$work/vmcoreinfo" "$offset" "$length" 2
collect vmcoreinfo "$work/vmcoreinfo" -l -d 31
expect_saved vmcoreinfo
grep -q "warning: VMCOREINFO lacks .*: no page can be classified, so every page is kept but those filled with zeros" \
  "$work/vmcoreinfo.err" || fail "vmcoreinfo: no warning that every page is kept: $(grep -m3 warning "$work/vmcoreinfo.err")"
grep -q " (0 excluded by level, [1-9][0-9]* zero, 0 unreadable)" "$work/vmcoreinfo.err" ||
  fail "vmcoreinfo: expected no page excluded by level and zero pages left out: $(tail -2 "$work/vmcoreinfo.err")"
echo "vmcoreinfo: exit $rc, $(grep -o '[0-9]* of [0-9]* pages written' "$work/vmcoreinfo.err")"
rm -f "$work/vmcoreinfo"

# --- inflated: p_memsz of the largest PT_LOAD grown by 4 TiB -----------------
copy inflated
python3 - "$work/inflated" "$source_dir/tests/lab" <<'EOF'
import struct, sys
sys.path.insert(0, sys.argv[2])
import elf_tool
core = elf_tool.Core(sys.argv[1])
index, big = max(((i, p) for i, p in enumerate(core.phdrs) if p[0] == elf_tool.PT_LOAD), key=lambda ip: ip[1][5])
with open(sys.argv[1], "r+b") as f:
    f.seek(core.e_phoff + index * 56 + 40)  # p_memsz of Elf64_Phdr
    f.write(struct.pack("<Q", big[6] + (4 << 40)))
EOF
collect inflated "$work/inflated" -l -d 31
expect_saved inflated
grep -q "warning: [0-9]* pages lie past the file bytes of their PT_LOAD (p_memsz beyond p_filesz).*physical 0x[0-9a-f]*-0x4[0-9a-f]\{10\} " \
  "$work/inflated.err" || fail "inflated: no warning naming the zero-filled range: $(grep -m3 warning "$work/inflated.err")"
zero=$(sed -n 's/.* excluded by level, \([0-9]*\) zero, .*/\1/p' "$work/inflated.err")
((${zero:-0} >= 1 << 30)) || fail "inflated: ${zero:-no} zero pages, expected the 2^30 added ones among them"
grep -q " ([1-9][0-9]* excluded by level, " "$work/inflated.err" ||
  fail "inflated: no page excluded by level: the segments past the inflated one were lost: $(tail -2 "$work/inflated.err")"
"$collector" --dump-dmesg "$work/inflated.dump" "$work/inflated.dmesg" >/dev/null 2>&1
cmp -s "$work/inflated.dmesg" "$reference" || fail "inflated: the kernel log of our dump differs from the vmcore's"
timeout 120 makedumpfile --dump-dmesg "$work/inflated.dump" "$work/inflated.mdf" >/dev/null 2>&1
cmp -s "$work/inflated.mdf" "$reference" || fail "inflated: makedumpfile reads a different kernel log from our dump"
echo "inflated: exit $rc, $(grep -o '[0-9]* of [0-9]* pages written.*' "$work/inflated.err")"
rm -f "$work/inflated" "$work/inflated.dump"

# --- no-memory: e_phoff moved past the program headers ----------------------
copy nomem
printf '\x01' | dd of="$work/nomem" bs=1 seek=34 conv=notrunc status=none  # e_phoff += 64 KiB
collect nomem "$work/nomem" -l -d 31
((rc == 1)) || fail "no-memory: exit status $rc, expected 1"
grep -q "kdump-collector: error: .*describes no memory" "$work/nomem.err" ||
  fail "no-memory: no clear error: $(tail -3 "$work/nomem.err")"
[[ ! -e $work/nomem.dump ]] || fail "no-memory: a dump was left under the final name"
[[ ! -e $work/nomem.dump-incomplete ]] || fail "no-memory: an empty nomem.dump-incomplete was left behind"
rm -f "$work/nomem"

# --- bit flips: 48 in the notes, 400 anywhere after the program headers -------
headers=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[2]); import elf_tool
c = elf_tool.Core(sys.argv[1]); print(c.e_phoff + c.phnum * 56)' "$lab/vmcore" "$source_dir/tests/lab")
for seed in 1 2 3 4; do
  copy flip
  python3 - "$work/flip" "$seed" "$headers" <<'EOF'
import os, random, sys
path, seed, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
size = os.path.getsize(path)
spots = [r.randrange(start, 8192) for _ in range(48)] + [r.randrange(start, size) for _ in range(400)]
with open(path, "r+b") as f:
    for at in spots:
        f.seek(at)
        b = f.read(1)[0] ^ (1 << r.randrange(8))
        f.seek(at)
        f.write(bytes([b]))
EOF
  collect "flip$seed" "$work/flip" -l -d 31
  if ((rc == 0)); then
    expect_saved "flip$seed"
    grep -q "kdump-collector: [1-9][0-9]* of [1-9][0-9]* pages written" "$work/flip$seed.err" ||
      fail "flip$seed: the dump holds no page: $(tail -2 "$work/flip$seed.err")"
  elif ((rc == 1)); then
    grep -q "kdump-collector: error: " "$work/flip$seed.err" || fail "flip$seed: exit 1 without an error message"
    [[ ! -e $work/flip$seed.dump ]] || fail "flip$seed: a failed run left a dump under the final name"
  fi
  echo "bit flips, seed $seed: exit $rc, $(grep -c 'warning' "$work/flip$seed.err") warnings"
  rm -f "$work/flip" "$work/flip$seed.dump" "$work/flip$seed.dump-incomplete"
done

((failures == 0)) || { echo "$failures check(s) failed"; exit 1; }
echo "PASS"
