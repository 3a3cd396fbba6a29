#!/usr/bin/env bash
# Dumps we write, read by the established tool: from the crash lab's real
# vmcore ($KDUMP_LAB_DIR, else $KDUMP_BUILD_DIR/lab) the test writer
# (tests/tools/write_dump_tool) makes kdump-compressed dumps (zlib, lzo,
# none; dump levels 1 and 31), an ELF dump and a flattened stream, and
# Debian's makedumpfile must read them: `--dump-dmesg` gives the same log as
# on the original vmcore (ref/makedumpfile-dmesg.txt), our -l and uncompressed
# dumps are its own byte for byte, it decompresses every page of our -c dump
# back into its own uncompressed dump, `-R` rebuilds our
# flattened stream into a file identical to our direct output, and our -R
# rebuilds makedumpfile's own -F output identical to its direct output.
# Skips (77) without the lab or makedumpfile.
set -uo pipefail
tool=${KDUMP_BUILD_DIR:?}/tests/write_dump_tool
lab=${KDUMP_LAB_DIR:-$KDUMP_BUILD_DIR/lab}
[[ -f $lab/vmcore && -f $lab/ref/makedumpfile-dmesg.txt ]] || { echo "SKIP: no crash lab at $lab"; exit 77; }
command -v makedumpfile >/dev/null || { echo "SKIP: no makedumpfile"; exit 77; }
[[ -x $tool ]] || { echo "FAIL: $tool not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ref=$lab/ref/makedumpfile-dmesg.txt

# check_dmesg NAME: makedumpfile --dump-dmesg on $tmp/NAME equals the reference.
check_dmesg() {
  local name=$1
  if ! timeout 120 makedumpfile --dump-dmesg "$tmp/$name" "$tmp/$name.dmesg" >"$tmp/$name.mdf.log" 2>&1; then
    fail "makedumpfile --dump-dmesg $name: $(tail -3 "$tmp/$name.mdf.log")"
  elif ! cmp -s "$tmp/$name.dmesg" "$ref"; then
    fail "makedumpfile --dump-dmesg $name differs from the reference: $(diff "$tmp/$name.dmesg" "$ref" | head -5)"
  else
    echo "ok: makedumpfile --dump-dmesg $name ($(stat -c %s "$tmp/$name") bytes)"
  fi
}

# write NAME ARGS...: our writer, from the lab vmcore to $tmp/NAME.
write() {
  local name=$1
  shift
  if ! "$tool" "$@" "$lab/vmcore" "$tmp/$name" 2>"$tmp/$name.log"; then
    fail "write_dump_tool $* failed: $(cat "$tmp/$name.log")"
    return 1
  fi
  echo "   $name: $(head -1 "$tmp/$name.log")"
}

# same_as_makedumpfile OURS THEIRS: identical but for the header's time stamp
# (struct timeval at bytes 408..423; cmp -l counts from 1).
same_as_makedumpfile() {
  local ours=$1 theirs=$2
  [[ -f $theirs ]] || return 0
  if [[ $(stat -c %s "$ours") != $(stat -c %s "$theirs") ]]; then
    fail "$(basename "$ours") is $(stat -c %s "$ours") bytes, makedumpfile's $(basename "$theirs") $(stat -c %s "$theirs")"
  else
    local differing
    differing=$(cmp -l "$ours" "$theirs" | awk '$1 < 409 || $1 > 424' | wc -l)
    if ((differing == 0)); then
      echo "ok: $(basename "$ours") is byte for byte makedumpfile's $(basename "$theirs") but for the time stamp"
    else
      fail "$(basename "$ours") differs from makedumpfile's $(basename "$theirs") in $differing bytes"
    fi
  fi
}

# zlib_readable OURS: our -c pages are libdeflate's, not zlib's, so the bytes
# differ from makedumpfile's -c dump; instead makedumpfile decompresses every
# page of ours and writes them out uncompressed, which must give its own
# uncompressed dump, and ours may be at most 2% larger than its -c dump.
zlib_readable() {
  local ours=$1 theirs=$lab/ref/dumpfile-d31-zlib
  [[ -f $theirs && -f $lab/ref/dumpfile-d31-none ]] || return 0
  if ! timeout 300 makedumpfile -d 31 "$ours" "$ours.none" >"$ours.none.log" 2>&1; then
    fail "makedumpfile -d 31 on $(basename "$ours"): $(tail -3 "$ours.none.log")"
  else
    same_as_makedumpfile "$ours.none" "$lab/ref/dumpfile-d31-none"
  fi
  local size ref
  size=$(stat -c %s "$ours") ref=$(stat -c %s "$theirs")
  if ((size * 100 > ref * 102)); then
    fail "$(basename "$ours") is $size bytes, over 1.02 times makedumpfile's $ref"
  else
    echo "ok: $(basename "$ours") is $size bytes, makedumpfile's -c $ref"
  fi
}

declare -A mdf_name=([c]=zlib [l]=lzo [none]=none)
for codec in c l none; do
  flag=-$codec
  [[ $codec == none ]] && flag=
  write "d1-$codec" $flag -d 1 --threads 2 && check_dmesg "d1-$codec"
  write "d31-$codec" $flag -d 31 --threads 2 --timestamp 1700000000 && check_dmesg "d31-$codec" || continue
  if [[ $codec == c ]]; then
    zlib_readable "$tmp/d31-c"
  else
    same_as_makedumpfile "$tmp/d31-$codec" "$lab/ref/dumpfile-d31-${mdf_name[$codec]}"
  fi
done

# ELF (-E); makedumpfile reads ELF input the way it reads /proc/vmcore.
write elf -E -d 1 && check_dmesg elf
write elf31 -E -d 31 --threads 2 && check_dmesg elf31

# Our flattened stream through makedumpfile -R equals our direct output.
if "$tool" -c -d 31 -F --threads 1 --timestamp 1700000000 "$lab/vmcore" >"$tmp/flat" 2>"$tmp/flat.log"; then
  if timeout 120 makedumpfile -R "$tmp/flat-R" <"$tmp/flat" >"$tmp/flat-R.log" 2>&1; then
    cmp -s "$tmp/flat-R" "$tmp/d31-c" || fail "makedumpfile -R of our flattened stream differs from our direct dump"
    check_dmesg flat-R
  else
    fail "makedumpfile -R on our flattened stream: $(tail -3 "$tmp/flat-R.log")"
  fi
  # And our own -R gives the same file.
  "$tool" -R "$tmp/flat-ourR" <"$tmp/flat" 2>"$tmp/flat-ourR.log" || fail "our -R failed: $(cat "$tmp/flat-ourR.log")"
  cmp -s "$tmp/flat-ourR" "$tmp/d31-c" || fail "our -R of our flattened stream differs from our direct dump"
else
  fail "write_dump_tool -F failed: $(cat "$tmp/flat.log")"
fi

# Our -R on makedumpfile's own flattened output equals makedumpfile's direct output.
if timeout 300 makedumpfile -F -c -d 31 "$lab/vmcore" >"$tmp/mdf-flat" 2>"$tmp/mdf-flat.log"; then
  "$tool" -R "$tmp/mdf-ourR" <"$tmp/mdf-flat" 2>"$tmp/mdf-ourR.log" || fail "our -R on makedumpfile -F failed: $(cat "$tmp/mdf-ourR.log")"
  timeout 120 makedumpfile -R "$tmp/mdf-R" <"$tmp/mdf-flat" >/dev/null 2>&1 || fail "makedumpfile -R on its own stream failed"
  cmp -s "$tmp/mdf-ourR" "$tmp/mdf-R" && echo "ok: our -R on makedumpfile -F equals makedumpfile -R" ||
    fail "our -R on makedumpfile -F differs from makedumpfile -R"
else
  fail "makedumpfile -F: $(tail -3 "$tmp/mdf-flat.log")"
fi

# A truncated stream is an error, not a crash and not a silent success.
head -c 100000 "$tmp/flat" >"$tmp/flat-cut"
"$tool" -R "$tmp/cut-R" <"$tmp/flat-cut" 2>"$tmp/cut.log"
rc=$?
[[ $rc == 1 ]] || fail "our -R on a truncated stream exited $rc"
grep -q "write_dump_tool: error: <stdin>: flattened input: record .* data ends after" "$tmp/cut.log" ||
  grep -q "write_dump_tool: error: <stdin>: flattened input: .*record header ends after" "$tmp/cut.log" ||
  fail "our -R on a truncated stream: $(cat "$tmp/cut.log")"
[[ -e $tmp/cut-R ]] && fail "a failed -R left a file under the final name"

((failures)) && exit 1
echo "PASS"
