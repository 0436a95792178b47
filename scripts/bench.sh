#!/usr/bin/env bash
# scripts/bench.sh - what thief costs the machine, measured against its peers
# in one run (issue #5). Run as root from a clone:
#
#     sudo scripts/bench.sh            # full run, ~5 minutes
#     sudo scripts/bench.sh --quick    # 2 rounds, small loops, ~70 s
#
# It installs what it lacks (apt), builds thief and thief-workloads (the
# workloads and the consumer benchmark) in release mode under .build-bench,
# thief linked as it ships (scripts/lib/static-build.sh, as scripts/package.sh),
# then interleaves rounds of: no tracer; thief -p; thief -p --noop-programs
# (the floor: same tracepoints, programs return at once); perf sched record
# (system-wide); libbpf-tools runqlat -p and cpudist -p; bpftrace with
# scripts/bench/thief.bt. The order of tracers rotates every
# round and every figure is a ratio to the no-tracer run of the same round.
# Tracer "watch" is `thief watch` on the same target with a trigger that
# never fires (wait > 1s): what the flight recorder costs while it waits.
# Then it measures thief's own costs (BPF ns per program and event, consumer
# CPU, records/s, lost records, peak RSS, start-to-attached) and the ring
# buffer's capacity. docs/benchmark.md explains each scenario.
#
# Scenarios (BENCH_SCENARIOS): untargeted (tracers -p an idle sleep), targeted
# (tracers -p the threaded pipe benchmark), mixed (tracers -p a CPU-bound
# victim beside a competitor and hackbench), and the service targets of issue
# #9, where only thief runs (none, thief, noop, thief-alt): untargeted-cgroup
# (thief --cgroup on a cgroup the script makes under the v2 mount, holding an
# idle sleep), untargeted-many (thief -p with BENCH_MANY idle sleeps),
# targeted-cgroup (the threaded pipe benchmark inside that cgroup, thief
# --cgroup on it: its two threads contend with each other).
#
# Knobs (environment): BENCH_ROUNDS (5), BENCH_LOOPS (200000: pipe round
# trips, untargeted and targeted), BENCH_HB_GROUPS (1) and BENCH_HB_LOOPS (2000)
# for hackbench, BENCH_COST_LOOPS (= BENCH_LOOPS), BENCH_CAP_LOOPS (1300000:
# per pipe benchmark in the capacity run), BENCH_SETTLE (0.3 s after attach),
# BENCH_PERF_WAIT (1.5 s for perf to attach), BENCH_TRACERS, BENCH_SCENARIOS,
# BENCH_OUT (results folder), BENCH_SKIP_BUILD=1, BENCH_SKIP_COST=1,
# BENCH_THIEF_ALT=/path/to/another/thief (adds tracer "thief-alt": A/B a
# candidate build in the same rounds), BENCH_QUIET_WAIT (60: seconds to wait
# for other load on the machine to stop before starting; ratios taken while
# something else runs are noise), BENCH_SOAK (60: seconds of the memory soak
# run; 600 for the 10-minute figure; 0 skips it), BENCH_MANY (50: idle
# processes in untargeted-many).
set -uo pipefail

usage() {
    sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

QUICK=0
for arg in "$@"; do
    case $arg in
    --quick) QUICK=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench.sh: unknown argument '$arg' (see --help)" >&2; exit 64 ;;
    esac
done

if ((QUICK)); then
    : "${BENCH_SOAK:=15}" "${BENCH_ROUNDS:=2}" "${BENCH_LOOPS:=50000}" "${BENCH_HB_LOOPS:=600}" "${BENCH_CAP_LOOPS:=200000}"
fi
ROUNDS=${BENCH_ROUNDS:-5}
LOOPS=${BENCH_LOOPS:-200000}
HB_GROUPS=${BENCH_HB_GROUPS:-1}
HB_LOOPS=${BENCH_HB_LOOPS:-2000}
COST_LOOPS=${BENCH_COST_LOOPS:-$LOOPS}
CAP_LOOPS=${BENCH_CAP_LOOPS:-1300000}
SETTLE=${BENCH_SETTLE:-0.3}
PERF_WAIT=${BENCH_PERF_WAIT:-1.5}
THIEF_ALT=${BENCH_THIEF_ALT:-}
QUIET_WAIT=${BENCH_QUIET_WAIT:-60}
SOAK=${BENCH_SOAK:-60}
MANY=${BENCH_MANY:-50}
read -r -a TRACERS <<<"${BENCH_TRACERS:-none thief noop watch perf-sched runqlat cpudist bpftrace${THIEF_ALT:+ thief-alt}}"
read -r -a SCENARIOS <<<"${BENCH_SCENARIOS:-untargeted targeted mixed untargeted-cgroup untargeted-many targeted-cgroup}"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-/tmp/thief-bench-$(date -u +%Y%m%dT%H%M%SZ)}
THIEF=$ROOT/.build-bench/release/thief
WORKLOADS=$ROOT/.build-bench/release/thief-workloads
BT_SCRIPT=$ROOT/scripts/bench/thief.bt
STATS=$ROOT/scripts/bench/stats.py
BENCH_START=$EPOCHREALTIME

say() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 2; }

[[ $EUID -eq 0 ]] || { echo "bench.sh: run as root (eBPF, perf and bpf_stats need it)" >&2; exit 2; }
[[ " ${TRACERS[*]} " == *" none "* ]] || die "BENCH_TRACERS must include 'none' (ratios are to it)"
((ROUNDS >= 1)) || die "BENCH_ROUNDS must be >= 1"
if ! [[ $MANY =~ ^[1-9][0-9]*$ ]]; then die "BENCH_MANY must be >= 1"; fi
NEED_CGROUP=0
for scen in "${SCENARIOS[@]}"; do
    case $scen in
    untargeted | targeted | mixed | untargeted-many) ;;
    untargeted-cgroup | targeted-cgroup) NEED_CGROUP=1 ;;
    *) die "unknown scenario $scen (untargeted targeted mixed untargeted-cgroup untargeted-many targeted-cgroup)" ;;
    esac
done

# ---- clean-up: every process group we start, bpf_stats, tracefs, cgroup -----
WORK=$(mktemp -d /tmp/thief-bench-work.XXXXXX)
declare -a GROUPS_STARTED=()
STATS_ORIG=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
MOUNTED_TRACEFS=0
BENCH_CG= # the cgroup the script made (cgroup scenarios), removed on exit

# Is PID running (not gone, not a zombie)?
alive() {
    local st
    [[ -r /proc/$1/stat ]] || return 1
    read -r st </proc/"$1"/stat 2>/dev/null || return 1
    st=${st##*) }
    [[ ${st:0:1} != Z ]]
}

# Sleep without forking: a read that times out on a FIFO nobody writes.
mkfifo "$WORK/nap"
exec {NAPFD}<>"$WORK/nap"
nap() { read -r -t "$1" -u "$NAPFD" _ 2>/dev/null || true; }

# Stop a process group we started: SIGNAL, up to TIMEOUT s, then SIGKILL; reap.
stop_group() {
    local pid=$1 sig=${2:-INT} timeout=${3:-20} i
    [[ -n $pid ]] || return 0
    kill -s "$sig" -- "-$pid" 2>/dev/null || kill -s "$sig" "$pid" 2>/dev/null
    for ((i = 0; i < timeout * 50; i++)); do
        alive "$pid" || break
        nap 0.02
    done
    if alive "$pid"; then
        say "pid $pid did not stop on SIG$sig within ${timeout}s: killing it"
    fi
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    LAST_STATUS=$?
    local keep=() g
    for g in "${GROUPS_STARTED[@]}"; do [[ $g == "$pid" ]] || keep+=("$g"); done
    GROUPS_STARTED=("${keep[@]}")
}

# The cgroup v2 mount point: field 5 of the cgroup2 line of /proc/self/mountinfo
# (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts).
cgroup2_mount() {
    local line fields
    while IFS= read -r line; do
        [[ $line == *" - cgroup2 "* ]] || continue
        read -r -a fields <<<"${line%% - *}"
        printf '%b\n' "${fields[4]//\\/\\0}" # mountinfo's \040 escapes
        return 0
    done </proc/self/mountinfo
    return 1
}

# Make the bench cgroup (BENCH_CG) under the v2 mount.
make_cgroup() {
    local mount
    mount=$(cgroup2_mount) || die "no cgroup v2 hierarchy is mounted (no cgroup2 line in /proc/self/mountinfo): the cgroup scenarios need one"
    BENCH_CG=${mount%/}/thief-bench-$$
    mkdir "$BENCH_CG" || { BENCH_CG=; die "cannot create a cgroup under $mount"; }
}

# Kill whatever is left in the bench cgroup and remove it.
remove_cgroup() {
    [[ -n $BENCH_CG && -d $BENCH_CG ]] || return 0
    local pid i
    if [[ -e $BENCH_CG/cgroup.kill ]]; then
        echo 1 >"$BENCH_CG/cgroup.kill" 2>/dev/null
    else
        while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$BENCH_CG/cgroup.procs"
    fi
    # rmdir is EBUSY until the killed tasks are released.
    for ((i = 0; i < 250; i++)); do
        rmdir "$BENCH_CG" 2>/dev/null && break
        nap 0.02
    done
    [[ -d $BENCH_CG ]] && say "warning: could not remove cgroup $BENCH_CG"
    BENCH_CG=
}

# Wait up to 5 s until PID is in the bench cgroup.
wait_joined() {
    local pid=$1 i line
    for ((i = 0; i < 250; i++)); do
        while read -r line; do [[ $line == "$pid" ]] && return 0; done <"$BENCH_CG/cgroup.procs"
        alive "$pid" || return 1
        nap 0.02
    done
    return 1
}

# A workload that joins the bench cgroup, then execs its arguments (same PID).
# shellcheck disable=SC2016 # expanded by that bash
IN_CGROUP='echo $$ >"$0/cgroup.procs" || exit 97; exec "$@"'

cleanup() {
    local rc=$? g
    trap - EXIT INT TERM HUP
    for g in "${GROUPS_STARTED[@]}"; do kill -INT -- "-$g" 2>/dev/null; done
    for g in "${GROUPS_STARTED[@]}"; do stop_group "$g" INT 5; done
    remove_cgroup
    echo "$STATS_ORIG" >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null
    if ((MOUNTED_TRACEFS)); then umount /sys/kernel/tracing 2>/dev/null; fi
    exec {NAPFD}>&- 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Start a tracer in its own session and process group (setsid does not fork
# here: a background child of a script is no group leader), stdin closed. ERR
# "=" means stderr to OUT. Sets SPAWNED.
spawn() {
    local out=$1 err=$2
    shift 2
    if [[ $err == = ]]; then
        setsid "$@" >"$out" 2>&1 </dev/null &
    else
        setsid "$@" >"$out" 2>"$err" </dev/null &
    fi
    SPAWNED=$!
    GROUPS_STARTED+=("$SPAWNED")
}

# Start a workload in its own process group but in this script's session:
# sched autogroup (on by default) puts every session in its own scheduling
# group, and the workloads of a scenario must compete as peers, as processes
# started from one shell do. Sets SPAWNED.
spawn_wl() {
    local out=$1 err=$2
    shift 2
    python3 -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' "$@" >"$out" 2>"$err" </dev/null &
    SPAWNED=$!
    GROUPS_STARTED+=("$SPAWNED")
}

# Wait for a started process group's leader to end; reap; LAST_STATUS.
reap() {
    local pid=$1
    wait "$pid" 2>/dev/null
    LAST_STATUS=$?
    stop_group "$pid" KILL 1
}

# Release a process that reads a line from FIFO (`read -r _ <FIFO`): opens
# it for writing, which waits for the reader's open, so the line reaches it
# whenever the reader gets there. (An O_RDWR open never waits, and when the
# reader had not opened the FIFO yet, the line died with the pipe as the
# writer closed it: the reader then waited forever, and the bench with it,
# when the machine was loaded.) Fails after TIMEOUT s (30) with no reader.
release() {
    timeout "${2:-30}" bash -c 'echo go >"$0"' "$1" 2>/dev/null
}

# Wait until a line of LOG matches REGEX while PID lives; READY_AT = when seen.
wait_ready() {
    local log=$1 pat=$2 pid=$3 timeout=$4 i line
    READY_AT=
    for ((i = 0; i < timeout * 200; i++)); do
        if [[ -s $log ]]; then
            while IFS= read -r line; do
                if [[ $line =~ $pat ]]; then
                    READY_AT=$EPOCHREALTIME
                    return 0
                fi
            done <"$log"
        fi
        alive "$pid" || return 1
        nap 0.005
    done
    return 1
}

# ---- set-up ------------------------------------------------------------------
install_deps() {
    local need=()
    command -v perf >/dev/null || need+=(linux-perf)
    command -v bpftrace >/dev/null || need+=(bpftrace)
    [[ -x /usr/sbin/runqlat && -x /usr/sbin/cpudist ]] || need+=(libbpf-tools)
    command -v hackbench >/dev/null || need+=(rt-tests)
    command -v bpftool >/dev/null || need+=(bpftool)
    [[ -x /usr/bin/time ]] || need+=(time)
    [[ -f /usr/include/bpf/libbpf.h ]] || need+=(libbpf-dev)
    command -v python3 >/dev/null || need+=(python3)
    command -v taskset >/dev/null || need+=(util-linux)
    if ((${#need[@]})); then
        say "installing: ${need[*]}"
        apt-get update -qq || die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
            die "apt-get install ${need[*]} failed"
    fi
    command -v swift >/dev/null || die "swift is not on PATH (thief is built with SwiftPM)"
}

mkdir -p "$OUT/runs" || die "cannot create $OUT"
RESULTS=$OUT/results.tsv
printf 'scenario\tround\tpos\ttracer\tkey\tvalue\n' >"$RESULTS"
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

install_deps
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    # Without --product, swift build builds every product: thief and
    # thief-workloads. thief is built as it ships (scripts/package.sh: libbpf,
    # libelf, zlib, libstdc++ and the Swift runtime static), unstripped.
    say "building thief and thief-workloads (release, static as packaged, in .build-bench)"
    (cd "$ROOT" && source scripts/lib/static-build.sh && static_build .build-bench >"$OUT/build.log" 2>&1) ||
        { tail -20 "$OUT/build.log" >&2; die "build failed (log: $OUT/build.log)"; }
fi
[[ -x $THIEF ]] || die "$THIEF not built"
[[ -x $WORKLOADS ]] || die "$WORKLOADS not built"
[[ -z $THIEF_ALT || -x $THIEF_ALT ]] || die "BENCH_THIEF_ALT=$THIEF_ALT is not an executable"

# Busy % of all CPUs over 1 s (from /proc/stat): other work on the machine.
busy_pct() {
    local a b
    read -r -a a </proc/stat
    nap 1
    read -r -a b </proc/stat
    local busy=0 total=0 i d
    for ((i = 1; i <= 8; i++)); do
        d=$((b[i] - a[i]))
        total=$((total + d))
        ((i != 4 && i != 5)) && busy=$((busy + d)) # not idle, not iowait
    done
    echo $((total ? 100 * busy / total : 0))
}

BUSY_BEFORE=$(busy_pct)
for ((waited = 0; BUSY_BEFORE > 10 && waited < QUIET_WAIT; waited += 5)); do
    ((waited == 0)) && say "the machine is ${BUSY_BEFORE}% busy with other work: waiting up to ${QUIET_WAIT}s for it to settle"
    nap 4
    BUSY_BEFORE=$(busy_pct)
done
((BUSY_BEFORE > 10)) && say "warning: the machine is ${BUSY_BEFORE}% busy with other work; ratios will be noisy"

# bpftrace's tracepoints and perf's sched events need tracefs.
if [[ ! -d /sys/kernel/tracing/events ]]; then
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && MOUNTED_TRACEFS=1
    [[ -d /sys/kernel/tracing/events ]] || say "warning: tracefs is not mounted: bpftrace and perf sched may fail"
fi
(($(nproc) >= 2)) || die "needs 2 CPUs (the pipe benchmark runs on CPU 1, the victim on CPU 0)"
echo 0 >/proc/sys/kernel/bpf_stats_enabled # stats cost ~2 clock reads a program run: off for the rounds

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "host: $(hostname)"
    echo "nproc: $(nproc)"
    echo "kernel: $(uname -r)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "thief: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- Sources bpf 2>/dev/null || echo ' (modified)')"
    echo "perf: $(perf version 2>/dev/null)"
    echo "bpftrace: $(bpftrace --version 2>/dev/null)"
    echo "libbpf-tools: $(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null)"
    echo "hackbench: $(dpkg-query -W -f='rt-tests ${Version}' rt-tests 2>/dev/null)"
    echo "rounds: $ROUNDS"
    echo "loops: $LOOPS"
    echo "hackbench_args: -g $HB_GROUPS -l $HB_LOOPS"
    echo "cost_loops: $COST_LOOPS"
    echo "cap_loops: $CAP_LOOPS"
    echo "many: $MANY"
    echo "scenarios: ${SCENARIOS[*]}"
    echo "clk_tck: $(getconf CLK_TCK)"
    echo "quick: $QUICK"
    echo "busy_before_pct: $BUSY_BEFORE"
} >"$OUT/machine.txt"
say "results in $OUT; rounds=$ROUNDS loops=$LOOPS hackbench=-g $HB_GROUPS -l $HB_LOOPS"

# ---- tracers -----------------------------------------------------------------
# start_tracer TRACER TARGET RUNFILE_PREFIX: starts it, waits until it is
# attached, records launch and ready times. TRACER_PID is empty for "none".
# TARGET is a PID, a PID list (PID,PID,…: thief only) or cgroup:DIR (thief
# only: --cgroup DIR).
start_tracer() {
    local tracer=$1 target=$2 r=$3 log pat
    TRACER_PID='' READY_AT='' T_LAUNCH=$EPOCHREALTIME
    case $tracer in
    none | thief | noop | thief-alt | watch) ;;
    *) [[ $target =~ ^[0-9]+$ ]] || die "$tracer takes one PID, not '$target'" ;;
    esac
    case $tracer in
    none) return 0 ;;
    thief | noop | thief-alt)
        local extra=() bin=$THIEF sel=(-p "$target")
        [[ $tracer == noop ]] && extra=(--noop-programs)
        [[ $tracer == thief-alt ]] && bin=$THIEF_ALT
        [[ $target == cgroup:* ]] && sel=(--cgroup "${target#cgroup:}")
        # Not -q: -q also hides the "thief: tracing" line that says it is attached.
        log=$r.err pat='^thief: tracing'
        T_LAUNCH=$EPOCHREALTIME
        spawn "$r.json" "$log" "$bin" "${sel[@]}" --format json "${extra[@]}"
        ;;
    watch)
        local sel=(-p "$target")
        [[ $target == cgroup:* ]] && sel=(--cgroup "${target#cgroup:}")
        mkdir -p "$WORK/watch"
        log=$r.err pat='^thief: tracing'
        T_LAUNCH=$EPOCHREALTIME
        spawn /dev/null "$log" "$THIEF" watch "${sel[@]}" --trigger 'wait > 1s' --dir "$WORK/watch"
        ;;
    perf-sched)
        log=$r.log
        T_LAUNCH=$EPOCHREALTIME
        spawn "$log" = perf sched record -o "$WORK/perf-sched.data"
        ;;
    runqlat | cpudist)
        log=$r.log pat='^Tracing'
        T_LAUNCH=$EPOCHREALTIME
        spawn "$log" = stdbuf -oL "/usr/sbin/$tracer" -p "$target"
        ;;
    bpftrace)
        log=$r.log pat='^thief.bt: tracing'
        T_LAUNCH=$EPOCHREALTIME
        spawn "$log" = bpftrace "$BT_SCRIPT" "$target"
        ;;
    *) die "unknown tracer $tracer" ;;
    esac
    TRACER_PID=$SPAWNED
    if [[ $tracer == perf-sched ]]; then
        # perf prints nothing once attached: give it a fixed time.
        nap "$PERF_WAIT"
        alive "$TRACER_PID" && READY_AT=$EPOCHREALTIME
    else
        wait_ready "$log" "$pat" "$TRACER_PID" 30
    fi
    if [[ -z $READY_AT ]]; then
        say "  $tracer did not attach: $(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ')"
        stop_group "$TRACER_PID" INT 5
        TRACER_PID=
        return 1
    fi
}

stop_tracer() {
    [[ -n $TRACER_PID ]] || return 0
    stop_group "$TRACER_PID" INT 60
    TRACER_STATUS=$LAST_STATUS
    TRACER_PID=
    rm -f "$WORK/perf-sched.data" "$WORK/perf-sched.data.old"
}

# Value of FIELD in "/proc/PID/sched" (se.sum_exec_runtime is in ms).
sched_field() {
    local line
    while IFS= read -r line; do
        if [[ $line == "$2"* ]]; then
            echo "${line##* }"
            return 0
        fi
    done <"/proc/$1/sched"
    echo NA
}

# Parse perf bench sched pipe output: PIPE_USECS, PIPE_TOTAL.
parse_pipe() {
    local line
    PIPE_USECS=NA PIPE_TOTAL=NA
    while IFS= read -r line; do
        [[ $line =~ ([0-9.]+)\ usecs/op ]] && PIPE_USECS=${BASH_REMATCH[1]}
        [[ $line =~ Total\ time:\ ([0-9.]+) ]] && PIPE_TOTAL=${BASH_REMATCH[1]}
    done <"$1"
}

# ---- scenarios ---------------------------------------------------------------
# Each run: (set up target) -> start tracer, wait attached, settle -> workload
# -> stop tracer with SIGINT, reap -> (tear down) -> results.tsv rows.

run_one() {
    local scen=$1 round=$2 pos=$3 tracer=$4
    local r=$OUT/runs/$scen-r$round-$tracer
    local target='' wrapper='' victim='' competitor=''
    case $scen in
    untargeted) target=$IDLE_PID ;;
    untargeted-cgroup) target=cgroup:$BENCH_CG ;;
    untargeted-many) target=$MANY_PIDS ;;
    targeted-cgroup)
        # As targeted, but the held process first joins the bench cgroup,
        # and the tracer targets the cgroup: both pipe threads are targets.
        rm -f "$WORK/go"
        mkfifo "$WORK/go"
        # shellcheck disable=SC2016 # expanded by the inner bash
        spawn_wl "$r.pipe" /dev/null bash -c "$IN_CGROUP" "$BENCH_CG" \
            bash -c 'read -r _ <"$0"; exec taskset -c 1 perf bench sched pipe -T -l "$1"' "$WORK/go" "$LOOPS"
        wrapper=$SPAWNED target=cgroup:$BENCH_CG
        if ! wait_joined "$wrapper"; then
            say "  $scen round $round: $tracer: the workload did not join $BENCH_CG"
            rec "$scen" "$round" "$pos" "$tracer" failed 1
            stop_group "$wrapper" KILL 2
            return 0
        fi
        ;;
    targeted)
        # The target is a process held on a FIFO that then execs the pipe
        # benchmark in threaded mode (-T): same PID throughout, so every tool's
        # -p filter (tgid) matches, and the workload starts only once the
        # tracer is attached.
        rm -f "$WORK/go"
        mkfifo "$WORK/go"
        # shellcheck disable=SC2016 # expanded by that bash
        spawn_wl "$r.pipe" /dev/null bash -c 'read -r _ <"$0"; exec taskset -c 1 perf bench sched pipe -T -l "$1"' "$WORK/go" "$LOOPS"
        wrapper=$SPAWNED target=$wrapper
        ;;
    mixed)
        spawn_wl /dev/null /dev/null "$WORKLOADS" spin --name victim --cpu 0 --seconds 900
        victim=$SPAWNED target=$victim
        spawn_wl /dev/null /dev/null "$WORKLOADS" spin --name competitor --cpu 0 --seconds 900
        competitor=$SPAWNED
        nap 0.2
        ;;
    esac

    if ! start_tracer "$tracer" "$target" "$r"; then
        rec "$scen" "$round" "$pos" "$tracer" failed 1
        [[ -n $wrapper ]] && stop_group "$wrapper" KILL 2
        [[ -n $victim ]] && stop_group "$victim" KILL 2 && stop_group "$competitor" KILL 2
        return 0
    fi
    [[ $tracer != none ]] && rec "$scen" "$round" "$pos" "$tracer" attach_s \
        "$(((${READY_AT/./} - ${T_LAUNCH/./}) / 1000))e-3"
    nap "$SETTLE"

    local msg=
    case $scen in
    untargeted | untargeted-cgroup | untargeted-many)
        spawn_wl "$r.pipe" /dev/null taskset -c 1 perf bench sched pipe -l "$LOOPS"
        reap "$SPAWNED"
        parse_pipe "$r.pipe"
        rec "$scen" "$round" "$pos" "$tracer" usecs_per_op "$PIPE_USECS"
        rec "$scen" "$round" "$pos" "$tracer" total_s "$PIPE_TOTAL"
        msg="$PIPE_USECS usecs/op"
        ;;
    targeted | targeted-cgroup)
        if ! release "$WORK/go"; then
            say "  $scen round $round: $tracer: the workload never read its go (FIFO): killed"
            stop_group "$wrapper" KILL 2
        fi
        reap "$wrapper"
        parse_pipe "$r.pipe"
        rec "$scen" "$round" "$pos" "$tracer" usecs_per_op "$PIPE_USECS"
        rec "$scen" "$round" "$pos" "$tracer" total_s "$PIPE_TOTAL"
        msg="$PIPE_USECS usecs/op"
        ;;
    mixed)
        local s0 s1 c0 c1 t0 t1 line hb=NA
        s0=$(sched_field "$victim" se.sum_exec_runtime) c0=$(sched_field "$competitor" se.sum_exec_runtime) t0=$EPOCHREALTIME
        spawn_wl "$r.hackbench" /dev/null hackbench -g "$HB_GROUPS" -l "$HB_LOOPS"
        reap "$SPAWNED"
        s1=$(sched_field "$victim" se.sum_exec_runtime) c1=$(sched_field "$competitor" se.sum_exec_runtime) t1=$EPOCHREALTIME
        while IFS= read -r line; do [[ $line =~ ^Time:\ ([0-9.]+) ]] && hb=${BASH_REMATCH[1]}; done <"$r.hackbench"
        rec "$scen" "$round" "$pos" "$tracer" hackbench_s "$hb"
        rec "$scen" "$round" "$pos" "$tracer" victim_ms "$s0 $s1"
        rec "$scen" "$round" "$pos" "$tracer" competitor_ms "$c0 $c1"
        rec "$scen" "$round" "$pos" "$tracer" wall "$t0 $t1"
        msg="hackbench ${hb}s, victim $(python3 -c "print(f'{($s1-$s0)/(($t1-$t0)*1000):.3f}')" 2>/dev/null) CPU"
        ;;
    esac
    stop_tracer
    [[ $tracer != none ]] && rec "$scen" "$round" "$pos" "$tracer" exit "$TRACER_STATUS"
    [[ $tracer == thief* || $tracer == noop ]] && rec "$scen" "$round" "$pos" "$tracer" json "$r.json"
    [[ -n $wrapper ]] && stop_group "$wrapper" KILL 2
    if [[ -n $victim ]]; then
        stop_group "$victim" KILL 2
        stop_group "$competitor" KILL 2
    fi
    say "  $scen round $round: $tracer: $msg"
}

# Start MANY idle sleeps in one process group: a bash starts MANY-1 and then
# execs the last itself, so the group is MANY sleeps and nothing else, all of
# them targets. MANY_PIDS = their PIDs, comma-separated; MANY_GROUP = the
# group (stopped as one).
start_many() {
    local pids=() pid i
    : >"$WORK/many.pids" # read before the spawned bash opens it
    # shellcheck disable=SC2016 # expanded by that bash
    spawn_wl "$WORK/many.pids" /dev/null bash -c 'for ((i = 1; i < $0; i++)); do sleep 3600 & echo $!; done; echo $$; exec sleep 3600 >&-' "$MANY"
    MANY_GROUP=$SPAWNED
    for ((i = 0; i < 500; i++)); do
        mapfile -t pids <"$WORK/many.pids"
        ((${#pids[@]} >= MANY)) && break
        nap 0.02
    done
    ((${#pids[@]} >= MANY)) || die "could not start $MANY idle processes"
    for pid in "${pids[@]}"; do alive "$pid" || die "idle process $pid is gone"; done
    MANY_PIDS=$(IFS=,; echo "${pids[*]}")
}

((NEED_CGROUP)) && make_cgroup
for scen in "${SCENARIOS[@]}"; do
    case $scen in
    *-cgroup) say "scenario $scen (cgroup $BENCH_CG)" ;;
    *) say "scenario $scen" ;;
    esac
    IDLE_PID='' MANY_GROUP='' MANY_PIDS=''
    case $scen in
    untargeted)
        spawn_wl /dev/null /dev/null sleep 3600
        IDLE_PID=$SPAWNED
        ;;
    untargeted-cgroup)
        # The traced cgroup holds one idle sleep; the pipe benchmark runs outside.
        spawn_wl /dev/null /dev/null bash -c "$IN_CGROUP" "$BENCH_CG" sleep 3600
        IDLE_PID=$SPAWNED
        wait_joined "$IDLE_PID" || die "the idle sleep did not join $BENCH_CG"
        ;;
    untargeted-many) start_many ;;
    esac
    # The peers take one PID: the service targets run thief's tracers only.
    scen_tracers=()
    for tracer in "${TRACERS[@]}"; do
        case $scen:$tracer in
        untargeted-cgroup:* | untargeted-many:* | targeted-cgroup:*)
            case $tracer in none | thief | noop | thief-alt | watch) scen_tracers+=("$tracer") ;; esac
            ;;
        *) scen_tracers+=("$tracer") ;;
        esac
    done
    n=${#scen_tracers[@]}
    for ((round = 1; round <= ROUNDS; round++)); do
        for ((i = 0; i < n; i++)); do
            # Rotate the order every round so no tracer always runs first or
            # right after a heavy one.
            tracer=${scen_tracers[((i + round - 1) % n)]}
            run_one "$scen" "$round" "$i" "$tracer"
        done
    done
    [[ -n $IDLE_PID ]] && stop_group "$IDLE_PID" KILL 2
    [[ -n $MANY_GROUP ]] && stop_group "$MANY_GROUP" KILL 2
done
remove_cgroup

# ---- thief's own costs -------------------------------------------------------
# Under /usr/bin/time -v. thief/noop/capacity: thief -- CMD, where CMD runs the
# pipe benchmark(s) and then holds on a FIFO so that BPF statistics, CPU time
# and memory can be read while thief is still attached; released, it ends and
# thief ends by itself (target exited). idle: thief -p on an idle sleep while
# the pipe benchmark runs untargeted (the per-event cost everyone else pays).
cost_run() {
    local mode=$1
    local r=$OUT/runs/cost-$mode cmd idle='' extra=() target=()
    rm -f "$WORK/hold" "$r".*
    mkfifo "$WORK/hold"
    [[ $mode == noop ]] && extra=(--noop-programs)
    case $mode in
    idle)
        # Untargeted: what every other process pays per event.
        spawn_wl /dev/null /dev/null sleep 3600
        idle=$SPAWNED
        target=(-p "$idle")
        ;;
    capacity)
        cmd="taskset -c 0 perf bench sched pipe -T -l $CAP_LOOPS >$r.pipe0 & taskset -c 1 perf bench sched pipe -T -l $CAP_LOOPS >$r.pipe1 & wait; read -r _ <$WORK/hold"
        target=(-- bash -c "$cmd")
        ;;
    *)
        cmd="taskset -c 1 perf bench sched pipe -T -l $COST_LOOPS >$r.pipe1; read -r _ <$WORK/hold"
        target=(-- bash -c "$cmd")
        ;;
    esac
    local t_launch=$EPOCHREALTIME
    spawn "$r.json" "$r.err" /usr/bin/time -v -o "$r.time" "$THIEF" "${extra[@]}" --format json "${target[@]}"
    local tpid=$SPAWNED
    if ! wait_ready "$r.err" '^thief: tracing' "$tpid" 30; then
        say "  cost run $mode: thief did not attach: $(tail -n 3 "$r.err" | tr '\n' ' ')"
        stop_group "$tpid" KILL 2
        [[ -n $idle ]] && stop_group "$idle" KILL 2
        return 1
    fi
    local t_ready=$READY_AT thief_pid children
    read -r children </proc/"$tpid"/task/"$tpid"/children 2>/dev/null
    thief_pid=${children%% *}
    local files=("$r.pipe1") f done=0 i
    [[ $mode == capacity ]] && files=("$r.pipe0" "$r.pipe1")
    if [[ $mode == idle ]]; then
        nap "$SETTLE"
        spawn_wl "$r.pipe1" /dev/null taskset -c 1 perf bench sched pipe -l "$COST_LOOPS"
        reap "$SPAWNED"
    else
        for ((i = 0; i < 600 * 50; i++)); do
            done=1
            for f in "${files[@]}"; do grep -q usecs/op "$f" 2>/dev/null || done=0; done
            ((done)) && break
            alive "$tpid" || break
            nap 0.02
        done
    fi
    local t_done=$EPOCHREALTIME
    bpftool prog show -j >"$r.bpftool.json" 2>/dev/null
    cat "/proc/$thief_pid/stat" >"$r.stat" 2>/dev/null
    cat "/proc/$thief_pid/status" >"$r.status" 2>/dev/null
    cat "/proc/$thief_pid/smaps" >"$r.smaps" 2>/dev/null
    if [[ -n $idle ]]; then
        stop_group "$tpid" INT 10
        stop_group "$idle" KILL 2
    else
        release "$WORK/hold" 10 || say "  cost run $mode: the command never read its FIFO"
        for ((i = 0; i < 10 * 50; i++)); do alive "$tpid" || break; nap 0.02; done
        stop_group "$tpid" INT 10
    fi
    rec cost 1 0 "$mode" t_launch "$t_launch"
    rec cost 1 0 "$mode" t_ready "$t_ready"
    rec cost 1 0 "$mode" t_done "$t_done"
    rec cost 1 0 "$mode" prefix "$r"
    say "  cost run $mode: done"
}

if [[ ${BENCH_SKIP_COST:-0} != 1 ]]; then
    say "thief's own costs (targeted pipe benchmark, bpf_stats_enabled=1)"
    echo 1 >/proc/sys/kernel/bpf_stats_enabled
    cost_run thief
    cost_run noop
    cost_run idle
    echo 0 >/proc/sys/kernel/bpf_stats_enabled
    say "ring-buffer capacity (two targeted pipe benchmarks, one per CPU, -l $CAP_LOOPS each)"
    cost_run capacity
    # The consumer alone: synthetic ping-pong records through the same fold
    # the live consumer runs (CPU time, so a busy machine matters less).
    say "consumer drain rate (thief-workloads bench-consumer)"
    { "$WORKLOADS" bench-consumer && "$WORKLOADS" bench-consumer --interval-ms 1000; } >"$OUT/consumer.txt" 2>&1 ||
        say "  bench-consumer failed: $(tail -n 1 "$OUT/consumer.txt")"
fi

# A long run for memory: thief -p on a task that switches ~2000 times a
# second, reporting every 10 s, for BENCH_SOAK seconds; peak RSS.
if ((SOAK > 0)); then
    say "soak: thief -p --interval 10s on a 1 ms periodic task for ${SOAK} s (peak RSS)"
    spawn_wl /dev/null /dev/null "$WORKLOADS" periodic --name soak --period-ms 1 --burst-ms 0 --seconds $((SOAK + 30))
    soak_wl=$SPAWNED
    spawn "$OUT/runs/soak.ndjson" "$OUT/runs/soak.err" /usr/bin/time -v -o "$OUT/runs/soak.time" \
        "$THIEF" -p "$soak_wl" -d "${SOAK}s" --interval 10s --format ndjson -q
    reap "$SPAWNED"
    stop_group "$soak_wl" KILL 2
    echo "soak_s: $SOAK" >>"$OUT/machine.txt"
fi

BENCH_END=$EPOCHREALTIME
echo "elapsed_s: $(((${BENCH_END/./} - ${BENCH_START/./}) / 1000000))" >>"$OUT/machine.txt"
BUSY_AFTER=$(busy_pct)
echo "busy_after_pct: $BUSY_AFTER" >>"$OUT/machine.txt"
((BUSY_AFTER > 10)) && say "warning: other work is running now (${BUSY_AFTER}% busy): it may have disturbed the rounds"
python3 "$STATS" "$OUT" | tee "$OUT/report.md"
say "done in $(((${BENCH_END/./} - ${BENCH_START/./}) / 1000000)) s; raw data and report.md in $OUT"
