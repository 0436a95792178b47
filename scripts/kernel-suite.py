#!/usr/bin/env python3
"""The portable live suite of the kernel matrix (scripts/kernels.sh, issue #19).

`run` executes inside a virtual machine booted with another kernel: it starts
workloads it controls (thief-workloads), traces them with thief, and records
thief's numbers next to that kernel's own books (/proc/PID/task/TID/sched,
schedstat, status) in OUT/results.json, rewritten after every test so a run
cut short keeps what it measured. It judges nothing: `judge`, on the host,
applies the limits and prints one table per kernel and "N passed, N failed".

Every measured part is framed the same way: the workloads are frozen
(SIGSTOP) while thief attaches and while the books are read at both ends, so
the kernel's deltas and thief's window cover the same activity. Under TCG
everything runs ~30x slower, so the windows are a few seconds and every wait
has a generous timeout. Python's standard library only: the guest shares the
host's root file system but nothing else.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time

# Limits by kind of check (issue #19: the host's limits).
#   rel: |thief - kernel| / kernel at most this; count: |thief - kernel| at most this;
#   check: a condition that must hold (thief 1, kernel 1); info: printed, not judged.
LIMITS = {"on-core": 0.005, "wait": 0.02, "stolen": 0.05, "count": 0, "check": 0, "info": None}


# ---------------------------------------------------------------- the guest side


class Suite:
    def __init__(self, build, out, flavour, thief=None):
        self.thief = thief or os.path.join(build, "thief")
        self.workloads = os.path.join(build, "thief-workloads")
        self.out = out
        self.meta = {
            "flavour": flavour,
            "kernel": platform.release(),
            "preempt_rt": os.path.exists("/sys/kernel/realtime"),
            "cpus": os.cpu_count(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self.rows = []
        self.errors = []
        self.tracer = {}
        self.children = []

    # -- results
    def row(self, test, what, kind, thief, kernel):
        self.rows.append({"test": test, "what": what, "kind": kind, "thief": thief, "kernel": kernel})
        self.save()

    def check(self, test, what, ok, detail=""):
        self.row(test, what + (f" ({detail})" if detail else ""), "check", 1 if ok else 0, 1)

    def save(self):
        doc = {"meta": self.meta, "tracer": self.tracer, "rows": self.rows, "errors": self.errors}
        tmp = os.path.join(self.out, "results.json.tmp")
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, os.path.join(self.out, "results.json"))

    # -- processes
    def workload(self, *args):
        p = subprocess.Popen([self.workloads, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.children.append(p)
        return p

    def end_all(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.children = []

    def start_thief(self, args, env=None, cpu=None):
        """thief (on `cpu` when given: off the workloads' CPU, so its own
        consumer is not what takes their processor)."""
        out = tempfile.NamedTemporaryFile(dir=self.out, prefix="thief-", suffix=".out", delete=False)
        err = tempfile.NamedTemporaryFile(dir=self.out, prefix="thief-", suffix=".err", delete=False)
        e = dict(os.environ)
        e.update(env or {})
        pin = ["taskset", "-c", cpu] if cpu is not None else []
        p = subprocess.Popen([*pin, self.thief, *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=e)
        p.out_path, p.err_path = out.name, err.name
        out.close()
        err.close()
        return p

    @staticmethod
    def text(path):
        with open(path, errors="replace") as f:
            return f.read()

    def wait_attached(self, p, timeout=240):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "thief: tracing" in self.text(p.err_path):
                return
            if p.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("thief did not attach: " + self.text(p.err_path)[-400:])

    def finish(self, p, timeout=90):
        """SIGINT, then the exit status. A thief still running after `timeout`
        is a failure: what its threads wait on goes into the errors (and the
        kernel's view of every blocked task onto the console) before it is
        killed, so a hang in CI says where it hung."""
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.errors.append(f"thief {p.pid} still running {timeout} s after SIGINT: {where(p.pid)}")
            sysrq("w")
            p.kill()
            rc = p.wait()
        return rc

    def report(self, p):
        r = json.loads(self.text(p.out_path))
        self.tracer = r.get("tracer", {})
        return r


# ---------------------------------------------------------------- the kernel's books


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def where(pid):
    """Each thread of a process: its state, wait channel and kernel stack."""
    parts = []
    for tid in sorted(os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []):
        base = f"/proc/{pid}/task/{tid}"
        stack = " < ".join(line.split()[-1] for line in (read(f"{base}/stack") or "").splitlines()[:6])
        parts.append(f"{tid} {(read(f'{base}/comm') or '?').strip()} {state(f'{pid}/task/{tid}')} "
                     f"wchan={(read(f'{base}/wchan') or '?').strip()} [{stack}]")
    return "; ".join(parts) or "gone"


def sysrq(key):
    """The kernel's own dump (w: blocked tasks; l: every CPU's backtrace) to the console."""
    try:
        with open("/proc/sysrq-trigger", "w") as f:
            f.write(key)
    except OSError:
        pass


def books(pid, tid=None):
    """se.sum_exec_runtime (ns), nr_switches, se.nr_migrations, run_delay (ns)."""
    tid = tid or pid
    sched = read(f"/proc/{pid}/task/{tid}/sched")
    stat = read(f"/proc/{pid}/task/{tid}/schedstat")
    if sched is None or stat is None:
        raise RuntimeError(f"no sched books for {pid}/{tid}")
    values = {}
    for line in sched.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            values[k.strip()] = v.strip()
    ms, _, frac = values["se.sum_exec_runtime"].partition(".")
    return {
        "sum_exec": int(ms) * 1_000_000 + int((frac + "000000")[:6]),
        "switches": int(values["nr_switches"]),
        "migrations": int(values["se.nr_migrations"]),
        "run_delay": int(stat.split()[1]),
    }


def voluntary(pid):
    for line in (read(f"/proc/{pid}/task/{pid}/status") or "").splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split(":")[1])
    raise RuntimeError(f"no voluntary_ctxt_switches for {pid}")


def ready(pid, comm, cpu=None, timeout=120):
    """Waits until a workload has named and pinned itself: under TCG a Swift
    program's start takes seconds, and one not yet pinned runs anywhere."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = dict(
            line.split(":", 1) for line in (read(f"/proc/{pid}/status") or "").splitlines() if ":" in line
        )
        if status.get("Name", "").strip() == comm and (
            cpu is None or status.get("Cpus_allowed_list", "").strip() == cpu
        ):
            return
        time.sleep(0.05)
    raise RuntimeError(f"workload {pid} did not become {comm} on CPU {cpu}")


def delta(a, b, key):
    return b[key] - a[key]


def freeze(procs, sig):
    for p in procs:
        os.kill(p if isinstance(p, int) else p.pid, sig)


def state(pid):
    s = read(f"/proc/{pid}/stat") or ""
    return s[s.rfind(")") + 2 :].split(" ", 1)[0] if ")" in s else ""


def wait_stopped(pids, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(state(p) in ("T", "t") for p in pids):
            return
        time.sleep(0.05)
    raise RuntimeError(f"workloads {pids} did not stop")


def causes_sum(r):
    c = r["runnable_wait"]["by_cause"]
    return sum(v for v in c.values() if isinstance(v, (int, float)))


# ---------------------------------------------------------------- the tests


def test_competitor(s, attach, seconds):
    """A victim and a competitor spinning on CPU 0: on-core, slices, wait, stolen."""
    name = f"competitor {attach}"
    victim = s.workload("spin", "--name", "victim", "--cpu", "0", "--seconds", "600")
    comp = s.workload("spin", "--name", "competitor", "--cpu", "0", "--seconds", "600")
    ready(victim.pid, "victim", "0")
    ready(comp.pid, "competitor", "0")
    freeze([victim, comp], signal.SIGSTOP)
    wait_stopped([victim.pid, comp.pid])
    t = s.start_thief(["-p", str(victim.pid), "--attach", attach, "--format", "json"], cpu=other_cpu("0"))
    s.wait_attached(t)
    s.check(name, f"attached via {attach}", f"via {attach}" in s.text(t.err_path))
    v0, c0 = books(victim.pid), books(comp.pid)
    freeze([victim, comp], signal.SIGCONT)
    time.sleep(seconds)
    freeze([victim, comp], signal.SIGSTOP)
    wait_stopped([victim.pid, comp.pid])
    v1, c1 = books(victim.pid), books(comp.pid)
    rc = s.finish(t)
    s.end_all()
    s.check(name, "thief exit status 0", rc == 0, f"exit {rc}")
    r = s.report(t)
    s.row(name, "victim on-core ns vs Δse.sum_exec_runtime", "on-core", r["on_core"]["total_ns"], delta(v0, v1, "sum_exec"))
    s.row(name, "victim slices vs Δnr_switches", "count", r["on_core"]["count"], delta(v0, v1, "switches"))
    s.row(name, "victim wait ns vs Δrun_delay", "wait", r["runnable_wait"]["total_ns"], delta(v0, v1, "run_delay"))
    s.row(name, "migrations vs Δse.nr_migrations", "count", r["migrations"]["count"], delta(v0, v1, "migrations"))
    thieves = r.get("thieves", [])
    top = thieves[0] if thieves else {}
    s.check(name, "top thief is the competitor", top.get("pid") == comp.pid, f"top {top.get('comm')}")
    s.row(name, "competitor stolen ns vs its Δse.sum_exec_runtime", "stolen", top.get("stolen_ns", 0), delta(c0, c1, "sum_exec"))
    s.row(name, "wait causes sum to the wait", "count", causes_sum(r), r["runnable_wait"]["total_ns"])
    s.row(name, "lost records", "count", r.get("lost_events", -1), 0)
    if attach == "tp_btf":
        check_unavailable(s, r)


def other_cpu(cpu):
    return "1" if cpu == "0" and (os.cpu_count() or 1) > 1 else "0"


def cgroup_mount():
    for line in (read("/proc/self/mountinfo") or "").splitlines():
        left, _, right = line.partition(" - ")
        if right.split(" ")[0] == "cgroup2":
            return left.split(" ")[4]
    return None


def test_cgroup(s, seconds):
    """--cgroup: two members pinned with an outside competitor (the host's live
    test covers members that join after attach: under TCG the shell's steps
    between joining and stopping itself are milliseconds thief sees and the
    books before it cannot)."""
    name = "cgroup"
    mount = cgroup_mount()
    if not mount:
        s.check(name, "a cgroup v2 mount", False, "none in mountinfo")
        return
    rel = f"thief-kernels-{os.getpid()}"
    d = os.path.join(mount, rel)
    os.mkdir(d)
    try:
        cpu = "1" if (os.cpu_count() or 1) > 1 else "0"
        outsider = s.workload("spin", "--name", "outsider", "--cpu", cpu, "--seconds", "600")
        members = []
        for i in range(2):
            script = (
                f"echo $$ > '{d}/cgroup.procs' && kill -STOP $$ && "
                f"exec '{s.workloads}' spin --name member{i} --cpu {cpu} --seconds 600"
            )
            p = subprocess.Popen(["taskset", "-c", cpu, "/bin/sh", "-c", script])  # pinned before exec too
            s.children.append(p)
            members.append(p)
        wait_stopped([m.pid for m in members])
        ready(outsider.pid, "outsider", cpu)
        freeze([outsider], signal.SIGSTOP)
        wait_stopped([outsider.pid])
        # Members stopped inside the cgroup before thief starts: their
        # books and thief's window then cover the same run time.
        t = s.start_thief(["--cgroup", "/" + rel, "--format", "json"], cpu=other_cpu(cpu))
        s.wait_attached(t)
        before = [books(m.pid) for m in members]
        o0 = books(outsider.pid)
        freeze(members + [outsider], signal.SIGCONT)
        time.sleep(seconds)
        freeze(members + [outsider], signal.SIGSTOP)
        wait_stopped([m.pid for m in members] + [outsider.pid])
        after = [books(m.pid) for m in members]
        o1 = books(outsider.pid)
        rc = s.finish(t)
        s.end_all()
        s.check(name, "thief exit status 0", rc == 0, f"exit {rc}")
        r = s.report(t)
        rows = {p.get("pid"): p for p in r.get("target", {}).get("processes", [])}
        total_t = total_k = 0
        for m, b0, b1 in zip(members, before, after):
            on = rows.get(m.pid, {}).get("on_core_ns", 0)
            k = delta(b0, b1, "sum_exec")
            s.row(name, f"member {m.pid} on-core ns vs Δse.sum_exec_runtime", "on-core", on, k)
            total_t, total_k = total_t + on, total_k + k
        s.row(name, "members' on-core ns vs Σ Δse.sum_exec_runtime", "on-core", total_t, total_k)
        top = (r.get("thieves") or [{}])[0]
        s.check(name, "top thief is the outsider", top.get("pid") == outsider.pid, f"top {top.get('comm')}")
        s.row(name, "outsider stolen ns vs its Δse.sum_exec_runtime", "info", top.get("stolen_ns", 0), delta(o0, o1, "sum_exec"))
        s.row(name, "wait causes sum to the wait", "count", causes_sum(r), r["runnable_wait"]["total_ns"])
        s.row(name, "lost records", "count", r.get("lost_events", -1), 0)
    finally:
        s.end_all()
        time.sleep(0.2)
        try:
            os.rmdir(d)
        except OSError:
            pass


def child_of(pid, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        kids = (read(f"/proc/{pid}/task/{pid}/children") or "").split()
        if kids:
            return int(kids[0])
        time.sleep(0.05)
    raise RuntimeError(f"{pid} started no child")


def test_wakers(s, seconds):
    """A pipe reader woken by its writer: wake-ups vs the reader's voluntary switches."""
    name = "wakers"
    reader = s.workload("pipe-waker", "--name", "reader", "--rate", "100", "--seconds", "600")
    writer = child_of(reader.pid)
    ready(reader.pid, "reader")
    ready(writer, "pipe-writer")
    freeze([reader.pid, writer], signal.SIGSTOP)
    wait_stopped([reader.pid, writer])
    t = s.start_thief(["-p", str(reader.pid), "--format", "json"], cpu="0")
    s.wait_attached(t)
    v0 = voluntary(reader.pid)
    freeze([reader.pid, writer], signal.SIGCONT)
    time.sleep(seconds)
    freeze([reader.pid, writer], signal.SIGSTOP)
    wait_stopped([reader.pid, writer])
    v1 = voluntary(reader.pid)
    rc = s.finish(t)
    os.kill(writer, signal.SIGKILL)
    s.end_all()
    s.check(name, "thief exit status 0", rc == 0, f"exit {rc}")
    r = s.report(t)
    wakers = r.get("wakers", [])
    total = sum(w.get("count", 0) for w in wakers)
    mine = next((w for w in wakers if w.get("pid") == writer), {})
    s.row(name, "all wake-ups vs Δvoluntary_ctxt_switches", "count", total, v1 - v0)
    s.row(name, "pipe-writer's wake-ups vs Δvoluntary_ctxt_switches", "info", mine.get("count", 0), v1 - v0)
    s.check(name, "the pipe-writer is a waker", mine.get("comm") == "pipe-writer")
    # The reader only sleeps (S), is preempted, or (PREEMPT_RT) blocks on a
    # sleeping spinlock of the pipe's wait queue (blocked): its `other`
    # intervals are the two SIGSTOPs, the one it was in when thief attached
    # and the one that ends the window.
    states = r["off_core"].get("by_state", {})
    s.row(name, "reader's 'other' off-core intervals vs its 2 SIGSTOPs", "count", states.get("other", {}).get("count", 0), 2)
    s.row(name, "reader's off-core 'blocked' intervals (RT lock waits on RT)", "info", states.get("blocked", {}).get("count", 0), 0)
    s.row(name, "lost records", "count", r.get("lost_events", -1), 0)


def test_demo(s):
    """`thief demo` runs its scenario and reports the competitor."""
    name = "demo"
    t = s.start_thief(["demo", "-d", "3s", "-q", "--format", "json"])
    try:
        rc = t.wait(600)
    except subprocess.TimeoutExpired:
        t.kill()
        rc = t.wait()
    s.check(name, "thief demo exit status 0", rc == 0, f"exit {rc}: {s.text(t.err_path)[-200:]}")
    if rc != 0:
        return
    r = s.report(t)
    comms = [x.get("comm") for x in r.get("thieves", [])]
    s.check(name, "the competitor is among the thieves", "competitor" in comms, f"thieves {comms[:3]}")
    s.row(name, "wait causes sum to the wait", "count", causes_sum(r), r["runnable_wait"]["total_ns"])
    s.row(name, "lost records", "count", r.get("lost_events", -1), 0)


def test_rt(s, seconds):
    """PREEMPT_RT: a threaded IRQ handler on the victim's CPU is a thief of kind
    irq-thread with its IRQ number, and steals what its books say it ran."""
    name = "preempt_rt"
    irqs = {}
    for line in (read("/proc/interrupts") or "").splitlines()[1:]:
        head, _, rest = line.partition(":")
        if head.strip().isdigit() and "virtio" in rest:
            irqs[int(head)] = rest.split()[-1]
    threads = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        comm = (read(f"/proc/{pid}/comm") or "").strip()
        if comm.startswith("irq/"):
            n = comm[4:].split("-", 1)[0]
            if n.isdigit() and int(n) in irqs:
                threads[int(pid)] = (int(n), comm)
    s.check(name, "threaded virtio IRQ handlers exist", bool(threads), f"{len(threads)} of {len(irqs)} IRQs")
    if not threads:
        return
    for n in irqs:  # the device interrupts, hence their threads, on the victim's CPU
        try:
            with open(f"/proc/irq/{n}/smp_affinity_list", "w") as f:
                f.write("0")
        except OSError:
            pass
    # An IRQ thread follows its IRQ's affinity at its next wake-up: one
    # burst of reads moves the threads before anything is measured.
    reads = ["taskset", "-c", "1", "/bin/sh", "-c", "cat /usr/lib/x86_64-linux-gnu/libc.so.6 >/dev/null"]
    subprocess.run(reads, check=False)
    victim = s.workload("spin", "--name", "victim", "--cpu", "0", "--seconds", "600")
    ready(victim.pid, "victim", "0")
    freeze([victim], signal.SIGSTOP)
    wait_stopped([victim.pid])
    t = s.start_thief(["-p", str(victim.pid), "--format", "json"], cpu="1")
    s.wait_attached(t)
    before = {pid: books(pid) for pid in threads}
    freeze([victim], signal.SIGCONT)
    # Reads of the 9p root (virtio, no page cache) from CPU 1 raise the IRQs.
    io = subprocess.Popen(
        ["taskset", "-c", "1", "/bin/sh", "-c", "while :; do cat /usr/lib/x86_64-linux-gnu/libc.so.6 >/dev/null; done"]
    )
    s.children.append(io)
    time.sleep(seconds)
    # The reads end (and their last IRQs are handled) while the victim still
    # spins: every run of the IRQ thread then lies inside the victim's waits.
    io.kill()
    io.wait()
    time.sleep(0.5)
    freeze([victim], signal.SIGSTOP)
    wait_stopped([victim.pid])
    after = {pid: books(pid) for pid in threads}
    rc = s.finish(t)
    s.end_all()
    s.check(name, "thief exit status 0", rc == 0, f"exit {rc}")
    r = s.report(t)
    s.check(name, "tracer.preempt_rt is true", r["tracer"].get("preempt_rt") is True)
    by_pid = {x.get("pid"): x for x in r.get("thieves", [])}
    best = max(threads, key=lambda p: delta(before[p], after[p], "sum_exec"))
    n, comm = threads[best]
    ran = delta(before[best], after[best], "sum_exec")
    entry = by_pid.get(best, {})
    s.check(name, f"{comm} is a thief of kind irq-thread", entry.get("kind") == "irq-thread", f"kind {entry.get('kind')}")
    s.check(name, f"{comm} carries IRQ {n}", entry.get("irq") == n, f"irq {entry.get('irq')} name {entry.get('irq_name')}")
    # Its books count every run, thief only those inside the victim's waits:
    # an upper bound. The thread also runs on CPU 1 when it was woken there
    # before its IRQ's new affinity took hold (CI, 2026-12-07: 10.7% of its
    # runs; 0.8% in an earlier run), so the lower bound is looser: in six
    # runs of this suite on 6.1-rt, 2026-12-07, thief's share of its runs was
    # 74.9, 77.2, 77.5, 82.6, 85.9 and 88.9%; 60% still fails a thief
    # that leaves the IRQ thread's time out, or credits half of it.
    stolen = entry.get("stolen_ns", 0)
    s.row(name, f"{comm} stolen ns vs its Δse.sum_exec_runtime", "info", stolen, ran)
    # Upper bound with the stolen kind's limit: thief times a thief's runs
    # at sched_switch, the books at update_curr, and the IRQ thread runs in
    # many short slices (6.1-rt under TCG, 2026-12-07: 0.7% over, all of it
    # slice-edge drift).
    upper = ran * (1 + LIMITS["stolen"])
    s.check(name, f"{comm} stolen <= its Δse.sum_exec_runtime + 5%", stolen <= upper, f"{stolen} of {ran} ns")
    s.check(name, f"{comm} stolen >= 60% of its Δse.sum_exec_runtime", stolen >= ran * 0.60, f"{stolen} of {ran} ns")
    others = [x for x in r.get("thieves", []) if x.get("comm", "").startswith(("irq/", "ktimers/", "ksoftirqd/"))]
    s.check(name, "every irq/, ktimers/, ksoftirqd/ thief has a kind", all(x.get("kind") for x in others), f"{len(others)} such thieves")
    s.row(name, "lost records", "count", r.get("lost_events", -1), 0)


def btf_has_member(name):
    """Does the kernel's BTF name this member? (bpftool, the host's, shared with the guest.)"""
    out = subprocess.run(
        ["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"],
        capture_output=True, text=True, check=True,
    ).stdout
    return f"'{name}' type_id=" in out


def check_unavailable(s, r):
    """tracer.unavailable names exactly what this kernel's BTF lacks; such a cause is null."""
    name = "unavailable"
    s.check(name, "tracer.preempt_rt iff /sys/kernel/realtime", (r["tracer"].get("preempt_rt") is True) == s.meta["preempt_rt"])
    listed = [u.get("what") for u in r["tracer"].get("unavailable", [])]
    causes = r["runnable_wait"]["by_cause"]
    for key, member in (("throttled_ns", "throttled_clock_self_time"), ("steal_ns", "prev_steal_time")):
        missing = not btf_has_member(member)
        s.check(name, f"{key} listed unavailable iff BTF lacks {member}", (f"runnable_wait.by_cause.{key}" in listed) == missing, f"missing {missing}")
        s.check(name, f"{key} is null iff unavailable", (causes.get(key) is None) == missing, f"{causes.get(key)}")


def resume(s):
    """A guest booted again (kernels.sh retries a guest that died or hung)
    keeps the rows of the tests an earlier boot finished, drops the rest, and
    returns the finished tests' names so that they are not run again."""
    try:
        with open(os.path.join(s.out, "results.json")) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return set()
    done = set(doc["meta"].get("seconds", {}))
    # The "unavailable" rows come from the first competitor test.
    owner = {"unavailable": "competitor tp_btf"}
    s.rows = [r for r in doc.get("rows", []) if owner.get(r["test"], r["test"]) in done]
    s.errors = [e for e in doc.get("errors", []) if e.split(":", 1)[0] in done]
    s.tracer = doc.get("tracer", {})
    s.meta["seconds"] = doc["meta"].get("seconds", {})
    s.meta["boots"] = doc["meta"].get("boots", 1) + 1
    return done


def watchdog(s, name, after):
    """A test still running after `after` s: the suite's processes' states go
    into the errors and the kernel's dumps onto the console, while the guest
    can still say where things stand (its timeout kills the whole VM)."""
    def fire():
        # The console first: it needs no file system (the guest's root is
        # the host's, over 9p, which may be what hangs).
        sysrq("w")
        sysrq("l")
        pids = [p.pid for p in s.children if p.poll() is None]
        s.errors.append(f"{name}: still running after {after} s; " + "; ".join(f"{pid}: {where(pid)}" for pid in pids))
        s.save()

    t = threading.Timer(after, fire)
    t.daemon = True
    t.start()
    return t


def run(args):
    s = Suite(args.build, args.out, args.flavour, args.thief)
    done = resume(s) if args.resume else set()
    s.save()
    window = args.seconds
    tests = [
        ("competitor tp_btf", lambda: test_competitor(s, "tp_btf", window)),
        ("competitor raw_tp", lambda: test_competitor(s, "raw_tp", window)),
        ("cgroup", lambda: test_cgroup(s, window)),
        ("wakers", lambda: test_wakers(s, window)),
        ("preempt_rt", lambda: test_rt(s, window) if s.meta["preempt_rt"] else None),
        ("demo", lambda: test_demo(s)),
    ]
    for name, fn in tests:
        # --only takes words: "preempt_rt", "raw_tp", "competitor" (both attach modes).
        if args.only and not set(args.only) & set(name.split()) or name in done:
            continue
        started = time.time()
        dog = watchdog(s, name, 90)
        try:
            fn()
        except Exception as e:  # a test that breaks is a failure, and the next one still runs
            s.errors.append(f"{name}: {type(e).__name__}: {e}")
        finally:
            dog.cancel()
            s.end_all()
        s.meta.setdefault("seconds", {})[name] = round(time.time() - started, 1)
        s.save()
    s.meta["finished"] = True
    s.save()


# ---------------------------------------------------------------- the host side


def verdict(row):
    kind, t, k = row["kind"], row["thief"], row["kernel"]
    if kind == "info":
        return None, ""
    if kind in ("count", "check"):
        ok = t is not None and abs(t - k) <= LIMITS[kind]
        return ok, f"{t - k:+}" if t is not None else "n/a"
    if t is None:
        return False, "n/a"
    err = abs(t - k) / k if k else (0 if t == 0 else float("inf"))
    return err <= LIMITS[kind], f"{err * 100:.2f}% (limit {LIMITS[kind] * 100:g}%)"


def judge(dirs):
    passed = failed = 0
    for d in dirs:
        path = os.path.join(d, "results.json")
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"\n== {os.path.basename(d)}: no results ({e})")
            failed += 1
            continue
        m = doc["meta"]
        rt = " PREEMPT_RT" if m.get("preempt_rt") else ""
        print(f"\n== {m['flavour']}: kernel {m['kernel']}{rt}, {m.get('cpus')} CPUs, attach {doc['tracer'].get('attach', '?')}")
        unavailable = doc["tracer"].get("unavailable")
        if unavailable is not None:
            names = ", ".join(f"{u.get('what')} ({u.get('since')})" for u in unavailable) or "nothing"
            print(f"   unavailable: {names}")
        print(f"   {'TEST':<18} {'WHAT':<52} {'THIEF':>14} {'KERNEL':>14}  VERDICT")
        for row in doc["rows"]:
            ok, detail = verdict(row)
            mark = "info" if ok is None else ("ok" if ok else "FAIL")
            if ok is True:
                passed += 1
            elif ok is False:
                failed += 1
            t = "n/a" if row["thief"] is None else row["thief"]
            print(f"   {row['test']:<18} {row['what'][:52]:<52} {t:>14} {row['kernel']:>14}  {mark} {detail}")
        for e in doc.get("errors", []):
            print(f"   ERROR {e}")
            failed += 1
        if not m.get("finished"):
            print("   ERROR the suite did not finish (timeout or crash; see console.log)")
            failed += 1
        note = read(os.path.join(d, "retried.txt"))
        if note:
            failures = [line.removeprefix("retried after: ") for line in note.strip().splitlines()]
            print(f"   note: booted {len(failures) + 1} times; the earlier boots failed: {'; '.join(failures)} (console-N.log)")
        print(f"   times: {m.get('seconds', {})}")
    print(f"\n{passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="in the guest: run the suite, write OUT/results.json")
    r.add_argument("--build", required=True)
    r.add_argument("--thief", help="the thief binary (default: BUILD/thief); CI passes dist/thief, the packaged one")
    r.add_argument("--out", required=True)
    r.add_argument("--flavour", default="?")
    r.add_argument("--seconds", type=float, default=3.0)
    r.add_argument("--only", nargs="*")
    r.add_argument("--resume", action="store_true", help="a later boot: skip the tests OUT/results.json has finished")
    j = sub.add_parser("judge", help="on the host: judge each DIR/results.json")
    j.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    if a.cmd == "run":
        run(a)
        return 0
    return judge(a.dirs)


if __name__ == "__main__":
    sys.exit(main())
