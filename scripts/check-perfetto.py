#!/usr/bin/env python3
"""Checks a thief Perfetto trace against the JSON report of the same run,
with Perfetto's own protobuf definitions (PyPI `perfetto`, `protobuf`):

  scripts/check-perfetto.py TRACE.pftrace REPORT.json

- the sum of each target thread's synthesized slices (switch-in to
  switch-out on a CPU) equals its on_core_ns, and their total on_core.total_ns;
- the process tree names every target thread with the report's comm;
- every interrupt of the report is a slice of the trace (hard IRQs and
  softirqs as ftrace events, system vectors on thief's per-CPU tracks).
Prints one line per check and exits 1 on any mismatch."""
import json
import sys
from collections import defaultdict

from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb


def main(trace_path, report_path):
    trace = pb.Trace()
    with open(trace_path, "rb") as f:
        trace.ParseFromString(f.read())
    with open(report_path) as f:
        report = json.load(f)
    targets = {t["tid"]: t for t in report["target"]["threads"]}
    on = defaultdict(int)
    open_at = {}
    irq_entries = softirq_entries = sysvec_begins = 0
    names = {}
    events = []
    for p in trace.packet:
        kind = p.WhichOneof("data")
        if kind == "ftrace_events":
            for e in p.ftrace_events.event:
                events.append((e.timestamp, p.ftrace_events.cpu, e))
        elif kind == "track_event" and p.track_event.type == pb.TrackEvent.TYPE_SLICE_BEGIN:
            if "system vectors" in track_names.get(p.track_event.track_uuid, ""):
                sysvec_begins += 1
        elif kind == "track_descriptor":
            track_names[p.track_descriptor.uuid] = p.track_descriptor.name
        elif kind == "process_tree":
            for t in p.process_tree.threads:
                names[t.tid] = t.name
    events.sort(key=lambda x: x[0])
    for ts, cpu, e in events:
        which = e.WhichOneof("event")
        if which == "sched_switch":
            s = e.sched_switch
            if s.prev_pid in targets and (cpu, s.prev_pid) in open_at:
                on[s.prev_pid] += ts - open_at.pop((cpu, s.prev_pid))
            if s.next_pid in targets:
                open_at[(cpu, s.next_pid)] = ts
        elif which == "irq_handler_entry" and e.pid in targets:
            irq_entries += 1
        elif which == "softirq_entry" and e.pid in targets:
            softirq_entries += 1
    ok = True

    def check(what, got, want):
        nonlocal ok
        good = got == want
        ok = ok and good
        print(f"{'ok  ' if good else 'FAIL'} {what}: trace {got}, report {want}")

    check("on-core total ns", sum(on.values()), report["on_core"]["total_ns"])
    for tid, t in sorted(targets.items()):
        check(f"thread {tid} on-core ns", on.get(tid, 0), t["on_core_ns"])
        check(f"thread {tid} name", names.get(tid), t["comm"])
    check("hard IRQs", irq_entries, sum(i["count"] for i in report["irqs"]))
    check("softirqs", softirq_entries, sum(i["count"] for i in report["softirqs"]))
    check("system vectors", sysvec_begins, sum(i["count"] for i in report["system_vectors"]))
    return 0 if ok else 1


track_names = {}
if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
