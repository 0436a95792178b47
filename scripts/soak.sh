#!/usr/bin/env bash
# scripts/soak.sh - thief under hostile workloads for a long time (issue 13,
# "Bounded memory under hostile workloads"). Run as root from a clone:
#
#     sudo scripts/soak.sh          # 600 s per scenario (~40 minutes)
#     sudo scripts/soak.sh 60       # 60 s per scenario
#
# Scenarios, each for SECONDS (thief -p TARGET -d SECONDS --self-cost):
#   fork-storm    a CPU-bound victim on CPU 0 and, on the same CPU, a process
#                 forking short-lived children as fast as it can (thousands of
#                 distinct thieves a second)
#   10k-threads   a target with 10,000 threads, each waking once a second
#   thread-churn  a target that creates and ends 1,000 threads a second
#   two-runs      two thief runs at once on one victim (with a competitor)
# For each thief run it prints peak RSS (VmHWM, from /usr/bin/time, which
# includes rendering the report), the report's own peak (self_cost.peak_rss_kb,
# taken before rendering), lost events, thief's CPU time (user + system), the
# thread rows and the threads they stand for (rows of exited threads folded per
# process count as the threads they sum). Exits 1 if any run lost events or
# failed, if any run's own peak exceeds SOAK_MAX_RSS_KB (40960: 40 MB), or if
# a peak with rendering does: SOAK_MAX_RSS_KB, except for 10k-threads,
# SOAK_MAX_RSS_10K_KB (81920: its report is 10,000 thread rows, and JSON
# encoding them takes ~25 MB). SOAK_ONLY="thread-churn 10k-threads" runs only
# the scenarios named. Builds thief and thief-workloads in release mode under
# .build-bench as scripts/bench.sh does (SOAK_SKIP_BUILD=1 skips it). SOAK_OUT
# keeps the reports (default: a temporary folder, removed unless a run failed).
set -uo pipefail

SECONDS_EACH=${1:-600}
[[ $SECONDS_EACH =~ ^[0-9]+$ && $SECONDS_EACH -ge 2 ]] || { echo "usage: soak.sh [SECONDS>=2]" >&2; exit 64; }
MAX_RSS_KB=${SOAK_MAX_RSS_KB:-40960}
MAX_RSS_10K_KB=${SOAK_MAX_RSS_10K_KB:-81920}
ONLY=${SOAK_ONLY:-fork-storm 10k-threads thread-churn two-runs}
wanted() { [[ " $ONLY " == *" $1 "* ]]; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
THIEF=$ROOT/.build-bench/release/thief
WORKLOADS=$ROOT/.build-bench/release/thief-workloads
OUT=${SOAK_OUT:-$(mktemp -d /tmp/thief-soak.XXXXXX)}
mkdir -p "$OUT"

say() { printf '[soak %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
[[ $EUID -eq 0 ]] || { echo "soak.sh: run as root (eBPF)" >&2; exit 2; }
(($(nproc) >= 2)) || { echo "soak.sh: needs 2 CPUs" >&2; exit 2; }

if [[ ${SOAK_SKIP_BUILD:-0} != 1 ]]; then
    say "building thief and thief-workloads (release, static as packaged, in .build-bench)"
    (cd "$ROOT" && source scripts/lib/static-build.sh && static_build .build-bench >"$OUT/build.log" 2>&1) ||
        { tail -20 "$OUT/build.log" >&2; say "build failed (log: $OUT/build.log)"; exit 2; }
fi
[[ -x $THIEF && -x $WORKLOADS ]] || { say "no release build under .build-bench"; exit 2; }

# Workload processes we started (killed on exit; each also ends by itself).
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

workload() { # KIND ARGS...: starts it in the background; WL=its pid
    "$WORKLOADS" "$@" --seconds $((SECONDS_EACH + 60)) >/dev/null 2>&1 &
    WL=$!
    PIDS+=("$WL")
}

thief_start() { # NAME TARGET [ARGS...]: thief under /usr/bin/time; TP=its pid
    local name=$1 target=$2
    shift 2
    /usr/bin/time -f '%M %U %S' -o "$OUT/$name.time" \
        "$THIEF" -p "$target" -d "${SECONDS_EACH}s" --self-cost --format json "$@" >"$OUT/$name.json" 2>"$OUT/$name.err" &
    TP=$!
}

stop() { # PID...: kills workloads we started and reaps them quietly
    kill -KILL "$@" 2>/dev/null
    wait "$@" 2>/dev/null
}

FAILED=0
printf '%-14s %-7s %12s %12s %10s %12s %12s %s\n' scenario run peak_rss_kb report_rss_kb lost cpu_s rows/threads thieves
result() { # SCENARIO RUN STATUS
    local name=$1-$2 status=$3 rss user sys line limit=$MAX_RSS_KB
    [[ $1 == 10k-threads ]] && limit=$MAX_RSS_10K_KB
    # /usr/bin/time writes "Command exited with non-zero status N" first on failure.
    line=$(tail -n 1 "$OUT/$name.time" 2>/dev/null) && read -r rss user sys <<<"$line"
    python3 - "$OUT/$name.json" "$1" "$2" "${rss:-NA}" "${user:-0}" "${sys:-0}" "$status" "$limit" "$MAX_RSS_KB" <<'PY'
import json, sys
path, scen, run, rss, user, sysc, status, limit, own_limit = sys.argv[1:]
try:
    r = json.load(open(path))
except Exception as e:
    print(f"{scen:<14} {run:<7} FAILED (exit {status}): no report ({e})")
    sys.exit(1)
lost = r.get("lost_events", -1)
rep = r.get("tracer", {}).get("self_cost", {}).get("peak_rss_kb", "NA")
rows = r.get("target", {}).get("threads", [])
threads = f"{len(rows)}/{sum(t.get('threads_folded', 1) for t in rows)}"
thieves = r.get("thieves", [])
others = [t for t in thieves if t.get("comm") == "(others)"]
tinfo = f"{len(thieves)}" + (f" (others: {others[0]['count']} steals)" if others else "")
cpu = float(user) + float(sysc)
print(f"{scen:<14} {run:<7} {rss:>12} {rep:>12} {lost:>10} {cpu:>12.2f} {threads:>12} {tinfo}")
bad = status != "0" or lost != 0 or rss == "NA" or int(rss) > int(limit) or rep == "NA" or int(rep) > int(own_limit)
sys.exit(1 if bad else 0)
PY
    (($? == 0)) || FAILED=1
}

# fork-storm: victim and storm share CPU 0; the storm's children are thieves.
if wanted fork-storm; then
say "fork-storm: ${SECONDS_EACH} s"
workload spin --name victim --cpu 0; victim=$WL
workload fork-storm --name storm --cpu 0 --rate 0; storm=$WL
sleep 0.3
thief_start fork-storm-1 "$victim"
wait "$TP"; result fork-storm 1 $?
stop "$victim" "$storm"
fi

# 10k-threads: wait until all 10,000 exist, then trace.
if wanted 10k-threads; then
say "10k-threads: ${SECONDS_EACH} s"
workload many-threads --name many --threads 10000 --period-ms 1000; many=$WL
for ((i = 0; i < 300; i++)); do
    n=$(ls "/proc/$many/task" 2>/dev/null | wc -l)
    ((n >= 10000)) && break
    sleep 0.1
done
say "  target has $(ls "/proc/$many/task" 2>/dev/null | wc -l) threads"
thief_start 10k-threads-1 "$many"
wait "$TP"; result 10k-threads 1 $?
stop "$many"
fi

if wanted thread-churn; then
say "thread-churn: 1000 threads/s, ${SECONDS_EACH} s"
workload thread-churn --name churn --rate 1000; churn=$WL
sleep 0.2
thief_start thread-churn-1 "$churn"
wait "$TP"; result thread-churn 1 $?
stop "$churn"
fi

if wanted two-runs; then
say "two-runs: two thief runs at once on one victim, ${SECONDS_EACH} s"
workload spin --name victim --cpu 0; victim=$WL
workload periodic --name competitor --cpu 0 --period-ms 2 --burst-ms 1; comp=$WL
sleep 0.3
thief_start two-runs-1 "$victim"; t1=$TP
thief_start two-runs-2 "$victim" --attach raw_tp; t2=$TP
wait "$t1"; s1=$?
wait "$t2"; s2=$?
result two-runs 1 $s1
result two-runs 2 $s2
stop "$victim" "$comp"
fi

if ((FAILED)); then
    say "FAILED: a run lost events, failed, or its peak RSS exceeded its bound (reports in $OUT)"
    trap - EXIT; cleanup
    exit 1
fi
say "ok: every run within its peak RSS bound with no lost events"
[[ -n ${SOAK_OUT:-} ]] || rm -rf "$OUT"
