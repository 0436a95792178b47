#!/usr/bin/env bash
# One command from a fresh clone: install dependencies, build a release
# binary, and run `thief demo` (a bounded built-in interference scenario).
# Extra arguments go to `thief demo` (e.g. --format json, -d 10s).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
# Static Swift runtime: a smaller, faster-starting process (docs/overhead.md).
swift build -c release --static-swift-stdlib --product thief >&2
exec .build/release/thief demo "$@"
