# Sourced by the set-up scripts (deps.sh, package.sh, check-package.sh,
# kernels.sh, .ci/run): one way to install what a script needs from Debian.
#
# apt_need [--recommends] PKG...  installs the packages named that are not
# installed yet (without recommends unless asked). The package lists are
# refreshed at most once per set-up: apt-get update runs only when they are
# older than an hour, so the scripts CI runs one after another share one update.

apt_update_once() {
    [[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -n 1) ]] && return 0
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
}

apt_need() {
    local recommends=--no-install-recommends pkg need=()
    if [[ ${1:-} == --recommends ]]; then
        recommends=--install-recommends
        shift
    fi
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    ((${#need[@]})) || return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "thief: need root to install: ${need[*]} (run with sudo)" >&2
        exit 2
    fi
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$recommends" "${need[@]}" >/dev/null
}
