#!/usr/bin/env bash
# One command from a fresh clone: install dependencies, build, run every test.
# Live eBPF tests need root and /sys/kernel/btf/vmlinux; elsewhere they skip
# with that reason, unless THIEF_REQUIRE_LIVE=1 (CI), where a skip is a failure.
# The lint step (scripts/lint.sh) fails on any formatter finding; CI builds
# with THIEF_WERROR=1, where any compiler warning in thief's own code fails.
# THIEF_SANITIZERS=1 and THIEF_FUZZ_SECONDS=N add the sanitizer and fuzzing steps.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/lint.sh
swift build --build-tests
if [[ "${THIEF_REQUIRE_LIVE:-0}" == 1 && ( $(id -u) -ne 0 || ! -r /sys/kernel/btf/vmlinux ) ]]; then
    echo "test.sh: THIEF_REQUIRE_LIVE=1 but live eBPF tests cannot run here (need root and /sys/kernel/btf/vmlinux)" >&2
    exit 1
fi
# Unit, golden and gate tests in parallel; the live eBPF tests one suite at a
# time: they load the machine (10,000 threads, fork storms, spinners pinned
# to a CPU) and measure it against the kernel's books, so one suite's load
# would be another's error (a 1 s spinner got 0.14 s of CPU beside the
# 10,000 threads). With arguments (--filter X), one run of those, one at a time.
if (($# > 0)); then
    swift test --skip-build --no-parallel "$@"
else
    swift test --skip-build --skip ThiefLiveTests
    swift test --skip-build --no-parallel --filter ThiefLiveTests
fi
# Opt-in (CI sets both in .ci/run; locally they default to off):
# THIEF_SANITIZERS=1 runs the unit tests under ASan and UBSan (scripts/sanitize.sh),
# THIEF_FUZZ_SECONDS=N runs every fuzz target for N seconds (scripts/fuzz.sh).
if [[ "${THIEF_SANITIZERS:-0}" == 1 ]]; then
    scripts/sanitize.sh
fi
if (("${THIEF_FUZZ_SECONDS:-0}" > 0)); then
    scripts/fuzz.sh "$THIEF_FUZZ_SECONDS"
fi
