# Shared helpers of the crash lab, sourced by its scripts: messages, stage
# timing, failure reports that name the stage, and QEMU processes that are
# always killed by pid.
#
# Every stage runs between stage_begin and stage_end; a failure inside it goes
# through fail, which names the stage and shows the last console lines.

lab_name=${lab_name:-crash-lab}
lab_scenario=${lab_scenario:-}          # shown before stage names when set
lab_stage=""
lab_stage_start=0
lab_timings=${lab_timings:-/dev/null}  # a file that collects "stage<TAB>seconds"
lab_console=""                          # the console log a failure should show
helper_pid="" helper_log=""              # the QMP client a guest's stages depend on

say() { printf '%s: %s\n' "$lab_name" "$*" >&2; }

now() { date +%s.%N; }

# Seconds between two `now` values, with one decimal.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

stage_begin() {
  lab_stage=$1
  lab_stage_start=$(now)
}

stage_end() {
  local secs
  secs=$(elapsed "$lab_stage_start" "$(now)")
  say "stage '${lab_scenario:+$lab_scenario: }$lab_stage' done in ${secs} s"
  printf '%s\t%s\n' "${lab_scenario:+$lab_scenario: }$lab_stage" "$secs" >>"$lab_timings"
  lab_stage=""
}

# Prints the failing stage, the reason and the tail of the console, then exits.
fail() {
  say "FAILED in stage '${lab_scenario:+$lab_scenario: }${lab_stage:-setup}': $*"
  if [[ -n $lab_console && -s $lab_console ]]; then
    say "last console lines ($lab_console):"
    tail -n "${LAB_CONSOLE_TAIL:-40}" "$lab_console" | sed 's/^/  | /' >&2
  fi
  exit 1
}

# --- QEMU processes -------------------------------------------------------
# Every guest started through qemu_start is remembered by pid and killed on
# exit, whatever the way out; nothing is ever killed by name.
lab_qemu_pids=()
# A signal ends the script through its EXIT trap, which kills the guests.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# True while pid $1 is a living child of this shell: a pid whose QEMU has
# exited and been reaped may already belong to someone else.
our_child() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }           # after "pid (comm) ": state ppid ...
  [[ ${stat%% *} != Z && $(cut -d' ' -f2 <<<"$stat") == "$$" ]]
}

qemu_kill_all() {
  local pid
  for pid in "${lab_qemu_pids[@]}"; do
    if our_child "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        our_child "$pid" || break
        sleep 0.2
      done
      our_child "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
  done
  lab_qemu_pids=()
}

# Starts QEMU in the background with the given arguments; sets qemu_pid.
# Its own messages (not the guest's) go to $1.
qemu_start() {
  local log=$1
  shift
  # --pdeathsig: QEMU dies with this shell even when the shell is SIGKILLed.
  setpriv --pdeathsig KILL qemu-system-x86_64 "$@" >"$log" 2>&1 &
  qemu_pid=$!
  lab_qemu_pids+=("$qemu_pid")
}

qemu_running() { our_child "$qemu_pid"; }

# The accelerator arguments for QEMU, from the name "kvm" or "tcg".
accel_args() {
  case $1 in
    kvm) echo "-accel kvm" ;;
    tcg) echo "-accel tcg" ;;
    *) fail "unknown accelerator '$1'" ;;
  esac
}

# --- Following a guest through its stages ----------------------------------
#
# watch_stages SPEC...: follows a running guest through its stages. Each SPEC
# is "FILE|PATTERN|STAGE NAME|SECONDS": the stage ends when PATTERN (a fixed
# string) appears in FILE, and fails when SECONDS pass first, when the guest
# reports "LAB-STAGE failed" on the console ($lab_console), or when QEMU
# ($qemu_pid) exits, or the QMP client ($helper_pid, logging to $helper_log)
# stops. Each stage's time is printed and recorded.
watch_stages() {
  local spec file pattern name limit deadline reason
  for spec in "$@"; do
    IFS='|' read -r file pattern name limit <<<"$spec"
    stage_begin "$name"
    deadline=$(awk -v t="$(now)" -v l="$limit" 'BEGIN { printf "%.0f", t + l }')
    while ! grep -a -q -F -- "$pattern" "$file" 2>/dev/null; do
      reason=$(grep -a -m1 'LAB-STAGE failed' "$lab_console" 2>/dev/null || true)
      if [[ -n $reason ]]; then
        fail "the guest reported: ${reason#*LAB-STAGE failed }"
      fi
      if [[ -n ${helper_pid:-} ]] && ! kill -0 "$helper_pid" 2>/dev/null; then
        grep -a -q -F -- "$pattern" "$file" 2>/dev/null && break
        fail "the QMP client stopped before '$pattern': $(tail -n 3 "$helper_log" | tr '\n' ' ')"
      fi
      if ! qemu_running; then
        grep -a -q -F -- "$pattern" "$file" 2>/dev/null && break
        fail "QEMU exited before '$pattern' appeared in $(basename "$file")$(qemu_messages)"
      fi
      if (($(date +%s) > deadline)); then
        fail "no '$pattern' in $(basename "$file") within $limit s"
      fi
      sleep 0.2
    done
    stage_end
  done
}

# QEMU's own messages (not the guest's), for failure reports.
qemu_messages() {
  [[ -s ${qemu_log:-} ]] && printf '; QEMU said: %s' "$(tail -n 3 "$qemu_log" | tr '\n' ' ')"
}

# Waits up to $1 seconds for QEMU to exit by itself, then fails.
wait_qemu_exit() {
  local deadline=$(($(date +%s) + $1))
  while qemu_running; do
    (($(date +%s) > deadline)) && fail "QEMU did not exit within $1 s"
    sleep 0.2
  done
  wait "$qemu_pid" 2>/dev/null || true
}

# --- Debian packages --------------------------------------------------------
# download_deb CACHE_ROOT PACKAGE VERSION: prints the path of PACKAGE's .deb
# in CACHE_ROOT/debs, downloading it with apt-get download when not there yet.
download_deb() {
  local debs=$1/debs package=$2 version=$3 tmp found
  mkdir -p "$debs"
  found=$(compgen -G "$debs/${package}_${version//:/%3a}_*.deb" | head -n1) || true
  if [[ -z $found ]]; then
    say "downloading $package $version"
    # apt-get download writes into the current directory; _apt cannot write
    # into root's cache, so fetch into a temporary directory we own.
    tmp=$(mktemp -d "$debs/.download.XXXXXX")
    if ((EUID == 0)) && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
    (cd "$tmp" && apt-get download -q "$package=$version" >&2) ||
      { rm -rf "$tmp"; fail "apt-get download $package=$version failed"; }
    mv "$tmp"/*.deb "$debs/"
    rm -rf "$tmp"
    found=$(compgen -G "$debs/${package}_${version//:/%3a}_*.deb" | head -n1) || true
    [[ -n $found ]] || fail "apt-get download left no .deb for $package $version"
  fi
  printf '%s\n' "$found"
}
