#!/usr/bin/env bash
# The formatters as linters: swift-format (.swift-format) over the Swift
# sources, tests, plugins and the manifest, and clang-format (.clang-format)
# over the C and BPF code, scripts/check-links.py over the documentation
# (every relative link of README.md and docs/*.md points at a file and heading
# that exist), and scripts/lint-imports.sh (no full Foundation in what the
# thief executable links). Any finding fails (exit 1). It installs nothing:
# scripts/deps.sh does. Fix findings with:
#   swift format format -i -r --configuration .swift-format Sources Tests Plugins Package.swift
#   clang-format -i --style=file FILES
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${THIEF_LINT:-1}" == 0 ]]; then
    echo "lint.sh: skipped (THIEF_LINT=0)" >&2
    exit 0
fi
scripts/check-links.py
out=$(swift format lint --strict --recursive --configuration .swift-format Sources Tests Plugins Package.swift 2>&1) || true
if [[ -n $out ]]; then
    printf '%s\n' "$out" >&2
    echo "lint.sh: $(printf '%s\n' "$out" | grep -c ': \(warning\|error\)') swift-format findings" >&2
    exit 1
fi
scripts/lint-imports.sh
scripts/lint-c.sh
