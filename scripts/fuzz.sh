#!/usr/bin/env bash
# Fuzzes thief's parsers: builds thief-fuzz (Sources/thief-fuzz) with libFuzzer
# and AddressSanitizer, then runs each target for SECONDS (default 60) on a
# temporary copy of its seeds in Tests/Fuzz/Corpus/<target> (new inputs never
# go into the repository). Fails on any crash, leak, timeout or broken
# invariant; a crashing input is kept under .build-fuzz/artifacts/ and can be
# replayed with a plain build: .build/debug/thief-fuzz TARGET FILE.
# THIEF_FUZZ_TARGETS="rule tids" runs only those. Installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
all=(recording pipeline report rule duration tids csv-header proc-stat proc-sched online-cpus kallsyms)
read -r -a targets <<<"${THIEF_FUZZ_TARGETS:-${all[*]}}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DTHIEF_FUZZ)
# The build's output is shown only if it fails: SwiftPM also links the
# build-tool plugin's bpf-embed with these flags, which fails harmlessly (a
# host tool is no fuzzer; thief-fuzz does not need it), and gold warns about
# every ASan helper symbol.
echo "fuzz.sh: building thief-fuzz (libFuzzer + ASan) in .build-fuzz"
if ! swift build "${flags[@]}" --product thief-fuzz >"$work/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$work/build.log" >&2
    exit 1
fi
bin="$(swift build "${flags[@]}" --show-bin-path)/thief-fuzz"
artifacts="$PWD/.build-fuzz/artifacts"
mkdir -p "$artifacts"
failed=()
for t in "${targets[@]}"; do
    case $t in
        pipeline) max_len=131072 ;;
        recording | report | proc-sched) max_len=65536 ;;
        csv-header | proc-stat) max_len=4096 ;;
        *) max_len=512 ;;
    esac
    cp -r "Tests/Fuzz/Corpus/$t" "$work/$t"
    rc=0
    # (Swift's own crash handler would read memory ASan watches and hide the
    # trap; libFuzzer's deadly-signal handler prints the stack instead.)
    THIEF_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=1 SWIFT_BACKTRACE=enable=no "$bin" "$work/$t" \
        -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -detect_leaks=1 \
        -artifact_prefix="$artifacts/$t-" >"$work/$t.log" 2>&1 || rc=$?
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t.log" | tail -1 || true)
    if ((rc == 0)); then
        printf '%-12s %s\n' "$t" "$done_line"
    else
        failed+=("$t")
        printf '%-12s FAILED (exit %d):\n' "$t" "$rc"
        # What failed, the stack from thief's frames on, and where the input went.
        awk '/ERROR:|Fatal error|invariant broken/ { on = 1 }
             on && (/ERROR:|Fatal error|invariant broken|SUMMARY/ || / in (\$s|Swift runtime)/) { print "    " $0; n++ }
             n >= 25 { exit }' "$work/$t.log" || true
        grep -E 'Test unit written to' "$work/$t.log" | tail -1 | sed 's/^/    /' || true
    fi
done
if ((${#failed[@]})); then
    echo "fuzz.sh: ${failed[*]} failed" >&2
    exit 1
fi
