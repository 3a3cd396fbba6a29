#!/usr/bin/env bash
# Saving a crash-lab vmcore to an ssh and an nfs target on loopback:
# `kdump-collector capture` against the established ways of doing the same.
#
#   ssh (OpenSSH sshd on 127.0.0.1, own host key, client key, known_hosts):
#     ours, core_collector makedumpfile -l -d 31: a flattened dump streamed
#       into a remote dd (kdump-utils' ssh mode)
#     against makedumpfile -F -l -d 31 V | ssh ... "dd bs=512 of=..." (the
#       pipeline kdump-utils runs, bs=512 included; without its extra mkdir,
#       mv and vmcore-dmesg connections, so a lower bound on its time)
#     ours, core_collector scp: the whole vmcore, streamed into a remote dd
#     against scp V host:DIR/ and cat V | ssh host "cat > DIR/x"
#   nfs (nfs-ganesha, NFSv3 on 127.0.0.1):
#     ours, core_collector makedumpfile -l -d 31 through libnfs
#     against makedumpfile -l -d 31 V MNT/vmcore and cp V MNT/ on a kernel
#       NFS mount where the kernel has an NFS client; where it has none
#       (containers, kernels without nfs), against libnfs' own nfs-cp
#       (package libnfs-utils): the vmcore whole, and makedumpfile's dump
#       staged in a local file then copied (nfs-cp cannot read a pipe); and
#       makedumpfile writing straight into the exported directory (no NFS)
#   local references (no transport): makedumpfile, kdump-collector and our
#     capture (vmcore-dmesg.txt too) -l -d 31 into a file or directory on
#     the same disk, to show what the filtering alone costs.
#   extras, to show where time goes: the same dump as kdump-utils' whole
#     sequence of ssh connections (mkdir, dump, mv, vmcore-dmesg, mv); dd
#     bs=1M instead of bs=512; makedumpfile --num-threads <cpus> (our
#     capture adds it, as kdump-utils does); the stream into /dev/null; and
#     the OpenSSH client with aes128-gcm instead of its default cipher.
#
# Every row is RUNS runs; the median wall time is shown. The timed span ends
# when the output is durable: ours fsyncs over SFTP (and NFS COMMITs), the
# others do not, so each run ends with `sync -f` on its output inside the
# timed span (the time without it is printed too). MB/s is the vmcore's size
# in 10^6 bytes over the wall time; ratios are ours/theirs in MB/s (>1: ours
# faster). CPU seconds: the client side is the timed command and its
# children (GNU time); the server side is what sshd's or ganesha's processes
# used meanwhile (/proc). Everything runs on this machine over 127.0.0.1.
#
# usage: bench/transfer_bench.sh [VMCORE|LAB_DIR]
#   VMCORE  default: the smallest busy lab vmcore in the crash lab's cache
#           (read only; never written)
#   env: KDUMP_COLLECTOR (default build/collector/kdump-collector), RUNS (3),
#        BENCH_DIR (scratch parent, default /var/tmp, not tmpfs),
#        TIMEOUT (seconds per run, 900), EXTRAS (1; 0 skips the extra rows),
#        LEVEL (makedumpfile's dump level, 31; 1 keeps more data, so the
#        transport weighs more),
#        ONLY (ssh, nfs or local: just that part)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
collector=${KDUMP_COLLECTOR:-$here/build/collector/kdump-collector}
runs=${RUNS:-3}
limit=${TIMEOUT:-900}
extras=${EXTRAS:-1}
only=${ONLY:-}
die() { echo "transfer_bench: $*" >&2; exit 1; }
note() { echo "transfer_bench: $*" >&2; }

((EUID == 0)) || die "needs root (sshd with a root login, nfs-ganesha, rpcbind)"
[[ -x $collector ]] || die "no collector at $collector (set KDUMP_COLLECTOR)"
[[ -x /usr/bin/time ]] || die "needs GNU time (/usr/bin/time; scripts/install-deps)"
for tool in /usr/sbin/sshd /usr/bin/ssh /usr/bin/scp /usr/bin/ssh-keygen /usr/bin/ganesha.nfsd \
  /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so makedumpfile vmcore-dmesg flock; do
  [[ -e $tool ]] || command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps)"
done
[[ -z $only || $only == ssh || $only == nfs || $only == local ]] || die "ONLY is ssh, nfs or local, not '$only'"
part() { [[ -z $only || $only == "$1" ]]; }

vmcore=${1:-}
if [[ -z $vmcore ]]; then
  vmcore=$(ls -Sr "${KDUMP_LAB_CACHE:-$HOME/.cache/kdump-toolkit/lab}"/results/*busy*/vmcore 2>/dev/null | head -1 || true)
fi
[[ -d $vmcore ]] && vmcore=$vmcore/vmcore
[[ -f $vmcore ]] || die "no vmcore (pass one, or run tests/lab/crash-lab --busy --out DIR)"
vmcore=$(realpath "$vmcore")
input_bytes=$(stat -c %s "$vmcore")

parent=${BENCH_DIR:-/var/tmp}
[[ $(stat -f -c %T "$parent") != tmpfs ]] || die "$parent is tmpfs; set BENCH_DIR to a directory on a disk"
scratch=$(mktemp -d "$parent/transfer-bench.XXXXXX")
chmod 0700 "$scratch"

# --- servers, stopped by the pids this script started -----------------------
sshd_pid='' ganesha_pid='' rpcbind_pid='' nfs_mounted=''
stop_servers() {
  if [[ -n $nfs_mounted ]]; then umount -l "$nfs_mounted" 2>/dev/null || true; fi
  if [[ -n $sshd_pid ]]; then
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
  fi
  if [[ -n $ganesha_pid ]]; then
    kill "$ganesha_pid" 2>/dev/null || true
    wait "$ganesha_pid" 2>/dev/null || true
  fi
  if [[ -n $rpcbind_pid ]]; then
    # The lock the tests' NfsGaneshaServer takes before starting or stopping rpcbind.
    exec 9</usr/sbin/rpcbind
    flock 9
    kill "$rpcbind_pid" 2>/dev/null || true
    wait "$rpcbind_pid" 2>/dev/null || true
    rm -f /run/rpcbind/rpcbind.xdr /run/rpcbind/portmap.xdr # its warm-start state; it was ours
    exec 9<&-
  fi
}
trap 'stop_servers; rm -rf "$scratch"' EXIT

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    listening "$port" || { echo "$port"; return; }
  done
}
wait_for() { # wait_for SECONDS CMD...: true once CMD succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.02
  done
}

ssh_port='' ssh_config=$scratch/ssh/ssh_config ssh_dest=$scratch/ssh-dest
start_sshd() {
  local d=$scratch/ssh
  mkdir -p "$d" "$ssh_dest" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -C xfer-host -f "$d/host_key"
  ssh-keygen -q -t ed25519 -N '' -C xfer-client -f "$d/client_key"
  cp "$d/client_key.pub" "$d/authorized_keys"
  ssh_port=$(free_port)
  echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1-2 "$d/host_key.pub")" >"$d/known_hosts"
  cat >"$d/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $ssh_port
HostKey $d/host_key
AuthorizedKeysFile $d/authorized_keys
PidFile none
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp internal-sftp
LogLevel DEBUG1
EOF
  # The client side: both OpenSSH's ssh/scp and our collector read this file.
  cat >"$ssh_config" <<EOF
Host 127.0.0.1
  Port $ssh_port
  User root
  IdentityFile $d/client_key
  UserKnownHostsFile $d/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
EOF
  /usr/sbin/sshd -D -e -f "$d/sshd_config" 2>"$d/sshd.log" &
  sshd_pid=$!
  wait_for 10 listening "$ssh_port" || die "sshd did not listen: $(tail -5 "$d/sshd.log")"
  # (sshd at LogLevel DEBUG1 sends debug lines to clients: kept out of the way)
  ssh -F "$ssh_config" root@127.0.0.1 true 2>"$d/login.err" || die "cannot log in to the test sshd: $(cat "$d/login.err")"
}

nfs_port='' mount_port='' export_dir=$scratch/export
start_ganesha() {
  local d=$scratch/nfs
  mkdir -p "$d/recovery" "$export_dir"
  nfs_port=$(free_port)
  mount_port=$(free_port)
  cat >"$d/ganesha.conf" <<EOF
NFS_CORE_PARAM {
  Protocols = 3;
  NFS_Port = $nfs_port;
  MNT_Port = $mount_port;
  Bind_addr = 127.0.0.1;
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
}
NFSv4 { Graceless = true; RecoveryRoot = $d/recovery; }
EXPORT {
  Export_Id = 1;
  Path = $export_dir;
  Pseudo = $export_dir;
  Protocols = 3;
  Transports = TCP;
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
EOF
  # NFSv3 needs rpcbind while ganesha starts; started here only if none runs.
  exec 9</usr/sbin/rpcbind
  flock 9
  if ! listening 111; then
    /usr/sbin/rpcbind -f &
    rpcbind_pid=$!
    wait_for 5 listening 111 || die "rpcbind did not start"
  fi
  ganesha.nfsd -F -f "$d/ganesha.conf" -L "$d/ganesha.log" -p "$d/ganesha.pid" &
  ganesha_pid=$!
  # The ports open before the exports are ready; this line says they are.
  wait_for 30 grep -qs "NFS SERVER INITIALIZED" "$d/ganesha.log" || die "nfs-ganesha did not start: $(tail -5 "$d/ganesha.log")"
  flock -u 9
  exec 9<&-
}
nfs_url() { echo "nfs://127.0.0.1$export_dir/$1?version=3&nfsport=$nfs_port&mountport=$mount_port"; }

# A kernel NFS mount of the export, if this kernel has an NFS client.
try_kernel_mount() {
  local mnt=$scratch/mnt
  mkdir -p "$mnt"
  if timeout 30 mount -t nfs -o "vers=3,nolock,proto=tcp,port=$nfs_port,mountport=$mount_port,mountproto=tcp" \
    "127.0.0.1:$export_dir" "$mnt" 2>"$scratch/nfs/mount.err"; then
    nfs_mounted=$mnt
    return 0
  fi
  return 1
}

# --- measuring ---------------------------------------------------------------
clk=$(getconf CLK_TCK)
# CPU ticks used by a process and its reaped children (sshd's sessions are
# reaped by the listener), or by all threads of ganesha.
ticks() {
  [[ -n $1 && -r /proc/$1/stat ]] || { echo 0; return; }
  sed 's/.*) //' "/proc/$1/stat" | awk -v kids="$2" '{ print $12 + $13 + (kids ? $14 + $15 : 0) }'
}
server_ticks() { echo $(($(ticks "$sshd_pid" 1) + $(ticks "$ganesha_pid" 0))); }
# sshd updates its children's CPU time when it reaps a session: wait for that.
sessions_done() { ! grep -qs "^PPid:[[:space:]]*$sshd_pid\$" /proc/[0-9]*/status; }

# The export is never cleaned behind ganesha's back: its cache would still
# list removed names (CREATE then fails with NFS3ERR_EXIST). Every run writes
# new names there instead: "@RUN@" in a command or output becomes the run's
# number.
clean_outputs() { rm -rf "${ssh_dest:?}"/* "$scratch"/local/*; }
run_no=0

# run_once OUTPUT CMD...: one run; OUTPUT is a glob for the file the command
# writes ("-": none). Prints "wall_ms nosync_ms client_cpu_ms server_cpu_ms bytes".
run_once() {
  local out_glob=${1//@RUN@/$run_no} start mid end s0 s1 files
  shift
  set -- "${@//@RUN@/$run_no}"
  clean_outputs
  sync
  [[ -z $sshd_pid ]] || wait_for 5 sessions_done || true
  s0=$(server_ticks)
  start=$(date +%s%N)
  timeout "$limit" /usr/bin/time -f '%U %S' -o "$scratch/cpu" "$@" >"$scratch/log" 2>&1 ||
    { note "failed: $*"; tail -5 "$scratch/log" >&2; return 1; }
  mid=$(date +%s%N)
  # shellcheck disable=SC2086,SC2207 # the glob is meant to expand; the newest match is the output
  files=($(ls -td $out_glob 2>/dev/null))
  if [[ $out_glob != - ]]; then
    [[ -f ${files[0]:-} ]] || { note "no output $out_glob from: $*"; tail -5 "$scratch/log" >&2; return 1; }
    sync -f "${files[0]}"
  fi
  end=$(date +%s%N)
  [[ -z $sshd_pid ]] || wait_for 5 sessions_done || true
  s1=$(server_ticks)
  echo "$(((end - start) / 1000000)) $(((mid - start) / 1000000))" \
    "$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$scratch/cpu" | tail -1)" \
    "$(((s1 - s0) * 1000 / clk))" "$([[ $out_glob == - ]] && echo 0 || stat -c %s "${files[0]}")"
}

# measure KEY LABEL OUTPUT CMD...: RUNS runs, median of each column; the
# result is kept in result[KEY] and printed as a table row.
declare -A result label
measure() {
  local key=$1 text=$2 out=$3 i k line
  shift 3
  : >"$scratch/times"
  for ((i = 0; i < runs; i++)); do
    run_no=$((run_no + 1))
    # A capture names its directory after the second it starts in, and
    # rightly refuses one that exists: one run per second at most.
    while [[ $(date +%s) == "${last_start:-}" ]]; do sleep 0.05; done
    last_start=$(date +%s)
    line=$(run_once "$out" "$@") || { row "$text" failed; return 0; }
    echo "$line" >>"$scratch/times"
  done
  k=$(((runs + 1) / 2))
  median() { sort -n -k"$1,$1" "$scratch/times" | sed -n "${k}p" | cut -d' ' -f"$1"; }
  result[$key]="$(median 1) $(median 2) $(median 3) $(median 4) $(tail -1 "$scratch/times" | cut -d' ' -f5)"
  label[$key]=$text
  print_row "$key"
}

mbps() { awk -v b="$input_bytes" -v ms="$1" 'BEGIN { printf "%.1f", (ms > 0) ? b / 1e6 / (ms / 1000) : 0 }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
fmt='%-62s %8s %7s %8s %8s %7s %7s\n'
row() { printf "$fmt" "$@"; }
print_row() {
  local wall nosync client server bytes
  read -r wall nosync client server bytes <<<"${result[$1]}"
  row "${label[$1]}" "$(secs "$wall")" "$(mbps "$wall")" "$(secs "$nosync")" "$(mib "$bytes")" "$(secs "$client")" "$(secs "$server")"
}
header() { echo; echo "== $1"; row "" "wall s" "MB/s" "nosync s" "out MiB" "cli cpu" "srv cpu"; }

# ratio OURS THEIRS: speed (MB/s) and output size of two measured rows.
ratio() {
  [[ -n ${result[$1]:-} && -n ${result[$2]:-} ]] || { printf '  %-44s n/a (a row failed or was skipped)\n' "${label[$1]:-$1} / ${label[$2]:-$2}"; return 0; }
  local ow ob tw tb
  read -r ow _ _ _ ob <<<"${result[$1]}"
  read -r tw _ _ _ tb <<<"${result[$2]}"
  awk -v ow="$ow" -v tw="$tw" -v ob="$ob" -v tb="$tb" -v o="${label[$1]}" -v t="${label[$2]}" \
    'BEGIN { printf "  speed %5.2fx  size %5.2fx   %s\n  %26s vs %s\n", tw / ow, ob / tb, o, "", t }'
}

# A kdump.conf for a capture into TARGET (two directives as one string).
capture_conf() {
  local name=$1 target=$2 collector_line=$3
  printf '%b\npath %s\ncore_collector %s\n' "$target" "$4" "$collector_line" | sed '/^$/d' >"$scratch/$name.conf"
  echo "$scratch/$name.conf"
}
mkdir -p "$scratch/hooks/pre.d" "$scratch/hooks/post.d" "$scratch/local"
# The capture as the bench runs it, after --config CONF: no hooks of this
# machine's, actions printed only, one attempt (a failure is not retried).
ours=("$collector" capture --vmcore "$vmcore" --ssh-config "$ssh_config" --simulate-actions
  --hooks-dir "$scratch/hooks" --attempts 1)
ours_nfs_ports() { # the ganesha ports, where the collector takes them (else it asks rpcbind)
  if "$collector" capture --help 2>/dev/null | grep -q -- --nfs-port; then
    echo "--nfs-port $nfs_port"
  fi
  if "$collector" capture --help 2>/dev/null | grep -q -- --nfs-mount-port; then
    echo "--nfs-mount-port $mount_port"
  fi
}

# --- the runs ----------------------------------------------------------------
echo "vmcore: $vmcore ($(mib "$input_bytes") MiB, $input_bytes bytes)"
echo "collector: $collector"
echo "reference: $(makedumpfile -v 2>&1 | head -1); $(ssh -V 2>&1)"
echo "runs: $runs each, median; every run ends with sync -f of its output (nosync s: without it); MB/s = input bytes / wall"
echo "scratch: $scratch ($(stat -f -c %T "$scratch")); load: $(cut -d' ' -f1-3 /proc/loadavg); cpus: $(nproc)"
cat "$vmcore" >/dev/null # every row reads the vmcore from the page cache

export DUMP_LEVEL=${LEVEL:-31} # read by the bash -c pipelines too
if part local; then
  header "local disk, no transport (what the filtering costs)"
  measure local_mdf "makedumpfile -l -d $DUMP_LEVEL V FILE" "$scratch/local/vmcore" makedumpfile -l --message-level 1 -d "$DUMP_LEVEL" "$vmcore" "$scratch/local/vmcore"
  measure local_capture "ours: capture, makedumpfile -l -d $DUMP_LEVEL, local directory" "$scratch/local/127.0.0.1-*/vmcore" \
    "${ours[@]}" --config "$(capture_conf local "" "makedumpfile -l --message-level 1 -d $DUMP_LEVEL" "$scratch/local")"
  measure local_ours "kdump-collector -l -d $DUMP_LEVEL V FILE" "$scratch/local/vmcore" "$collector" -l --message-level 1 -d "$DUMP_LEVEL" "$vmcore" "$scratch/local/vmcore"
fi

if part ssh; then
  start_sshd
  ssh_cipher() { ssh -v -F "$ssh_config" root@127.0.0.1 true 2>&1 | sed -n 's/.*kex: client->server cipher: \([^ ]*\).*/\1/p' | head -1; }
  echo
  echo "sshd: 127.0.0.1:$ssh_port ($(/usr/sbin/sshd -V 2>&1 | head -1 || true)); OpenSSH client cipher: $(ssh_cipher)"
  header "ssh root@127.0.0.1 (remote directory on this disk)"
  log_mark=$(wc -l <"$scratch/ssh/sshd.log")
  measure ssh_ours_dd "ours: capture, makedumpfile -l -d $DUMP_LEVEL (dd stream)" "$ssh_dest/127.0.0.1-*/vmcore.flat" \
    "${ours[@]}" --config "$(capture_conf ssh-dd "ssh root@127.0.0.1\nsshkey $scratch/ssh/client_key" "makedumpfile -l --message-level 1 -d $DUMP_LEVEL" "$ssh_dest")"
  ours_cipher=$(tail -n +"$((log_mark + 1))" "$scratch/ssh/sshd.log" | sed -n 's/.*kex: client->server cipher: \([^ ]*\).*/\1/p' | sort -u | tr '\n' ' ')
  measure ssh_mdf_dd "makedumpfile -F -l -d $DUMP_LEVEL V | ssh \"dd bs=512 of=...\"" "$ssh_dest/vmcore.flat" \
    bash -c 'makedumpfile -F -l --message-level 1 -d "$DUMP_LEVEL" "$1" | ssh -F "$2" root@127.0.0.1 "dd bs=512 status=none of=$3/vmcore.flat"' \
    _ "$vmcore" "$ssh_config" "$ssh_dest"
  measure ssh_ours_sftp "ours: capture, scp (dd stream, whole vmcore)" "$ssh_dest/127.0.0.1-*/vmcore" \
    "${ours[@]}" --config "$(capture_conf ssh-scp "ssh root@127.0.0.1\nsshkey $scratch/ssh/client_key" scp "$ssh_dest")"
  measure ssh_scp "scp V root@127.0.0.1:DIR/" "$ssh_dest/vmcore" scp -q -F "$ssh_config" "$vmcore" "root@127.0.0.1:$ssh_dest/"
  measure ssh_cat "cat V | ssh \"cat > DIR/x\"" "$ssh_dest/x" \
    bash -c 'cat "$1" | ssh -F "$2" root@127.0.0.1 "cat > $3/x"' _ "$vmcore" "$ssh_config" "$ssh_dest"
  if ((extras)); then
    measure ssh_mdf_dd1m "extra: makedumpfile -F ... | ssh \"dd bs=1M ...\"" "$ssh_dest/vmcore.flat" \
      bash -c 'makedumpfile -F -l --message-level 1 -d "$DUMP_LEVEL" "$1" | ssh -F "$2" root@127.0.0.1 "dd bs=1M iflag=fullblock status=none of=$3/vmcore.flat"' \
      _ "$vmcore" "$ssh_config" "$ssh_dest"
    # Our capture adds --num-threads=<cpus> to makedumpfile's options, as kdump-utils does.
    measure ssh_mdf_dd_t "extra: makedumpfile -F --num-threads $(nproc) ... | ssh \"dd bs=512\"" "$ssh_dest/vmcore.flat" \
      bash -c 'makedumpfile -F -l --message-level 1 -d "$DUMP_LEVEL" --num-threads "$4" "$1" | ssh -F "$2" root@127.0.0.1 "dd bs=512 status=none of=$3/vmcore.flat"' \
      _ "$vmcore" "$ssh_config" "$ssh_dest" "$(nproc)"
    # What kdump-utils runs for an ssh target as a whole: an ssh connection
    # per step (mkdir, the dump, its rename, the kernel log, its rename).
    measure ssh_kdump_seq "extra: kdump-utils' 5 ssh calls: mkdir, dump, mv, dmesg, mv" "$ssh_dest/seq/vmcore.flat" \
      bash -c 'set -o pipefail; d=$3/seq h=root@127.0.0.1
        ssh -F "$2" $h "mkdir -p $d" &&
        makedumpfile -F -l --message-level 1 -d "$DUMP_LEVEL" "$1" | ssh -F "$2" $h "umask 0077 && dd bs=512 status=none of=$d/vmcore-incomplete" &&
        ssh -F "$2" $h "mv $d/vmcore-incomplete $d/vmcore.flat" &&
        vmcore-dmesg "$1" | ssh -F "$2" $h "umask 0077 && dd status=none of=$d/vmcore-dmesg-incomplete.txt" &&
        ssh -F "$2" $h "mv $d/vmcore-dmesg-incomplete.txt $d/vmcore-dmesg.txt"' _ "$vmcore" "$ssh_config" "$ssh_dest"
    measure ssh_mdf_null "extra: makedumpfile -F ... | ssh \"cat >/dev/null\"" - \
      bash -c 'makedumpfile -F -l --message-level 1 -d "$DUMP_LEVEL" "$1" | ssh -F "$2" root@127.0.0.1 "cat >/dev/null"' \
      _ "$vmcore" "$ssh_config"
    measure ssh_cat_aes "extra: cat V | ssh -c aes128-gcm \"cat > DIR/x\"" "$ssh_dest/x" \
      bash -c 'cat "$1" | ssh -c aes128-gcm@openssh.com -F "$2" root@127.0.0.1 "cat > $3/x"' _ "$vmcore" "$ssh_config" "$ssh_dest"
  fi
  echo "ciphers: our collector (libssh) negotiated: ${ours_cipher:-unknown}; OpenSSH ssh/scp: $(ssh_cipher)"
fi

if part nfs; then
  start_ganesha
  echo
  if try_kernel_mount; then
    echo "nfs-ganesha: 127.0.0.1:$export_dir, nfs port $nfs_port, mount port $mount_port; kernel NFS mount at $nfs_mounted"
  else
    echo "nfs-ganesha: 127.0.0.1:$export_dir, nfs port $nfs_port, mount port $mount_port"
    echo "kernel NFS mount impossible here ($(tr '\n' ' ' <"$scratch/nfs/mount.err")$(grep -qw nfs /proc/filesystems || echo "; no nfs in /proc/filesystems")): compared with libnfs' nfs-cp and a ganesha-local write"
  fi
  header "nfs 127.0.0.1:$export_dir (NFSv3, nfs-ganesha VFS on this disk)"
  # shellcheck disable=SC2046 # "--nfs-port N" splits into two words on purpose
  measure nfs_ours "ours: capture, makedumpfile -l -d $DUMP_LEVEL (libnfs)" "$export_dir/dumps/127.0.0.1-*/vmcore" \
    "${ours[@]}" $(ours_nfs_ports) --config "$(capture_conf nfs "nfs 127.0.0.1:$export_dir" "makedumpfile -l --message-level 1 -d $DUMP_LEVEL" /dumps)"
  if [[ -n $nfs_mounted ]]; then
    measure nfs_mdf "makedumpfile -l -d $DUMP_LEVEL V MNT/vmcore (kernel NFS)" "$export_dir/vmcore@RUN@" \
      makedumpfile -l --message-level 1 -d "$DUMP_LEVEL" "$vmcore" "$nfs_mounted/vmcore@RUN@"
    measure nfs_copy "cp V MNT/ (kernel NFS)" "$export_dir/vmcore@RUN@" cp "$vmcore" "$nfs_mounted/vmcore@RUN@"
  else
    if command -v nfs-cp >/dev/null; then
      measure nfs_copy "nfs-cp V nfs://... (libnfs, whole vmcore)" "$export_dir/vmcore@RUN@" nfs-cp "$vmcore" "$(nfs_url vmcore@RUN@)"
      # nfs-cp copies st_size bytes, so it cannot read a pipe: the dump is staged in a local file.
      measure nfs_mdf "makedumpfile -l -d $DUMP_LEVEL V /var/tmp/F && nfs-cp F nfs://..." "$export_dir/vmcore@RUN@" \
        bash -c 'makedumpfile -l --message-level 1 -d "$DUMP_LEVEL" "$1" "$2" && nfs-cp "$2" "$3"' \
        _ "$vmcore" "$scratch/local/vmcore" "$(nfs_url vmcore@RUN@)"
    else
      note "nfs-cp missing (apt-get install libnfs-utils): no plain copy over NFS to compare with"
    fi
    measure nfs_local "makedumpfile -l -d $DUMP_LEVEL V EXPORT/vmcore (ganesha-local, no NFS)" "$export_dir/vmcore@RUN@" \
      makedumpfile -l --message-level 1 -d "$DUMP_LEVEL" "$vmcore" "$export_dir/vmcore@RUN@"
  fi
fi

echo
echo "== ratios, ours/theirs (speed: MB/s, >1 = ours faster; size: output bytes)"
if part ssh; then
  ratio ssh_ours_dd ssh_mdf_dd
  ((extras)) && ratio ssh_ours_dd ssh_kdump_seq
  ratio ssh_ours_sftp ssh_scp
  ratio ssh_ours_sftp ssh_cat
fi
if part nfs; then
  ratio nfs_ours nfs_mdf
  ratio nfs_ours nfs_copy
  [[ -n $nfs_mounted ]] || ratio nfs_ours nfs_local
fi
if part local; then
  ratio local_ours local_mdf
  ratio local_capture local_mdf
fi
