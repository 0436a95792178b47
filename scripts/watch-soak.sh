#!/usr/bin/env bash
# scripts/watch-soak.sh - thief watch for a long time with a spike every 5 s
# (issue 21: "a soak with a spike every 5 s keeps RSS flat"). Run as root from
# a clone, after a release build (.build-bench, as scripts/bench.sh makes it):
#
#     sudo scripts/watch-soak.sh          # 600 s
#     sudo scripts/watch-soak.sh 120      # 120 s
#
# A victim wakes every millisecond on CPU 1 (SCHED_FIFO 1); every 5 s a
# competitor (SCHED_FIFO 2, CPU 1) spins 30 ms once: one wait of ~30 ms.
# thief watch --trigger 'wait > 25ms' --before 2s --after 500ms --keep 3
# --memory $WATCH_SOAK_MEMORY (16MiB) captures each spike. Every 10 s it
# prints thief's RSS (VmRSS) and the captures logged so far; at the end the
# first RSS, the first and last after the first minute (the ring fills in the
# first seconds), the peak (VmHWM), the captures (one per spike expected), the
# directories kept, and thief's own last line: triggers suppressed, records
# lost and switches rebuilt over the whole soak.
# Exits 1 if RSS after the first minute grew more than 2 MiB or captures
# are missing.
set -uo pipefail

SECS=${1:-600}
[[ $SECS =~ ^[0-9]+$ && $SECS -ge 30 ]] || { echo "usage: watch-soak.sh [SECONDS>=30]" >&2; exit 64; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${WATCH_SOAK_BIN:-$ROOT/.build-bench/release}
MEMORY=${WATCH_SOAK_MEMORY:-16MiB}
DIR=$(mktemp -d /tmp/thief-watch-soak.XXXXXX)
trap 'kill "$VICTIM" "$THIEF" 2>/dev/null; rm -rf "$DIR"' EXIT

taskset -c 1 chrt -f 1 "$BIN/thief-workloads" periodic --name soakvictim --period-ms 1 --burst-ms 0 \
    --seconds $((SECS + 30)) &
VICTIM=$!
sleep 0.3
"$BIN/thief" watch -p "$VICTIM" --trigger 'wait > 25ms' --before 2s --after 500ms --keep 3 \
    --memory "$MEMORY" --dir "$DIR" -d "${SECS}s" 2>"$DIR.log" &
THIEF=$!
until grep -q '^thief: tracing' "$DIR.log" 2>/dev/null; do sleep 0.1; done
start=$SECONDS spikes=0 rss=() peak=0
while ((SECONDS - start < SECS - 3)); do
    sleep 5
    taskset -c 1 chrt -f 2 "$BIN/thief-workloads" burst --name soakspike --delay-ms 0 --burst-ms 30 \
        --seconds 0.05 >/dev/null &
    spikes=$((spikes + 1))
    if ((spikes % 2 == 0)); then
        r=$(awk '/^VmRSS/ {print $2}' "/proc/$THIEF/status" 2>/dev/null)
        hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$THIEF/status" 2>/dev/null)
        ((${hwm:-0} > peak)) && peak=$hwm
        # (Empty once thief has ended: its -d can end before the last sample.)
        [[ -n $r ]] && rss+=("$((SECONDS - start)):$r")
        echo "t=$((SECONDS - start))s rss=${r}kB captures=$(grep -c ' -> ' "$DIR.log")"
    fi
done
wait "$THIEF"
status=$?
captures=$(grep -c ' -> ' "$DIR.log")
kept=$(find "$DIR" -mindepth 1 -maxdepth 1 -name 'thief-*' | wc -l)
initial=${rss[0]#*:} first='' last=''
for s in "${rss[@]}"; do
    t=${s%%:*} v=${s#*:}
    ((t >= 60)) && [[ -z $first ]] && first=$v
    last=$v
done
echo "watch-soak: ${SECS}s, exit $status, $spikes spikes, $captures captures, $kept kept (--keep 3), --memory $MEMORY"
echo "watch-soak: RSS at ${rss[0]%%:*} s ${initial:-?} kB, after the first minute ${first:-?} kB," \
    "at the end ${last:-?} kB, peak (VmHWM) ${peak} kB"
grep '^thief watch: ended:' "$DIR.log" | sed 's/^/watch-soak: /'
# min, median, max of the log's "seen Xms after it" and "on disk Xms after its window".
spread() {
    grep -o "$1 [0-9.]*ms" "$DIR.log" | tr -dc '0-9.\n' | sort -n |
        awk -v what="$2" '{v[NR] = $1} END {if (NR) printf "watch-soak: %s: min %s ms, median %s ms, max %s ms (%d captures)\n", what, v[1], v[int((NR + 1) / 2)], v[NR], NR}'
}
spread seen 'trigger seen after the wait ended'
spread 'on disk' 'capture on disk after its after-window'
rm -f "$DIR.log"
fail=0
[[ $status == 0 ]] || fail=1
((captures >= spikes - 1)) || fail=1
[[ -n $first && -n $last ]] && ((last - first > 2048)) && fail=1
exit $fail
