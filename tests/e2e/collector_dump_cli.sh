#!/usr/bin/env bash
# kdump-collector's makedumpfile-style command line on the crash lab's real
# vmcore ($KDUMP_LAB_DIR): existing core_collector lines work with our name in
# place of makedumpfile's, the dumps are read by makedumpfile, the page report
# is makedumpfile's, and an existing dump is never overwritten.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
lab=${KDUMP_LAB_DIR:-${KDUMP_BUILD_DIR:?}/lab}
[[ -f $lab/vmcore ]] || { echo "SKIP: no crash-lab vmcore in $lab"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
reference=$lab/ref/makedumpfile-dmesg.txt

# Every compression and format makedumpfile 1.7.2 reads back.
for args in "-l -d 31" "-c -d 31" "-d 31" "-d 1" "-E -d 31"; do
  name=dump$(echo "$args" | tr -d ' ')
  "$collector" $args --message-level 1 "$lab/vmcore" "$work/$name" 2> "$work/$name.err" \
    || fail "kdump-collector $args: $(cat "$work/$name.err")"
  [[ $(stat -c %a "$work/$name") == 600 ]] || fail "$name is not mode 0600"
  timeout 120 makedumpfile --dump-dmesg "$work/$name" "$work/$name.dmesg" > /dev/null 2>&1 \
    || fail "makedumpfile cannot read our $args dump"
  cmp -s "$work/$name.dmesg" "$reference" || fail "makedumpfile --dump-dmesg on our $args dump differs from the vmcore's"
done

# -F to a stream, rearranged by makedumpfile -R and by ours.
"$collector" -F -l -d 31 --message-level 1 "$lab/vmcore" > "$work/flat" 2> "$work/flat.err" || fail "-F: $(cat "$work/flat.err")"
timeout 120 makedumpfile -R "$work/mk-rearranged" < "$work/flat" > /dev/null 2>&1 || fail "makedumpfile -R refuses our stream"
"$collector" -R "$work/our-rearranged" --message-level 1 < "$work/flat" || fail "our -R refuses our stream"
cmp -s "$work/mk-rearranged" "$work/our-rearranged" || fail "our -R and makedumpfile -R differ"
timeout 120 makedumpfile --dump-dmesg "$work/our-rearranged" "$work/rearranged.dmesg" > /dev/null 2>&1
cmp -s "$work/rearranged.dmesg" "$reference" || fail "log of the rearranged dump differs"

# The page report, as makedumpfile prints it (Write bytes aside).
"$collector" -l -d 31 --message-level 31 "$lab/vmcore" "$work/report-dump" 2> "$work/ours.report" > /dev/null
timeout 120 makedumpfile -l -d 31 --message-level 31 "$lab/vmcore" "$work/mk-dump" > "$work/mk.report" 2>&1
for label in "Original pages" "Pages filled with zero" "Non-private cache pages" "Private cache pages" \
  "User process data pages" "Free pages" "Hwpoison pages" "Offline pages" "Remaining pages" "Memory Hole" "Total pages"; do
  ours=$(grep -m1 "$label" "$work/ours.report")
  theirs=$(grep -m1 "$label" "$work/mk.report")
  [[ -n $ours && $ours == "$theirs" ]] || fail "report line '$label': ours '$ours', makedumpfile '$theirs'"
done

# Never overwrite: an existing dump file is refused and left as it was.
echo keep > "$work/existing"
if "$collector" -l -d 31 "$lab/vmcore" "$work/existing" 2> "$work/existing.err"; then fail "overwrote an existing dump"; fi
[[ $(cat "$work/existing") == keep ]] || fail "existing file changed"
grep -q "kdump-collector: error: " "$work/existing.err" || fail "no clear error for an existing dump: $(cat "$work/existing.err")"

# Bad usage is a clear error, not a crash.
"$collector" -c -l "$lab/vmcore" "$work/x" 2> "$work/usage.err"; [[ $? == 2 ]] || fail "-c -l accepted"
"$collector" --split "$lab/vmcore" "$work/x" 2> "$work/split.err"; grep -q "does not have yet" "$work/split.err" || fail "--split not named"

((failures == 0)) || { echo "$failures check(s) failed"; exit 1; }
echo "kdump-collector dump command line: all checks passed"
