#!/usr/bin/env bash
# Kernel log extraction against the established tools on a crash-lab vmcore:
# `kdump-collector --vmcore-dmesg` against kexec-tools' vmcore-dmesg, and
# `kdump-collector --dump-dmesg` against makedumpfile --dump-dmesg. For each,
# the median wall time and the largest peak RSS over RUNS runs (GNU time),
# the ratio ours/theirs, and whether the outputs are byte-identical.
#
# usage: bench/dmesg_bench.sh [VMCORE]
#   VMCORE   default: $KDUMP_LAB_DIR/vmcore, else build/lab/vmcore, else the
#            largest vmcore in the lab's cache
#   env: KDUMP_COLLECTOR (default build/collector/kdump-collector), RUNS (default 7)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
collector=${KDUMP_COLLECTOR:-$here/build/collector/kdump-collector}
runs=${RUNS:-7}
[[ -x /usr/bin/time ]] || { echo "dmesg_bench: needs GNU time (/usr/bin/time; scripts/install-deps)" >&2; exit 1; }
[[ -x $collector ]] || { echo "dmesg_bench: no collector at $collector (set KDUMP_COLLECTOR)" >&2; exit 1; }
for tool in vmcore-dmesg makedumpfile; do
  command -v "$tool" >/dev/null || { echo "dmesg_bench: $tool not installed (scripts/install-deps)" >&2; exit 1; }
done

vmcore=${1:-}
if [[ -z $vmcore ]]; then
  if [[ -n ${KDUMP_LAB_DIR:-} ]]; then
    vmcore=$KDUMP_LAB_DIR/vmcore
  elif [[ -f $here/build/lab/vmcore ]]; then
    vmcore=$here/build/lab/vmcore
  else
    vmcore=$(ls -S "${KDUMP_LAB_CACHE:-$HOME/.cache/kdump-toolkit/lab}"/results/*/vmcore 2>/dev/null | head -1 || true)
  fi
fi
[[ -f $vmcore ]] || { echo "dmesg_bench: no vmcore (run tests/lab/crash-lab --out DIR, or pass VMCORE)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure LABEL CMD...: RUNS runs (a LOGFILE argument is removed before each,
# as makedumpfile will not overwrite one); prints "median_ms max_rss_kib".
# GNU time reports wall time in 10 ms steps, so the wall clock is taken here.
measure() {
  local label=$1 i start end
  shift
  : >"$tmp/$label.times"
  for ((i = 0; i < runs; i++)); do
    rm -f "$tmp"/*-md.txt
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tmp/$label.rss" "$@" >"$tmp/$label.stdout" 2>"$tmp/$label.stderr" ||
      { echo "dmesg_bench: $label failed: $(head -3 "$tmp/$label.stderr")" >&2; exit 1; }
    end=$(date +%s%N)
    echo "$(((end - start) / 1000)) $(cat "$tmp/$label.rss")" >>"$tmp/$label.times"
  done
  sort -n -k1,1 "$tmp/$label.times" |
    awk -v n="$runs" '{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "%.1f %d\n", t[int((n + 1) / 2)] / 1000, m }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "vmcore: $vmcore ($(du -h --apparent-size "$vmcore" | cut -f1), $runs runs each)"
printf '%-46s %10s %12s\n' "command" "median ms" "peak RSS KiB"
report() {  # LABEL "seconds rss"
  printf '%-46s %10s %12s\n' "$1" ${2}
}

read -r vd_t vd_m < <(measure vmcore-dmesg vmcore-dmesg "$vmcore")
cp "$tmp/vmcore-dmesg.stdout" "$tmp/ref-vd.txt"
read -r ov_t ov_m < <(measure ours-vd "$collector" --vmcore-dmesg "$vmcore")
cp "$tmp/ours-vd.stdout" "$tmp/ours-vd.txt"
report "vmcore-dmesg VMCORE" "$vd_t $vd_m"
report "kdump-collector --vmcore-dmesg VMCORE" "$ov_t $ov_m"

read -r md_t md_m < <(measure makedumpfile makedumpfile --dump-dmesg "$vmcore" "$tmp/ref-md.txt")
cp "$tmp/ref-md.txt" "$tmp/ref-md.keep"
read -r om_t om_m < <(measure ours-md "$collector" --dump-dmesg "$vmcore" "$tmp/ours-md.txt")
cp "$tmp/ours-md.txt" "$tmp/ours-md.keep"
report "makedumpfile --dump-dmesg VMCORE LOG" "$md_t $md_m"
report "kdump-collector --dump-dmesg VMCORE LOG" "$om_t $om_m"

same() { cmp -s "$1" "$2" && echo identical || echo DIFFERENT; }
echo
echo "ratios ours/theirs (below 1 is better):"
echo "  vs vmcore-dmesg:  wall $(ratio "$ov_t" "$vd_t"), peak RSS $(ratio "$ov_m" "$vd_m"), output $(same "$tmp/ref-vd.txt" "$tmp/ours-vd.txt")"
echo "  vs makedumpfile:  wall $(ratio "$om_t" "$md_t"), peak RSS $(ratio "$om_m" "$md_m"), output $(same "$tmp/ref-md.keep" "$tmp/ours-md.keep")"
