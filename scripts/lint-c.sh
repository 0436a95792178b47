#!/usr/bin/env bash
# Checks C files against .clang-format (clang-format 14, Debian's; installed
# by scripts/deps.sh, never by this script). With no arguments: every
# Sources/C*/**/*.{c,h} and bpf/*.{c,h}. Exit 0 clean, 1 findings (shown as
# clang-format's warnings), 2 clang-format missing.
# Fix a file with: clang-format -i --style=file FILE
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v clang-format >/dev/null; then
    echo "lint-c.sh: clang-format not found (scripts/deps.sh installs it)" >&2
    exit 2
fi
files=("$@")
if ((${#files[@]} == 0)); then
    shopt -s globstar nullglob
    files=("$root"/Sources/C*/**/*.[ch] "$root"/bpf/*.[ch])
fi
bad=0
for f in "${files[@]}"; do
    clang-format --dry-run -Werror --style="file:$root/.clang-format" "$f" || bad=1
done
if ((bad)); then
    echo "lint-c.sh: not formatted as .clang-format says (fix: clang-format -i --style=file FILE)" >&2
fi
exit "$bad"
