#!/usr/bin/env bash
# scripts/check-binary.sh [BINARY] - fails (exit 1) unless BINARY (default
# dist/thief, what scripts/package.sh makes) is the portable executable of
# issue #20: an x86-64 ELF whose only shared libraries are libc, libm and the
# dynamic loader (readelf -d), with no RPATH/RUNPATH, no symbol version newer
# than GLIBC_2.34 and none of libstdc++ (GLIBCXX_, CXXABI_) or libgcc_s
# (GCC_) (objdump -T), and stripped (no .symtab). That is what RHEL 9
# (glibc 2.34) and Ubuntu 22.04 (no libbpf.so.1) need to run it.
# It also fails if BINARY holds ICU's data (its "icudt76l/…" item names), which
# any `import Foundation` in a module of thief links (34 MB), or is over 25 MB.
# It prints what it found: the NEEDED list, the highest GLIBC_ version, the size.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-dist/thief}
max_glibc=2.34
fail=0
bad() {
    echo "check-binary.sh: $bin: $*" >&2
    fail=1
}
[[ -f $bin ]] || { echo "check-binary.sh: $bin: no such file (run scripts/package.sh)" >&2; exit 2; }
header=$(readelf -h "$bin") || { echo "check-binary.sh: $bin: not an ELF file" >&2; exit 2; }
grep -q 'Machine:.*X86-64' <<<"$header" || bad "not an x86-64 executable"

dynamic=$(readelf -d "$bin")
mapfile -t needed < <(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$dynamic")
for lib in "${needed[@]}"; do
    case $lib in
    libc.so.6 | libm.so.6 | ld-linux-x86-64.so.2) ;;
    *) bad "needs $lib (only libc.so.6, libm.so.6 and ld-linux-x86-64.so.2 are allowed)" ;;
    esac
done
grep -E '\((RPATH|RUNPATH)\)' <<<"$dynamic" | sed "s|^ *|check-binary.sh: $bin: has |" >&2 && fail=1

versions=$(objdump -T "$bin" | grep -oE '\((GLIBC|GLIBCXX|CXXABI|GCC)_[0-9.]+\)' | tr -d '()' | sort -uV)
glibc=$(grep '^GLIBC_' <<<"$versions" | sed 's/^GLIBC_//' | sort -V | tail -n 1)
if [[ -z $glibc ]]; then
    bad "no GLIBC_ symbol versions found (objdump -T)"
elif [[ $(printf '%s\n%s\n' "$glibc" "$max_glibc" | sort -V | tail -n 1) != "$max_glibc" ]]; then
    bad "needs GLIBC_$glibc (at most GLIBC_$max_glibc): $(objdump -T "$bin" | awk -v m="$max_glibc" '
        match($0, /\(GLIBC_[0-9.]+\)/) { v = substr($0, RSTART + 7, RLENGTH - 8); split(v, a, "."); split(m, b, ".");
          if (a[1] > b[1] || (a[1] == b[1] && a[2] + 0 > b[2] + 0)) printf "%s@GLIBC_%s ", $NF, v }')"
fi
others=$(grep -v '^GLIBC_' <<<"$versions" | tr '\n' ' ' || true)
[[ -z $others ]] || bad "needs libstdc++/libgcc_s symbol versions: $others"

readelf -S "$bin" | grep -q ' \.symtab ' && bad "not stripped (has .symtab)"

# ICU's data, and the size it costs (issue #20: <= 25 MB stripped).
grep -aqE 'icudt[0-9]+l/' "$bin" &&
    bad "links ICU's data (34 MB): a module of thief imports full Foundation, not FoundationEssentials (scripts/lint-imports.sh names it)"
max_size=25000000
size=$(stat -c %s "$bin")
((size <= max_size)) || bad "is $size bytes, more than $max_size (25 MB; ICU's data is the usual cause, see docs/packaging.md)"

echo "check-binary.sh: $bin: $((size / 1024 / 1024)) MiB ($size bytes), NEEDED ${needed[*]}, highest GLIBC_$glibc"
if ((fail)); then
    echo "check-binary.sh: $bin is not the portable, lean binary of issue #20 (see above)" >&2
    exit 1
fi
