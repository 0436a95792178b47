#!/usr/bin/env bash
# scripts/package.sh - the portable release thief (issue #20), as dist/thief:
# a release build with libbpf, libelf and zlib linked from Debian's .a files
# (THIEF_STATIC=1 in Package.swift), the Swift runtime and Foundation static
# (--static-swift-stdlib), libstdc++ and libgcc static, no RUNPATH, stripped.
# Its only shared libraries are libc, libm and the dynamic loader, and it needs
# glibc 2.34 at most: scripts/check-binary.sh checks that and fails otherwise.
# dist/thief is a stable path: the kernel matrix boots this binary.
# The unstripped binary stays at .build-package/release/thief (its own build
# folder: the debug build of `swift build` is left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libbpf-dev libelf-dev zlib1g-dev binutils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

build=.build-package
# The link line names -lstdc++ (the toolchain's static-stdlib-args.lnk); a
# folder searched first that holds only libstdc++.a makes that the static one.
static_libs=$build/static-libs
mkdir -p "$static_libs"
libstdcxx=$(gcc -print-file-name=libstdc++.a)
[[ -f $libstdcxx ]] || { echo "package.sh: no libstdc++.a (install libstdc++-12-dev)" >&2; exit 2; }
ln -sf "$libstdcxx" "$static_libs/libstdc++.a"

THIEF_STATIC=1 swift build -c release --product thief --build-path "$build" \
    --static-swift-stdlib --disable-local-rpath \
    -Xswiftc -L"$PWD/$static_libs" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc
mkdir -p dist
strip -o dist/thief.tmp "$build/release/thief"
mv dist/thief.tmp dist/thief
scripts/check-binary.sh dist/thief
# The version is set in one place, Sources/ThiefCore/Version.swift.
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/ThiefCore/Version.swift)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "package.sh: no version in Sources/ThiefCore/Version.swift" >&2; exit 2; }
reported=$(dist/thief --version)
[[ $reported == "thief $version "* ]] || { echo "package.sh: dist/thief --version says '$reported', not $version" >&2; exit 1; }
echo "package.sh: $reported"
