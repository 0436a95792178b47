# Sourced by scripts/package.sh and scripts/bench.sh: thief built the way it
# ships, so that the benchmark measures the binary users install.
#
# static_build BUILD_DIR [SWIFT BUILD ARGUMENT...]  a release build in
# BUILD_DIR with libbpf, libelf and zlib linked from Debian's .a files
# (THIEF_STATIC=1 in Package.swift), the Swift runtime and Foundation static
# (--static-swift-stdlib), libstdc++ and libgcc static, no RUNPATH. Run from
# the repository's root. Needs libbpf-dev, libelf-dev, zlib1g-dev and
# libstdc++'s .a (g++'s libstdc++-12-dev).

static_build() {
    local build=$1 libstdcxx
    shift
    # The link line names -lstdc++ (the toolchain's static-stdlib-args.lnk); a
    # folder searched first that holds only libstdc++.a makes that the static one.
    local static_libs=$build/static-libs
    mkdir -p "$static_libs"
    libstdcxx=$(gcc -print-file-name=libstdc++.a)
    [[ -f $libstdcxx ]] || {
        echo "static_build: no libstdc++.a (install libstdc++-12-dev)" >&2
        return 2
    }
    ln -sf "$libstdcxx" "$static_libs/libstdc++.a"
    THIEF_STATIC=1 swift build -c release --build-path "$build" \
        --static-swift-stdlib --disable-local-rpath \
        -Xswiftc -L"$PWD/$static_libs" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc "$@"
}
