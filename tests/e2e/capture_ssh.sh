#!/usr/bin/env bash
# `kdump-collector capture` to an ssh target: a real OpenSSH sshd started here
# on 127.0.0.1 (a free port, temporary host and client keys, a known_hosts
# that trusts only that host key), kdump.conf's `ssh root@127.0.0.1` plus
# `sshkey`, and the port and known_hosts from the file given to --ssh-config.
# Checked: the flattened dump through the remote dd lands as
# <path>/127.0.0.1-<date>/vmcore.flat next to vmcore-dmesg.txt (modes, the log
# byte for byte, the dump readable and, rearranged, what makedumpfile reads);
# `scp` as collector copies the vmcore as it is; a refused key and an unknown
# host key fail at once (no retry) with the failure action; a server killed
# mid-transfer is retried a bounded number of times, then the failure action,
# leaving vmcore-incomplete and no vmcore.flat.
#
# Needs root and sshd. Lab output: $KDUMP_LAB_DIR, else $KDUMP_BUILD_DIR/lab (CTest fixture `lab`). Exit 77 without them.
set -uo pipefail
collector=${KDUMP_COLLECTOR:?}
lab=${KDUMP_LAB_DIR:-${KDUMP_BUILD_DIR:-}/lab}
[[ -f $lab/vmcore && -f $lab/ref/vmcore-dmesg.txt ]] || { echo "SKIP: no crash lab at $lab"; exit 77; }
((EUID == 0)) || { echo "SKIP: needs root (sshd)"; exit 77; }
[[ -x /usr/sbin/sshd ]] && command -v ssh-keygen >/dev/null || { echo "SKIP: needs OpenSSH's sshd and ssh-keygen"; exit 77; }

tmp=$(mktemp -d)
sshd_pid=
# Stops our sshd and every process below it (its sessions, their dd).
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1"); do kill_tree "$child"; done
  kill -KILL "$1" 2>/dev/null
}
stop_sshd() {
  [[ -n $sshd_pid ]] || return 0
  kill_tree "$sshd_pid"
  wait "$sshd_pid" 2>/dev/null
  sshd_pid=
}
trap 'stop_sshd; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { [[ $2 == "$3" ]] || fail "$1: expected [$2], got [$3]"; }

# The server: keys, a free port, known_hosts naming "[127.0.0.1]:PORT", sshd -D in the background.
for key in host_key client_key stranger_key; do
  ssh-keygen -q -t ed25519 -N '' -C "$key" -f "$tmp/$key" || { echo "ssh-keygen failed"; exit 1; }
done
cp "$tmp/client_key.pub" "$tmp/authorized_keys"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
  echo $((20000 + RANDOM % 20000)))
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$tmp/host_key.pub")" >"$tmp/known_hosts"
: >"$tmp/empty_known_hosts"
mkdir -p /run/sshd  # sshd's privilege-separation directory
cat >"$tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/host_key
AuthorizedKeysFile $tmp/authorized_keys
PidFile none
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp internal-sftp
EOF
start_sshd() {
  /usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>>"$tmp/sshd.log" &
  sshd_pid=$!
  for _ in $(seq 500); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.01
  done
  echo "sshd did not start: $(cat "$tmp/sshd.log")"
  exit 1
}
mkdir -p "$tmp/no-hooks"
start_sshd

# The client side: what an administrator puts in the file given to --ssh-config.
ssh_config() {
  printf 'Host 127.0.0.1\n  Port %s\n  UserKnownHostsFile %s\n' "$port" "$1" >"$tmp/ssh_config"
}
ssh_config "$tmp/known_hosts"

# run_capture NAME CONF [options]: stdout (the actions) in $tmp/NAME.out, the log in $tmp/NAME.log.
run_capture() {
  local name=$1 conf=$2
  shift 2
  "$collector" capture --config "$conf" --vmcore "$lab/vmcore" --ssh-config "$tmp/ssh_config" --simulate-actions \
    --hooks-dir "$tmp/no-hooks" --retry-delay 0 --timeout 10 "$@" >"$tmp/$name.out" 2>"$tmp/$name.log"
}
# capture NAME CONF [options]: run_capture with its status in $rc.
capture() {
  run_capture "$@"
  rc=$?
}
only_dir() { local d=("$1"/127.0.0.1-*); [[ -d ${d[0]} ]] && echo "${d[0]}"; }
# conf FILE PATH COLLECTOR [KEY]
conf() {
  cat >"$1" <<CONF
ssh root@127.0.0.1
sshkey ${4:-$tmp/client_key}
path $2
core_collector $3
failure_action halt
final_action poweroff
CONF
}

# 1. makedumpfile's options: kdump-utils adds -F for ssh, so a flattened dump
# streams into the remote dd and becomes vmcore.flat.
conf "$tmp/flat.conf" "$tmp/remote/crash" "makedumpfile -l --message-level 7 -d 31"
capture flat "$tmp/flat.conf"
expect "flattened: status" 0 "$rc"
expect "flattened: actions" "action: poweroff" "$(cat "$tmp/flat.out")"
dir=$(only_dir "$tmp/remote/crash")
if [[ -z $dir ]]; then
  fail "flattened: no dump directory (log: $(cat "$tmp/flat.log"))"
else
  [[ $(basename "$dir") =~ ^127\.0\.0\.1-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] ||
    fail "directory name $(basename "$dir") is not 127.0.0.1-%Y-%m-%d-%H:%M:%S"
  expect "flattened: files" "vmcore-dmesg.txt vmcore.flat" "$(ls "$dir" | tr '\n' ' ' | sed 's/ $//')"
  expect "flattened: directory mode" 700 "$(stat -c %a "$dir")"
  expect "flattened: parents' mode" 700 "$(stat -c %a "$tmp/remote/crash")"
  expect "vmcore.flat mode" 600 "$(stat -c %a "$dir/vmcore.flat")"
  expect "vmcore-dmesg.txt mode" 600 "$(stat -c %a "$dir/vmcore-dmesg.txt")"
  cmp -s "$lab/ref/vmcore-dmesg.txt" "$dir/vmcore-dmesg.txt" || fail "vmcore-dmesg.txt differs from vmcore-dmesg's"
  "$collector" --vmcore-dmesg "$dir/vmcore.flat" >"$tmp/flat-dmesg.txt" 2>"$tmp/err" || fail "vmcore.flat unreadable: $(cat "$tmp/err")"
  cmp -s "$lab/ref/vmcore-dmesg.txt" "$tmp/flat-dmesg.txt" || fail "the log read from vmcore.flat differs"
  "$collector" -R "$tmp/rearranged" <"$dir/vmcore.flat" >/dev/null 2>"$tmp/err" || fail "-R on vmcore.flat: $(cat "$tmp/err")"
  if command -v makedumpfile >/dev/null && [[ -f $lab/ref/makedumpfile-dmesg.txt ]]; then
    timeout 120 makedumpfile --dump-dmesg "$tmp/rearranged" "$tmp/md-dmesg.txt" >/dev/null 2>&1 ||
      fail "makedumpfile cannot read the rearranged vmcore.flat"
    cmp -s "$lab/ref/makedumpfile-dmesg.txt" "$tmp/md-dmesg.txt" || fail "makedumpfile's log of the rearranged dump differs"
  fi
  grep -q "saving to ssh root@127.0.0.1:$port in $dir" "$tmp/flat.log" || fail "the log does not name the target: $(cat "$tmp/flat.log")"
fi

# 2. scp as collector: the vmcore as it is, through the remote dd, to vmcore.
conf "$tmp/scp.conf" "$tmp/remote/scp" "scp"
capture scp "$tmp/scp.conf"
expect "scp: status" 0 "$rc"
sdir=$(only_dir "$tmp/remote/scp")
if [[ -z $sdir ]]; then
  fail "scp: no dump directory (log: $(cat "$tmp/scp.log"))"
else
  expect "scp: files" "vmcore vmcore-dmesg.txt" "$(ls "$sdir" | tr '\n' ' ' | sed 's/ $//')"
  cmp -s "$lab/vmcore" "$sdir/vmcore" || fail "scp: the vmcore is not a copy"
  expect "scp: vmcore mode" 600 "$(stat -c %a "$sdir/vmcore")"
fi

# 3. A key the server refuses and a host key nobody recorded: refused at once,
# never retried, nothing created, the failure action.
conf "$tmp/stranger.conf" "$tmp/remote/stranger" "makedumpfile -l -d 31" "$tmp/stranger_key"
capture stranger "$tmp/stranger.conf" --attempts 3
expect "refused key: status" 1 "$rc"
expect "refused key: actions" "action: halt" "$(cat "$tmp/stranger.out")"
grep -q "the server refused the key $tmp/stranger_key" "$tmp/stranger.log" || fail "refused key: log: $(cat "$tmp/stranger.log")"
expect "refused key: attempts" 1 "$(grep -c "saving to .* failed" "$tmp/stranger.log")"
[[ ! -e $tmp/remote/stranger ]] || fail "refused key: something was created"

ssh_config "$tmp/empty_known_hosts"
echo "  StrictHostKeyChecking no" >>"$tmp/ssh_config"
capture unknown "$tmp/flat.conf" --attempts 3
expect "unknown host key: status" 1 "$rc"
expect "unknown host key: actions" "action: halt" "$(cat "$tmp/unknown.out")"
grep -q "the host key of 127.0.0.1 is not in $tmp/empty_known_hosts; refusing to connect" "$tmp/unknown.log" ||
  fail "unknown host key: log: $(cat "$tmp/unknown.log")"
expect "unknown host key: attempts" 1 "$(grep -c "saving to .* failed" "$tmp/unknown.log")"
expect "unknown host key: dumps" 1 "$(ls "$tmp/remote/crash" | wc -l)"
ssh_config "$tmp/known_hosts"

# 4. The server killed during the dump (uncompressed, so it is large enough to
# be caught mid-way): an error, two more attempts that cannot connect, then
# the failure action; vmcore-incomplete stays and no vmcore.flat appears.
conf "$tmp/kill.conf" "$tmp/remote/kill" "makedumpfile -d 0"
run_capture kill "$tmp/kill.conf" --attempts 3 &
capture_pid=$!
killed=
for _ in $(seq 6000); do
  partial=$(ls "$tmp"/remote/kill/127.0.0.1-*/vmcore-incomplete 2>/dev/null | head -1)
  if [[ -n $partial ]] && (($(stat -c %s "$partial") > 16 << 20)); then
    stop_sshd
    killed=1
    break
  fi
  kill -0 "$capture_pid" 2>/dev/null || break
  sleep 0.02
done
wait "$capture_pid"
rc=$?
if [[ -z $killed ]]; then
  fail "killed server: the dump ended before the server could be killed (log: $(cat "$tmp/kill.log"))"
else
  expect "killed server: status" 1 "$rc"
  expect "killed server: actions" "action: halt" "$(cat "$tmp/kill.out")"
  expect "killed server: attempts" 3 "$(grep -c "saving to .* failed" "$tmp/kill.log")"
  grep -q "giving up after 3 attempts" "$tmp/kill.log" || fail "killed server: log: $(cat "$tmp/kill.log")"
  kdir=$(only_dir "$tmp/remote/kill")
  [[ -n $kdir && -f $kdir/vmcore-incomplete ]] || fail "killed server: vmcore-incomplete is not left"
  [[ -n $kdir && ! -e $kdir/vmcore.flat ]] || fail "killed server: vmcore.flat exists"
fi

((failures == 0)) && echo "capture to ssh: all checks passed"
exit $((failures > 0))
