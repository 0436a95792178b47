#!/usr/bin/env bash
# Fails (exit 1) if a module linked into the thief executable imports full
# Foundation (or FoundationInternationalization, FoundationNetworking,
# FoundationXML) instead of FoundationEssentials (+ Glibc): any such import
# links ICU's data, 34 MB of the 63 MB packaged binary (docs/packaging.md).
# Test targets, thief-fuzz, thief-workloads and bpf-embed are separate
# executables and may import Foundation. Run by scripts/lint.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# The `thief` executable's own modules (Package.swift: its target and what it depends on).
shipped=(ThiefCore ThiefReport ThiefGate ThiefTracer ThiefWorkloads thief)
dirs=()
for m in "${shipped[@]}"; do
    [[ -d Sources/$m ]] || { echo "lint-imports.sh: Sources/$m is gone: update the list of shipped modules" >&2; exit 2; }
    dirs+=("Sources/$m")
done
pattern='^[[:space:]]*(@[[:alnum:]_]+[[:space:]]+)*((public|package|internal|fileprivate|private)[[:space:]]+)?import[[:space:]]+((struct|class|enum|protocol|typealias|func|var|let)[[:space:]]+)?Foundation(Internationalization|Networking|XML)?([[:space:].]|$)'
if found=$(grep -rnE --include='*.swift' "$pattern" "${dirs[@]}"); then
    printf '%s\n' "$found" >&2
    echo "lint-imports.sh: import FoundationEssentials (and Glibc) instead: full Foundation links ICU's" \
        "34 MB of data into thief (docs/packaging.md, 'Size and memory')" >&2
    exit 1
fi
