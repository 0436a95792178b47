#!/usr/bin/env bash
# Installs what building thief needs on a fresh Debian machine of this kind:
# libbpf (headers + library; pulls libelf-dev and zlib1g-dev) and bpftool;
# clang-format, which scripts/lint-c.sh checks the C files with; and
# libcap2-bin (setcap), with which the live tests give a copy of thief
# CAP_BPF and CAP_PERFMON.
# Runs `apt-get update` only when something is missing (scripts/lib/apt.sh).
set -euo pipefail
source "$(dirname "$0")/lib/apt.sh"
apt_need --recommends libbpf-dev libelf-dev zlib1g-dev bpftool clang-format libcap2-bin
# Perfetto's own protobuf definitions (PyPI), with which the live tests decode
# the traces thief writes (scripts/check-perfetto.py).
if ! python3 -c 'import perfetto.protos.perfetto.trace.perfetto_trace_pb2' 2>/dev/null; then
    python3 -m pip install -q --disable-pip-version-check perfetto==0.59.1 protobuf==7.36.2 >/dev/null 2>&1 \
        || python3 -m pip install -q --disable-pip-version-check perfetto protobuf
fi
