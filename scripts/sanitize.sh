#!/usr/bin/env bash
# Runs the unit tests (ThiefCoreTests, ThiefGateTests) once under
# AddressSanitizer (Swift and the C shims, leak detection on) and once under
# UndefinedBehaviorSanitizer. Swift has no -sanitize=undefined on Linux (its
# own checks trap on overflow and out-of-bounds already), so UBSan instruments
# the C targets (CThiefABI, CThiefSys, CThiefBPF) and stops at the first
# report. Leaks inside the toolchain's libraries are suppressed
# (scripts/lsan.supp says which). Each sanitizer builds in its own scratch path (.build-asan,
# .build-ubsan). Installs nothing. scripts/test.sh runs it with THIEF_SANITIZERS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
filter='ThiefCoreTests|ThiefGateTests'

# The build runs the bpf-embed plugin tool, built with the same flags; it
# leaks 32 bytes inside Foundation's Process.run, so leaks are checked in the
# tests only. (gold warns about every ASan helper symbol: noise, filtered.)
run() {
    local name=$1 start=$SECONDS
    shift
    echo "sanitize.sh: $name: building in .build-$name"
    ASAN_OPTIONS=detect_leaks=0 swift build --build-tests --scratch-path ".build-$name" "$@" 2>&1 |
        { grep -v "Cannot export local symbol" || true; }
    test "${PIPESTATUS[0]}" -eq 0
    swift test --skip-build --scratch-path ".build-$name" --filter "$filter"
    echo "sanitize.sh: $name: passed in $((SECONDS - start)) s"
}

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run asan -Xswiftc -sanitize=address -Xcc -fsanitize=address
run ubsan -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined \
    -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined
