#!/usr/bin/env bash
# The kernel log of the crash lab's real dumps, byte for byte against the
# established tools: `kdump-collector --vmcore-dmesg` against kexec-tools'
# vmcore-dmesg and `--dump-dmesg` against makedumpfile --dump-dmesg (their
# outputs in the lab's ref/), on the capture kernel's vmcore, on makedumpfile's
# -d 31 dumps of it (both formats must come out as for the vmcore) and on
# QEMU's dumps (against makedumpfile's reading of its phdrs-first copy). The
# guest's marker lines must be in the log, and a healthy dump must give no
# warnings.
#
# Lab output: $KDUMP_LAB_DIR, else $KDUMP_BUILD_DIR/lab (CTest fixture `lab`),
# else every result in the lab's cache. Exit 77 when there is none.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checked=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

labs=()
if [[ -n ${KDUMP_LAB_DIR:-} ]]; then
  labs=("$KDUMP_LAB_DIR")
elif [[ -f ${KDUMP_BUILD_DIR:-}/lab/vmcore ]]; then
  labs=("$KDUMP_BUILD_DIR/lab")
else
  for d in "${KDUMP_LAB_CACHE:-$HOME/.cache/kdump-toolkit/lab}"/results/*/; do
    [[ -f $d/vmcore && -d $d/ref ]] && labs+=("${d%/}")
  done
fi
if ((${#labs[@]} == 0)) || [[ ! -f ${labs[0]}/vmcore ]]; then
  echo "SKIP: no crash lab output (set KDUMP_LAB_DIR, run the lab.crash test, or tests/lab/crash-lab --out DIR)"
  exit 77
fi

# same NAME EXPECTED ACTUAL: byte for byte, showing the first differences.
same() {
  checked=$((checked + 1))
  cmp -s "$2" "$3" || fail "$1: differs from $2:"$'\n'"$(diff "$2" "$3" | head -8)"
}

# run_dmesg FORMAT DUMP OUT: our output in FORMAT (vmcore-dmesg|makedumpfile);
# warnings go to OUT.err.
run_dmesg() {
  local rc
  if [[ $1 == vmcore-dmesg ]]; then
    "$collector" --vmcore-dmesg "$2" >"$3" 2>"$3.err"
  else
    "$collector" --dump-dmesg "$2" "$3" >/dev/null 2>"$3.err"
  fi
  rc=$?
  ((rc == 0)) || fail "$1 of $2 exited $rc: $(head -3 "$3.err")"
  [[ ! -s $3.err ]] || fail "$1 of $2 warned on a healthy dump: $(head -3 "$3.err")"
}

for lab in "${labs[@]}"; do
  ref=$lab/ref
  name=$(basename "$lab")
  [[ -f $ref/vmcore-dmesg.txt && -f $ref/makedumpfile-dmesg.txt ]] || { fail "$name: no reference outputs in $ref"; continue; }

  run_dmesg vmcore-dmesg "$lab/vmcore" "$tmp/vd.txt"
  same "$name: --vmcore-dmesg vmcore" "$ref/vmcore-dmesg.txt" "$tmp/vd.txt"
  run_dmesg makedumpfile "$lab/vmcore" "$tmp/md.txt"
  same "$name: --dump-dmesg vmcore" "$ref/makedumpfile-dmesg.txt" "$tmp/md.txt"

  if [[ -f $lab/markers.txt ]]; then
    while IFS= read -r marker; do
      [[ -z $marker ]] && continue
      grep -qF -- "$marker" "$tmp/vd.txt" || fail "$name: marker '$marker' missing from the log"
    done <"$lab/markers.txt"
  fi

  # The log pages survive dump level 31: every compressed dump gives the same text.
  for d in "$ref"/dumpfile-d31-*; do
    [[ -f $d && $d != *.log ]] || continue
    run_dmesg vmcore-dmesg "$d" "$tmp/d31-vd.txt"
    same "$name: --vmcore-dmesg $(basename "$d")" "$ref/vmcore-dmesg.txt" "$tmp/d31-vd.txt"
    run_dmesg makedumpfile "$d" "$tmp/d31-md.txt"
    same "$name: --dump-dmesg $(basename "$d")" "$ref/makedumpfile-dmesg.txt" "$tmp/d31-md.txt"
  done

  # QEMU's dumps of the other guest: only makedumpfile can read them (from
  # a phdrs-first copy), so only its format has a reference.
  if [[ -f $ref/qemu-dump-makedumpfile-dmesg.txt ]]; then
    for d in "$lab/qemu-dump.elf" "$lab/qemu-dump.kdump-zlib"; do
      [[ -f $d ]] || continue
      run_dmesg makedumpfile "$d" "$tmp/q-md.txt"
      same "$name: --dump-dmesg $(basename "$d")" "$ref/qemu-dump-makedumpfile-dmesg.txt" "$tmp/q-md.txt"
    done
  fi
done

((failures)) && exit 1
echo "OK: $checked comparisons byte for byte over ${#labs[@]} lab output(s)"
