#!/usr/bin/env bash
# scripts/package.sh - the portable release thief (issue #20), as dist/thief,
# and the two artifacts that install it:
#   dist/thief_VERSION_amd64.deb          (dpkg -i; Depends: libc6 (>= 2.34))
#   dist/thief-VERSION-x86_64-linux.tar.xz (the same tree, unpacked under /)
# Both hold /usr/bin/thief, man pages (thief(1) and one per subcommand, from
# swift-argument-parser's generate-manual), bash/zsh/fish completions in their
# vendor folders and /usr/share/doc/thief (copyright naming every library
# linked in, changelog, README and the docs/ pages, the cron/systemd/CI examples).
#
# dist/thief is:
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
source scripts/lib/apt.sh
source scripts/lib/static-build.sh
apt_need libbpf-dev libelf-dev zlib1g-dev binutils xz-utils

build=.build-package
# SwiftPM runs prebuild commands (BuildInfoPlugin: the commit in --version)
# only when it plans the build anew; a newer manifest makes it.
touch Package.swift
static_build "$build" --product thief
mkdir -p dist
strip -o dist/thief.tmp "$build/release/thief"
mv dist/thief.tmp dist/thief
scripts/check-binary.sh dist/thief
# The version is set in one place, Sources/ThiefCore/Version.swift.
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/ThiefCore/Version.swift)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "package.sh: no version in Sources/ThiefCore/Version.swift" >&2; exit 2; }
reported=$(dist/thief --version)
[[ $reported == "thief $version "* ]] || { echo "package.sh: dist/thief --version says '$reported', not $version" >&2; exit 1; }
head=$(git rev-parse --short=12 HEAD 2>/dev/null || true)
[[ -z $head || $reported == *"(commit $head"* ]] || { echo "package.sh: dist/thief --version says '$reported', not commit $head" >&2; exit 1; }
echo "package.sh: $reported"

# ---- the installed tree ------------------------------------------------------
# Everything dated at the commit, so a rebuild of the same commit gives the
# same files.
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH=$epoch
maintainer="thief maintainers <maintainers@users.noreply.r-seed-d57ce754.example>"
tree=$build/root
rm -rf "$tree"
install -D -m 755 dist/thief "$tree/usr/bin/thief"

# Man pages: the argument parser's plugin runs `thief --experimental-dump-help`
# of the debug build (the test build CI has just made: same command line).
man_out=.build/plugins/GenerateManual/outputs/thief
rm -rf "$man_out"
swift package generate-manual --configuration debug --multi-page \
    --date "$(date -u -d "@$epoch" +%Y-%m-%d)" --authors "the thief authors" >/dev/null
mkdir -p "$tree/usr/share/man/man1"
for page in "$man_out"/*.1; do
    # thief.run.1 -> thief-run.1, the name `man thief run` looks for.
    name=$(basename "$page" | sed 's/\./-/; s/-1$/.1/')
    python3 scripts/package/manpage.py <"$page" | gzip -9n >"$tree/usr/share/man/man1/$name.gz"
done
[[ -f $tree/usr/share/man/man1/thief.1.gz && -f $tree/usr/share/man/man1/thief-run.1.gz ]] ||
    { echo "package.sh: generate-manual wrote no thief.1/thief.run.1" >&2; exit 1; }

# Completions, from the binary being packaged.
dist/thief --generate-completion-script bash >"$build/thief.bash"
python3 scripts/package/bash_completion.py <"$build/thief.bash" | install -D -m 644 /dev/stdin "$tree/usr/share/bash-completion/completions/thief"
# All three are edited to complete the default subcommand's (run's) options
# before any subcommand (`thief -p 1 --for<TAB>`), which the argument parser's
# scripts do not (apple/swift-argument-parser#488; check-package.sh tests it).
dist/thief --generate-completion-script zsh | python3 scripts/package/zsh_completion.py | install -D -m 644 /dev/stdin "$tree/usr/share/zsh/vendor-completions/_thief"
dist/thief --generate-completion-script fish | python3 scripts/package/fish_completion.py | install -D -m 644 /dev/stdin "$tree/usr/share/fish/vendor_completions.d/thief.fish"

# /usr/share/doc/thief: copyright (versions of what was linked in), changelog,
# README and docs/, examples.
doc=$tree/usr/share/doc/thief
mkdir -p "$doc/examples"
pin() { python3 -c 'import json,sys; print(next(p["state"].get("version") or p["state"]["revision"][:12] for p in json.load(open(sys.argv[1]))["pins"] if p["identity"] == sys.argv[2]))' Package.resolved "$1"; }
dpkg_version() { dpkg-query -W -f '${Version}' "$1"; }
icu=keep
nm "$build/release/thief" | grep -q ' icudt[0-9]*_dat$' || icu=drop
sed -e "s|@LIBBPF@|$(dpkg_version libbpf-dev)|" -e "s|@LIBELF@|$(dpkg_version libelf-dev)|" \
    -e "s|@ZLIB@|$(dpkg_version zlib1g-dev)|" -e "s|@GLIBC@|$(dpkg_version libc6-dev)|" \
    -e "s|@GCC@|$(dpkg_version libgcc-12-dev)|" -e "s|@SWIFT@|$(swift --version 2>&1 | sed -n 's/^\(Swift version [^ ]*\).*/\1/p')|" \
    -e "s|@ARGUMENT_PARSER@|$(pin swift-argument-parser)|" -e "s|@NUMERICS@|$(pin swift-numerics)|" \
    -e "s|@HDRHISTOGRAM@|$(pin hdrhistogram-swift)|" scripts/package/copyright.in |
    if [[ $icu == keep ]]; then grep -v '^@ICU_\(BEGIN\|END\)@$'; else sed '/^@ICU_BEGIN@$/,/^@ICU_END@$/d'; fi >"$doc/copyright"
{
    echo "thief ($version) unstable; urgency=medium"
    echo
    echo "  * Release $version, built from commit $commit."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$epoch")"
} | gzip -9n >"$doc/changelog.gz"
gzip -9n <README.md >"$doc/README.md.gz"
# The pages README links to, at the same relative paths (docs/NAME.md.gz).
mkdir -p "$doc/docs"
for page in docs/*.md; do gzip -9n <"$page" >"$doc/docs/$(basename "$page").gz"; done
install -m 644 docs/html-report.png "$doc/docs/html-report.png"
python3 scripts/package/examples.py . "$doc/examples"
# Installed by hand, these make a cron job and a systemd timer: not conffiles.
chmod 644 "$doc/examples"/*
# thief links zlib (through libelf) on purpose: one file that runs without libz.
install -D -m 644 /dev/stdin "$tree/usr/share/lintian/overrides/thief" <<'OVERRIDE'
# scripts/package.sh links libbpf, libelf and zlib statically on purpose: one
# binary that runs on RHEL 9 and Ubuntu 22.04 (no libbpf.so.1 there).
thief: embedded-library zlib [usr/bin/thief]
OVERRIDE
find "$tree" -exec touch -h -d "@$epoch" {} +

# ---- the .deb ------------------------------------------------------------------
deb=dist/thief_${version}_amd64.deb
mkdir -p "$tree/DEBIAN"
installed_kb=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
cat >"$tree/DEBIAN/control" <<CONTROL
Package: thief
Version: $version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: libc6 (>= 2.34)
Section: utils
Priority: optional
Description: show what takes the CPU away from a process (eBPF)
 thief traces one process, a command it launches, or a cgroup with eBPF and
 reports which other tasks ran while it waited for its CPU, which hard IRQs,
 softirqs and system vectors cut into its time, how often and why it
 migrated, and how long it spent on and off the core, per thread.
 .
 Needs Linux with BTF (CONFIG_DEBUG_INFO_BTF) and root or CAP_BPF plus
 CAP_PERFMON. libbpf is linked in; the binary needs only glibc 2.34.
CONTROL
(cd "$tree" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$tree/DEBIAN/md5sums"
chmod 644 "$tree/DEBIAN/control" "$tree/DEBIAN/md5sums"
touch -d "@$epoch" "$tree/DEBIAN" "$tree/DEBIAN"/*
dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb.tmp" >/dev/null
mv "$deb.tmp" "$deb"

# ---- the tarball ---------------------------------------------------------------
tarball=dist/thief-$version-x86_64-linux.tar.xz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --exclude=./DEBIAN \
    -C "$tree" -cf - ./usr | xz -9 -T1 >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
ls -l dist/thief "$deb" "$tarball" | awk '{print "package.sh: " $5 " bytes  " $NF}'
