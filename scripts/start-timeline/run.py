#!/usr/bin/env python3
"""Where thief's start-up goes: each bpf() call timed, runs summarized by phase.

    sudo scripts/start-timeline/run.py [--runs N] [--stats] BIN[:ARG,ARG...] ...

Builds bpf_timeline.c (gcc) into a temporary directory, then launches each
binary N times (binaries alternating) as `BIN -p <an idle sleep> --format json
ARGS` under the shim, and prints the median and range of each phase in ms:
from the launch to main, to the first bpf() call (the feature probes), to
libbpf's own first probe in bpf_object__load, to its first BTF_LOAD (its parse
of the kernel's BTF), the maps, CO-RE relocation (the map freeze to the first
program load), the program loads (the verifier; per handler with --stats,
which also prints processed instructions), attaching, and the "thief:
tracing" line. It loads BPF: on a shared machine, run it when nothing else
is timing anything.
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HANDLERS = {
    "sched_switch": r"sched_switc",
    "sched_wakeup(_new)": r"sched_wakeu",
    "sched_migrate_task": r"sched_migra",
    "interrupts": r"irq|_entry|_exit|apic|timer|resched|call_fun|platfor",
}


def run_once(binary, args, shim, out):
    sleeper = subprocess.Popen(["sleep", "3600"])
    try:
        t0 = time.monotonic()
        env = dict(os.environ, LD_PRELOAD=shim, BPF_TIMELINE_OUT=out, BPF_TIMELINE_T0="%.3f" % (t0 * 1000))
        cmd = [binary, "-p", str(sleeper.pid), "--format", "json"] + args
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        line = p.stderr.readline()
        if not line.startswith(b"thief: tracing"):
            sys.exit("%s did not attach: %s" % (binary, line.decode(errors="replace").strip()))
        p.send_signal(signal.SIGINT)
        p.communicate()
    finally:
        sleeper.kill()
        sleeper.wait()


def phases(text):
    """Phase durations (ms) of one run's timeline."""
    ev = []
    for line in text.splitlines():
        m = re.match(r"\s*([\d.]+)\s+([\d.]+)\s+(\S+)\s+r=\S+\s*(.*)", line)
        if m:
            ev.append((float(m.group(1)), float(m.group(2)), m.group(3), m.group(4)))
    main = float(re.search(r"([\d.]+) main", text).group(1))
    attached = float(re.search(r"([\d.]+) ATTACHED", text).group(1))
    first = ev[0][0]
    btf = next(e for e in ev if e[2] == "BTF_LOAD")[0]
    # libbpf's probe_loading: the first tiny program it loads in bpf_object__load
    load = max(e[0] for e in ev if e[2] == "PROG_LOAD" and e[0] < btf)
    maps = next(e for e in ev if e[2] == "MAP_CREATE" and e[0] > btf)[0]
    freeze = next(e for e in ev if e[2] == "MAP_FREEZE")[0]
    progs = [e for e in ev if e[2] == "PROG_LOAD" and e[0] > freeze]
    links = [e for e in ev if e[2] in ("LINK_CREATE", "RAW_TP_OPEN")]
    loaded = progs[-1][0] + progs[-1][1]
    row = {
        "launch to main": main,
        "main to first probe": first - main,
        "probes, BTF, open": load - first,
        "libbpf BTF parse": btf - load,
        "maps": freeze - maps,
        "CO-RE relocation": progs[0][0] - freeze,
        "program loads": loaded - progs[0][0],
    }
    for name, pat in HANDLERS.items():
        row["  " + name] = sum(e[1] for e in progs if re.search(pat, e[3]))
    row["to first attach"] = links[0][0] - loaded
    row["attaches"] = links[-1][0] + links[-1][1] - links[0][0]
    row["to the tracing line"] = attached - (links[-1][0] + links[-1][1])
    row["start to attached"] = attached
    return row, [e for e in progs if "vtime=" in e[3]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--stats", action="store_true", help="the verifier's statistics per program (log level 4)")
    ap.add_argument("binaries", nargs="+", metavar="BIN[:ARG,ARG...]")
    opts = ap.parse_args()
    work = tempfile.mkdtemp(prefix="start-timeline.")
    shim = os.path.join(work, "bpf_timeline.so")
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", shim, os.path.join(HERE, "bpf_timeline.c"), "-ldl"], check=True)
    if opts.stats:
        os.environ["BPF_TIMELINE_STATS"] = "1"
    specs = [(s.split(":", 1)[0], s.split(":", 1)[1].split(",") if ":" in s else []) for s in opts.binaries]
    outs = [os.path.join(work, "timeline.%d" % i) for i in range(len(specs))]
    for _ in range(opts.runs):
        for (binary, args), out in zip(specs, outs):
            run_once(binary, args, shim, out)
            time.sleep(0.2)
    for (binary, args), out in zip(specs, outs):
        runs = [phases(t) for t in open(out).read().split("----\n") if "ATTACHED" in t]
        print("== %s %s (%d runs): median (min-max) ms" % (binary, " ".join(args), len(runs)))
        for key in runs[0][0]:
            v = [r[0][key] for r in runs]
            print("%-22s %7.1f (%.1f-%.1f)" % (key, statistics.median(v), min(v), max(v)))
        for e in runs[-1][1]:
            m = re.search(r"^(\S+) .*vtime=(\d+)us processed (\d+)", e[3])
            if m:
                print("  verifier %-16s %6d insns processed, %6.1f ms" % (m.group(1), int(m.group(3)), int(m.group(2)) / 1000))


if __name__ == "__main__":
    main()
