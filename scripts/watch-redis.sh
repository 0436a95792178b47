#!/usr/bin/env bash
# scripts/watch-redis.sh - the real capture in docs/watch.md: Debian's
# redis-server under redis-benchmark, a backup-like job bursting on its CPU,
# and thief watch catching the waits it causes. Run as root from a clone,
# after a release build (.build-bench, as scripts/bench.sh makes it):
#
#     sudo scripts/watch-redis.sh            # 40 s of watching
#     sudo scripts/watch-redis.sh 60 /tmp/x  # 60 s, captures kept in /tmp/x
#
# redis-server (its own instance: port $WATCH_REDIS_PORT, 6391, no
# persistence) is pinned to CPU 1 and redis-benchmark to CPU 0. Every 6 s
# `xz -T8 --block-size=1MiB` compresses 24 MB on CPU 1: eight threads beside
# redis, each given a slice in turn, so redis waits for several (a backup
# job that shares the service's CPU). thief watch, pinned to
# CPU 0, watches redis with --trigger 'wait > 20ms'. At the end it prints the
# watch's log, the first capture's report.txt opening and the directory.
set -euo pipefail

SECS=${1:-40}
OUT=${2:-$(mktemp -d /tmp/thief-watch-redis.XXXXXX)}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
THIEF=${WATCH_REDIS_THIEF:-$ROOT/.build-bench/release/thief}
PORT=${WATCH_REDIS_PORT:-6391}
[[ $SECS =~ ^[0-9]+$ && $SECS -ge 10 ]] || { echo "usage: watch-redis.sh [SECONDS>=10] [DIR]" >&2; exit 64; }
command -v redis-server >/dev/null || { echo "watch-redis.sh: needs redis-server and redis-tools (apt-get install)" >&2; exit 2; }
mkdir -p "$OUT/captures"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT

taskset -c 1 redis-server --port "$PORT" --save '' --appendonly no --dir "$OUT" >"$OUT/redis.log" 2>&1 &
REDIS=$!
pids+=("$REDIS")
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
head -c 24M /dev/urandom | base64 >"$OUT/backup.in" # compressible, not trivially

: >"$OUT/watch.log"
taskset -c 0 "$THIEF" watch -p "$REDIS" --trigger 'wait > 20ms' --before 5s --after 1s --cooldown 10s \
    --dir "$OUT/captures" -d "${SECS}s" 2>"$OUT/watch.log" &
THIEF_PID=$!
pids+=("$THIEF_PID")
until grep -q '^thief: tracing' "$OUT/watch.log"; do sleep 0.1; done

taskset -c 0 redis-benchmark -p "$PORT" -c 20 -P 4 -t set,get -n 1000000000 -q >/dev/null 2>&1 &
pids+=($!)
(
    sleep 3
    while :; do
        taskset -c 1 xz -T8 --block-size=1MiB -6 -c "$OUT/backup.in" >/dev/null
        sleep 6
    done
) &
pids+=($!)
wait "$THIEF_PID" || true
cat "$OUT/watch.log"
first=$(find "$OUT/captures" -mindepth 1 -maxdepth 1 -name 'thief-*' | sort | head -n 1)
# The opening: the trigger, the wait that fired, the advice (up to the rule before the whole report).
[[ -n $first ]] && sed -n '/^-\{72\}$/q; p' "$first/report.txt"
echo "watch-redis.sh: captures in $OUT/captures"
