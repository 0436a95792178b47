#!/usr/bin/env bash
# scripts/check-package.sh [DEB] - proves the .deb on a machine without Swift
# (issue #20). As root: lintian must report no error; then mmdebstrap makes a
# minimal Debian 12 root (--variant=minbase bookworm, from this machine's apt
# sources, plus man-db, bash-completion, zsh and fish), dpkg -i installs DEB there
# (default: the one scripts/package.sh made in dist/), and in a chroot with
# /proc, /sys (with /sys/fs/bpf and the tracing mounts under it) and /dev
# mounted it runs:
#   thief --version           the version, commit and record ABI
#   man -w thief, thief-run   the man pages are where man looks
#   thief --for<TAB>          bash completion, loaded by bash-completion from
#                             its vendor folder, offers --format
#   thief [-p 1] --for<TAB>   zsh and fish, from their vendor folders, offer
#                             --format (run's option, before any subcommand)
#                             and the subcommands after `thief `
#   thief -d 1s --format json -- sh -c 'while :; do :; done'
#                             a live trace, its JSON checked here (python3,
#                             outside the root: the root has no python)
# Everything mounted is unmounted on exit, whatever happens (trap). Exit 0
# all passed, 1 a check failed, 2 could not run (not root, no .deb).
set -euo pipefail
cd "$(dirname "$0")/.."
die() {
    echo "check-package.sh: $*" >&2
    exit 1
}
[[ $(id -u) -eq 0 ]] || { echo "check-package.sh: needs root (mmdebstrap, chroot, BPF)" >&2; exit 2; }
deb=${1:-$(ls dist/thief_*_amd64.deb 2>/dev/null | tail -n 1)}
[[ -n $deb && -f $deb ]] || { echo "check-package.sh: no .deb (run scripts/package.sh)" >&2; exit 2; }
source scripts/lib/apt.sh
apt_need mmdebstrap lintian

echo "check-package.sh: lintian $deb"
lintian_out=$(lintian --pedantic "$deb" 2>&1 | grep -v '^running with root privileges' || true)
[[ -n $lintian_out ]] && printf '%s\n' "$lintian_out"
grep -q '^E: ' <<<"$lintian_out" && die "lintian reports errors"

work=$(mktemp -d /tmp/thief-check-package.XXXXXX)
root=$work/root
cleanup() {
    local m
    # Deepest first; lazily if something still holds one.
    for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    if awk -v r="$root" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        echo "check-package.sh: could not unmount everything under $root; left $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

start=$EPOCHREALTIME
mmdebstrap --quiet --variant=minbase --include=man-db,bash-completion,zsh,fish bookworm "$root" >"$work/mmdebstrap.log" 2>&1 ||
    { tail -n 20 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
echo "check-package.sh: Debian 12 minbase root in $(((${EPOCHREALTIME/./} - ${start/./}) / 1000)) ms"
# A root without Swift and without libbpf: what the binary must run on.
[[ -z $(find "$root/usr" -name 'libswiftCore*' -o -name 'libbpf.so*' -o -name 'libFoundation*' | head -n 1) ]] ||
    die "the root has Swift or libbpf libraries"
cp "$deb" "$root/tmp/thief.deb"
chroot "$root" dpkg -i /tmp/thief.deb >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; die "dpkg -i failed"; }

mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

version=$(in_root thief --version) || die "thief --version failed"
echo "check-package.sh: thief --version: $version"
[[ $version =~ ^thief\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]+.*,\ record\ ABI\ [0-9]+\)$ ]] ||
    die "unexpected --version line"
page=$(in_root man -w thief) || die "man -w thief found no page"
[[ $page == /usr/share/man/man1/thief.1.gz ]] || die "man -w thief: $page"
in_root man -w thief-run >/dev/null || die "man -w thief-run found no page"
in_root sh -c 'MANWIDTH=80 man thief-run 2>&1 | grep -q -- "--pid"' || die "man thief-run does not render --pid"
echo "check-package.sh: man -w thief: $page"

# What bash does on TAB: bash-completion's loader finds the vendor file, then
# the function it registered fills COMPREPLY.
completion=$(in_root bash --norc --noprofile -c '
    source /usr/share/bash-completion/bash_completion
    _completion_loader thief
    fn=$(complete -p thief | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
    [ -n "$fn" ] || exit 3
    COMP_WORDS=(thief --for) COMP_CWORD=1 COMP_LINE="thief --for" COMP_POINT=11
    "$fn" thief --for thief
    printf "%s\n" "${COMPREPLY[@]}"') || die "bash completion failed to load"
echo "check-package.sh: thief --for<TAB>: $(tr '\n' ' ' <<<"$completion")"
grep -qx -- '--format' <<<"$completion" || die "bash completion of --for does not offer --format"

# zsh (compinit in a pseudo-terminal, scripts/package/zsh_complete.zsh) and
# fish (complete -C) load the packaged files by themselves. An option before
# any subcommand belongs to run, the default subcommand: the argument parser's
# own scripts offer nothing there (apple/swift-argument-parser#488), the
# packaged ones (package.sh) complete it as `thief run …`.
cp scripts/package/zsh_complete.zsh "$root/tmp/zsh_complete.zsh"
for line in 'thief --for' 'thief -p 1 --for' 'thief run --for' 'thief '; do
    want=--format
    [[ $line == 'thief ' ]] && want=gate
    for sh in zsh fish; do
        if [[ $sh == zsh ]]; then
            offered=$(in_root TERM=xterm zsh -f /tmp/zsh_complete.zsh "$line") || die "zsh: '$line<TAB>' failed"
        else
            offered=$(in_root fish -c "complete -C '$line'" | cut -f1) || die "fish: '$line<TAB>' failed"
        fi
        echo "check-package.sh: $sh: $line<TAB>: $(tr '\n' ' ' <<<"$offered")"
        grep -qx -- "$want" <<<"$offered" || die "$sh completion of '$line' does not offer $want"
    done
done

in_root thief -d 1s --format json -- sh -c 'while :; do :; done' >"$work/report.json" 2>"$work/thief.err" ||
    { cat "$work/thief.err" >&2; die "the live trace failed"; }
python3 - "$work/report.json" "$version" <<'PY' || die "the trace's JSON is not what a 1 s busy loop gives"
import json, sys
report = json.load(open(sys.argv[1]))
version = sys.argv[2].split()[1]
target = report["target"]
checks = {
    "tool is thief": report["tool"] == "thief",
    f"version is {version}": report["version"] == version,
    "the target is the command": target["kind"] == "command" and target["command"][:2] == ["sh", "-c"],
    "records were traced": report["records"] > 0,
    "nothing was lost": report["lost_events"] == 0,
    # A busy loop is always on a core or waiting for one, whatever else loads
    # the machine: the two add up to about the traced window.
    "the busy loop was on a core or runnable >= 80% of the window": report["on_core"]["total_ns"] > 0
    and report["on_core"]["total_ns"] + report["runnable_wait"]["total_ns"] >= 0.8 * report["window"]["duration_ns"],
    "window is about 1 s": 0.8e9 <= report["window"]["duration_ns"] <= 5e9,
}
for name, ok in checks.items():
    print(f"check-package.sh: trace: {'ok  ' if ok else 'FAIL'} {name}")
print(f"check-package.sh: trace: {report['records']} records, on-core {report['on_core']['total_ns'] / 1e6:.0f} ms, "
      f"runnable wait {report['runnable_wait']['total_ns'] / 1e6:.1f} ms")
sys.exit(0 if all(checks.values()) else 1)
PY
echo "check-package.sh: $deb installs and runs in a Debian 12 root without Swift ($(((${EPOCHREALTIME/./} - ${start/./}) / 1000000)) s)"
