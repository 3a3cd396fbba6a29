#!/usr/bin/env bash
# The outputs outside scripts rely on: kdumpctl's JSON verbs and its error
# format, run on the built binary as a script would run it.
set -euo pipefail
kdumpctl=${KDUMPCTL:?KDUMPCTL must name the built kdumpctl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# json_equals JSON PYTHON-EXPR: the expression, evaluated with j = the parsed JSON, must be true.
json_check() {
  python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" \
    || fail "$3: expected $2, got $1"
}

# --- show-config: defaults applied, keys are directive names
: > "$work/empty.conf"
out=$("$kdumpctl" -c "$work/empty.conf" show-config --json)
json_check "$out" 'j["path"]=="/var/crash" and j["sshkey"]=="/root/.ssh/kdump_id_rsa" and j["failure_action"]=="reboot" and j["final_action"]=="reboot" and j["core_collector"]=="makedumpfile -l --message-level 1 -d 31"' "defaults"
json_check "$out" 'j["kdump_pre"] is None and j["extra_bins"]==[] and j["force_rebuild"] is False' "unset values"

cat > "$work/ssh.conf" <<'CONF'
ssh kdump@[fd00::1]   # an IPv6 literal
path "/srv/crash"
failure_action shell
CONF
out=$("$kdumpctl" show-config --json -c "$work/ssh.conf")
json_check "$out" 'j["ssh"]=="kdump@[fd00::1]" and j["path"]=="/srv/crash" and j["failure_action"]=="shell"' "ssh config"
json_check "$out" 'j["core_collector"]=="makedumpfile -F -l --message-level 1 -d 31"' "ssh default collector has -F"

# --- invalid configuration: every error, FILE:LINE: message, exit 1
cat > "$work/bad.conf" <<'CONF'
nsf server:/export
path /a
path /b
failure_action explode
CONF
set +e
"$kdumpctl" -c "$work/bad.conf" show-config --json > "$work/out" 2> "$work/err"
status=$?
set -e
[[ $status == 1 ]] || fail "invalid config: exit status $status, expected 1"
[[ ! -s $work/out ]] || fail "invalid config: printed a configuration"
grep -q "^$work/bad.conf:1: unknown directive 'nsf'; did you mean 'nfs'?" "$work/err" || fail "unknown directive message: $(cat "$work/err")"
grep -q "^$work/bad.conf:3: " "$work/err" || fail "duplicate path not reported"
grep -q "^$work/bad.conf:4: " "$work/err" || fail "invalid action not reported"

# --- show-target: explicit targets, reported even when absent here
printf 'ext4 UUID=00000000-dead-beef-0000-000000000000\npath /crash\n' > "$work/uuid.conf"
out=$("$kdumpctl" -c "$work/uuid.conf" show-target --json 2> "$work/err")
json_check "$out" 'j["type"]=="fs" and j["device"]=="UUID=00000000-dead-beef-0000-000000000000" and j["fstype"]=="ext4" and j["path"]=="/crash" and "server" not in j and "host" not in j' "uuid target"
grep -q "warning" "$work/err" || fail "absent device gives no warning"

printf 'nfs nfs.example:/exports/dumps\n' > "$work/nfs.conf"
out=$("$kdumpctl" -c "$work/nfs.conf" show-target --json 2>/dev/null)
json_check "$out" 'j["type"]=="nfs" and j["server"]=="nfs.example" and j["export"]=="/exports/dumps" and j["path"]=="/var/crash" and "device" not in j' "nfs target"

out=$("$kdumpctl" -c "$work/ssh.conf" show-target --json 2>/dev/null)
json_check "$out" 'j["type"]=="ssh" and j["user"]=="kdump" and j["host"]=="fd00::1" and j["port"]==22 and j["path"]=="/srv/crash" and "-F" in j["core_collector"]' "ssh target"

printf 'raw /dev/vdb1\n' > "$work/raw.conf"
out=$("$kdumpctl" -c "$work/raw.conf" show-target --json 2>/dev/null)
json_check "$out" 'j["type"]=="raw" and j["device"]=="/dev/vdb1" and "fstype" not in j' "raw target"

# --- show-target: no explicit target, resolved through a saved mount table
cat > "$work/mountinfo" <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 8:2 / /var rw,relatime shared:2 - xfs /dev/sda2 rw
31 22 0:50 / /srv rw,relatime shared:3 - nfs4 filer:/exports/srv rw,vers=4.2
MI
out=$("$kdumpctl" -c "$work/empty.conf" --mountinfo "$work/mountinfo" show-target --json 2>/dev/null)
json_check "$out" 'j["type"]=="fs" and j["device"]=="/dev/sda2" and j["fstype"]=="xfs" and j["path"]=="/crash"' "implicit local target"
printf 'path /srv/crash\n' > "$work/srv.conf"
out=$("$kdumpctl" -c "$work/srv.conf" --mountinfo "$work/mountinfo" show-target --json 2>/dev/null)
json_check "$out" 'j["type"]=="nfs" and j["server"]=="filer" and j["export"]=="/exports/srv" and j["path"]=="/crash"' "implicit nfs target"

# --- parse-crashkernel
out=$("$kdumpctl" parse-crashkernel --cmdline "ro crashkernel=1G-4G:192M,4G-64G:256M quiet" --system-ram 8G --json)
json_check "$out" 'j=={"size": 256<<20, "base": 0, "high": False}' "range form"
out=$("$kdumpctl" parse-crashkernel --cmdline "crashkernel=512M,high" --system-ram 16G --json)
json_check "$out" 'j=={"size": 512<<20, "base": 0, "high": True, "low_size": 256<<20}' "high form"
out=$("$kdumpctl" parse-crashkernel --cmdline "crashkernel=128M@16M crashkernel=0x10000000" --system-ram 2G --json)
json_check "$out" 'j=={"size": 256<<20, "base": 0, "high": False}' "last one wins"
if "$kdumpctl" parse-crashkernel --cmdline "crashkernel=banana" --system-ram 2G --json > /dev/null 2> "$work/err"; then
  fail "crashkernel=banana accepted"
fi
grep -q "^kdumpctl: error: " "$work/err" || fail "rejected crashkernel without an error message"

out=$("$kdumpctl" parse-crashkernel --cmdline "crashkernel=0" --system-ram 2G --json 2> "$work/err")
json_check "$out" 'j["size"]==0' "nothing reserved is an answer"
grep -q "nothing is reserved" "$work/err" || fail "no reason given for size 0"
out=$("$kdumpctl" parse-crashkernel --cmdline "crashkernel=4G" --system-ram 2G --kernel-version 6.1 --json)
json_check "$out" 'j["size"]==4<<30' "6.1 has no size-below-RAM check"
out=$("$kdumpctl" parse-crashkernel --cmdline "crashkernel=4G" --system-ram 2G --kernel-version 6.16 --json 2>/dev/null)
json_check "$out" 'j["size"]==0' "6.16 refuses a size above RAM"

# --- get-default-crashkernel
out=$("$kdumpctl" get-default-crashkernel --arch x86_64)
[[ $out == *G-*:*M* ]] || fail "get-default-crashkernel printed '$out'"

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "kdumpctl contract: all checks passed"
