// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * thief.bpf.c - the kernel side of thief.
 *
 * Tracks a set of target threads (map "threads", filled by user space at
 * start and grown by fork for new threads or children) and sends one
 * fixed-size record per finished episode: an on-core slice, an off-core
 * interval with its state, a runnable wait, time stolen by another task from a
 * waiting target, an IRQ/softirq/system vector that ran during a target's
 * slice, a migration. Record traffic follows the target's activity, not the
 * machine's context-switch rate: events of untracked tasks only touch per-CPU
 * state, and only when a target waits on that CPU do they produce a record.
 *
 * Every handler is written once against CO-RE reads and attached either as
 * tp_btf (preferred) or raw_tp (fallback); user space picks with autoload.
 */
#include "thief_kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "thief_abi.h"
#include "thief_compat.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The whole .rodata: set by user space before load (see thief_knobs). */
const volatile struct thief_knobs knobs = {};

#define THIEF_MAX_CPUS 1024
#define THIEF_MAX_OVERFLOW 16384
#define THIEF_IRQ_DEPTH 4

/* What a CPU runs while targets wait on it: the causes of their waits. */
enum cause_class {
    CLS_TASKS = 0,   /* a task that is not a target */
    CLS_TARGETS = 1, /* another target */
    CLS_IDLE = 2,    /* the idle task */
};

/* Per-CPU cause clocks: ns each class ran while targets waited here, and the
 * hypervisor's steal inside them. A wait's causes are the clocks' growth
 * between its start and its end (summed over the queues it moved through),
 * so one running sum per CPU serves any number of waiters. */
struct causes {
    __u64 targets, idle, steal, tasks;
};

/* Per-CPU bookkeeping. Indexed by CPU id in a plain array: a migration of a
 * queued target updates the wait counters of two CPUs. */
struct cpu_state {
    __u64 cur_start;   /* when the task now on this CPU switched in */
    __u64 wait_since;  /* when nwait last became non-zero */
    __u64 steal_acc;   /* closed wait segments during the current task's run */
    __u32 nwait;       /* target threads runnable-waiting on this run queue */
    __u32 last_waiter; /* a waiting target, for attribution */
    __u32 cur_tid;     /* target thread on-core here, 0 if none */
    __u32 cur_tgid;
    __u32 irq_depth;
    __u32 waking; /* a task this CPU is waking (sched_waking to sched_wakeup or its migration; IRQs off) */
    __u64 irq_start[THIEF_IRQ_DEPTH];
    __u64 irq_child[THIEF_IRQ_DEPTH];
    struct causes cum; /* the cause clocks up to seg_start */
    __u64 seg_start;   /* while nwait > 0: since when `cls` has run unaccounted */
    __u64 seg_steal;   /* the steal clock at seg_start */
    __u32 cls;         /* enum cause_class of the task on-core now */
    __u16 ctx_hard;    /* hard IRQs and system vectors under way here (a waker's context) */
    __u16 ctx_soft;    /* softirqs under way here */
    __u64 rq;          /* this CPU's struct rq (a kernel pointer; 0 until the first switch) */
    /* A work item under way here: its function, its worker, the start of
     * the worker's current run inside it (0 while the worker sleeps in it),
     * and the ns it ran inside targets' waits before that run. */
    __u64 wq_func; /* 0: none */
    __u64 wq_start;
    __u64 wq_acc;
    __u32 wq_pid;
    __u32 held;  /* records held in this CPU's batch (knobs.hold) */
    __u32 maybe; /* on_switch: bit 0 prev, bit 1 next may be targets (see there) */
};

/* The target threads: slot tid & slot_mask of an array (resized by user
 * space to pid_max rounded up to a power of two, at most THIEF_MAX_SLOTS),
 * and the threads whose slot another holds in the hash beside it (thief_abi.h
 * gives the protocol). Shared memory: user space seeds it through mmap (a
 * chunk at a time), with the same compare-and-swap. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, THIEF_MAX_SLOTS);
    __uint(map_flags, BPF_F_MMAPABLE);
    __type(key, __u32);
    __type(value, struct thief_tstate);
} threads SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, THIEF_MAX_OVERFLOW);
    __type(key, __u32);
    __type(value, struct thief_tstate);
} threads_ovf SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, THIEF_MAX_CPUS);
    __type(key, __u32);
    __type(value, struct cpu_state);
} cpus SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct thief_counters);
} counters SEC(".maps");

/* THIEF_FILTER_TGIDS: bit (tgid % 64) of word (tgid / 64) is set for each
 * target process. Sized by user space to the kernel's pid_max; an array
 * lookup is inlined by the verifier, so a non-target pays two loads. Bits are
 * never cleared: a reused tgid only costs the hash lookup that rejects it. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 65536);        /* 4M pids; resized by user space before load */
    __uint(map_flags, BPF_F_MMAPABLE); /* user space sets bits atomically, as this side does */
    __type(key, __u32);
    __type(value, __u64);
} tgids SEC(".maps");

/* Tasks whose identity (policy, nice, cgroup, CPUs) was sent: pid -> its
 * start time, so a reused pid is identified again. Once per culprit, not
 * per event; the least recently seen are forgotten first. */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, __u32);
    __type(value, __u64);
} idents SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 8 << 20); /* resized by user space before load */
} events SEC(".maps");

static __always_inline struct cpu_state *cpu_state_of(__u32 cpu)
{
    return bpf_map_lookup_elem(&cpus, &cpu);
}

/* The state of tracked thread pid, or 0: its slot, or the overflow hash when
 * another thread holds the slot (only tids equal modulo the slot count, which
 * is pid_max itself where pid_max <= THIEF_MAX_SLOTS). An array lookup is a
 * few inlined instructions; the hash lookup it replaced cost ~40 ns, five of
 * them per pipe round trip. */
static __always_inline struct thief_tstate *thread_of(__u32 pid)
{
    __u32 k = pid & knobs.slot_mask;
    struct thief_tstate *t = bpf_map_lookup_elem(&threads, &k);
    if (!t || !pid)
        return 0;
    if (t->slot_tid == pid)
        return t;
    return t->overflowed ? bpf_map_lookup_elem(&threads_ovf, &pid) : 0;
}

/* Tracks thread pid from `seed`; false if it was tracked already (or no room). */
static __always_inline bool thread_add(__u32 pid, const struct thief_tstate *seed)
{
    __u32 k = pid & knobs.slot_mask;
    struct thief_tstate *t = bpf_map_lookup_elem(&threads, &k);
    if (!t || !pid || t->slot_tid == pid)
        return false;
    if (t->overflowed && bpf_map_lookup_elem(&threads_ovf, &pid))
        return false;
    if (__sync_val_compare_and_swap(&t->slot_tid, 0, THIEF_SLOT_BUSY) == 0) {
        thief_tstate_fill(t, seed);
        __sync_lock_test_and_set(&t->slot_tid, pid); /* publish (a full barrier) */
        return true;
    }
    t->overflowed = 1; /* before the insert: a lookup that misses the slot must try the hash */
    return bpf_map_update_elem(&threads_ovf, &pid, seed, BPF_NOEXIST) == 0;
}

/* Thread pid (state t, from thread_of) is gone: its slot is free again. */
static __always_inline void thread_del(__u32 pid, struct thief_tstate *t)
{
    if (t->slot_tid == pid)
        __sync_lock_test_and_set(&t->slot_tid, 0);
    else
        bpf_map_delete_elem(&threads_ovf, &pid);
}

/* Reserve a zeroed record, counting a drop when the ring buffer is full. */
static __always_inline struct thief_record *rec_reserve(__u16 type, __u64 now, __u32 cpu)
{
    __u32 zero = 0;
    struct thief_counters *c = bpf_map_lookup_elem(&counters, &zero);
    struct thief_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
    if (!r) {
        if (c)
            c->lost++;
        return 0;
    }
    if (c)
        c->emitted++;
    __builtin_memset(r, 0, sizeof(*r));
    r->type = type;
    r->ts = now;
    r->cpu = (__u16)cpu;
    return r;
}

static __always_inline void count_healed(void)
{
    __u32 zero = 0;
    struct thief_counters *c = bpf_map_lookup_elem(&counters, &zero);
    if (c)
        c->healed++;
}

/* Never a wake-up: the consumer drains on its own 10 ms timer. A forced
 * wake-up is an irq_work self-IPI (~4.4 us in a VM), and one that lands while
 * a target runs is itself recorded as an interrupt, which forces another. */
static __always_inline void rec_submit(struct thief_record *r)
{
    bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

/* The records of sched_switch gather here (thief_abi.h: struct thief_batch).
 * Per CPU, and written only by sched_switch, which runs with interrupts off:
 * nothing else writes it meanwhile. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct thief_batch);
} batches SEC(".maps");

static __always_inline struct thief_record *batch_add(struct thief_batch *b, __u16 type, __u64 ts, __u32 cpu)
{
    __u32 n = b->n;
    if (n >= THIEF_BATCH_RECORDS)
        return 0;
    struct thief_record *r = &b->r[n];
    b->n = n + 1;
    __builtin_memset(r, 0, sizeof(*r));
    r->type = type;
    r->ts = ts;
    r->cpu = (__u16)cpu;
    return r;
}

static __always_inline void batch_send(struct thief_batch *b)
{
    __u32 n = b->n;
    b->n = 0;
    if (n == 0 || n > THIEF_BATCH_RECORDS)
        return;
    __u32 zero = 0;
    struct thief_counters *c = bpf_map_lookup_elem(&counters, &zero);
    long err = bpf_ringbuf_output(&events, b->r, n * sizeof(struct thief_record), BPF_RB_NO_WAKEUP);
    if (c) {
        if (err)
            c->lost += n;
        else
            c->emitted += n;
    }
}

/* Sends what an earlier switch held on this CPU (interrupts off: sched_switch). */
static __always_inline void flush_held(struct cpu_state *cs)
{
    __u32 zero = 0;
    struct thief_batch *b = bpf_map_lookup_elem(&batches, &zero);
    if (b)
        batch_send(b);
    cs->held = 0;
}

static __always_inline bool tgid_in_set(__u32 tgid)
{
    __u32 k = tgid >> 6;
    __u64 *w = bpf_map_lookup_elem(&tgids, &k);
    return w && ((*w >> (tgid & 63)) & 1);
}

static __always_inline void tgid_add(__u32 tgid)
{
    __u32 k = tgid >> 6;
    __u64 *w = bpf_map_lookup_elem(&tgids, &k);
    if (w)
        __sync_fetch_and_or(w, 1ULL << (tgid & 63));
}

/* Could t be a target? A load or two instead of a hash lookup, for the
 * switches and wake-ups of every other task on the machine (enum thief_filter). */
static __always_inline bool maybe_target(bool btf, struct task_struct *t)
{
    switch (knobs.filter) {
    case THIEF_FILTER_TGID:
        return (__u32)TREAD(btf, t, tgid) == knobs.target_tgid;
    case THIEF_FILTER_TGIDS:
        return tgid_in_set(TREAD(btf, t, tgid));
    case THIEF_FILTER_CGROUP:
        return thief_task_in_cgroup(btf, t, knobs.cgroup_id, knobs.cgroup_level);
    default:
        return true;
    }
}

/* A new target thread: off-core and runnable from `now` (a fork's child, or
 * a task that joins), as user space seeds threads that exist at the start.
 * Its on-core time so far (`sum`, 0 for a fork's child) is known, so a first
 * switch-in that never reaches us heals from the kernel's books like any
 * other: the switch-outs of some tasks are never traced (on this VM, those of
 * PID 1's threads: the next task's switch-in is missed), and a child whose
 * first switch-in was missed used to be credited on-core from the run's start.
 * False if it was tracked already. */
static __always_inline bool track_new(__u32 pid, __u32 tgid, __u64 now, __u64 sum)
{
    struct thief_tstate seed = {};
    seed.tgid = tgid;
    seed.off_ts = now;
    seed.off_state = THIEF_OFF_PREEMPTED;
    seed.off_sum = sum;
    seed.sum_known = 1;
    return thread_add(pid, &seed);
}

/* A task of the target cgroup that is not tracked yet (it moved into the
 * cgroup, or was forked there by a task outside it) joins as it switches in:
 * tracked from now, announced with a new-thread record. */
static __always_inline struct thief_tstate *join(bool btf, struct thief_batch *b, __u64 now, __u32 cpu,
                                                 struct task_struct *t, __u32 pid)
{
    __u32 tgid = TREAD(btf, t, tgid);
    if (tgid == knobs.self_tgid)
        return 0;
    if (!track_new(pid, tgid, now, TREAD(btf, t, se.sum_exec_runtime)))
        return 0;
    struct thief_record *r = batch_add(b, THIEF_REC_NEW_THREAD, now, cpu);
    if (r) {
        r->tid = pid;
        r->tgid = tgid;
        bpf_core_read(r->task.comm, sizeof(r->task.comm), &t->comm);
    }
    return thread_of(pid);
}

/* The cause clocks of a CPU at `now`: the sums so far plus the part of the
 * current task's run not yet added (only while targets wait there). */
static __always_inline void clock_read(struct cpu_state *cs, __u64 now, __u64 sc, struct causes *out)
{
    *out = cs->cum;
    if (cs->nwait == 0 || now <= cs->seg_start)
        return;
    __u64 len = now - cs->seg_start;
    __u64 st = sc > cs->seg_steal ? sc - cs->seg_steal : 0;
    if (st > len)
        st = len;
    out->steal += st;
    len -= st;
    if (cs->cls == CLS_TARGETS)
        out->targets += len;
    else if (cs->cls == CLS_IDLE)
        out->idle += len;
    else
        out->tasks += len;
}

/* Adds the current run's part to the sums (the class is about to change). */
static __always_inline void clock_advance(struct cpu_state *cs, __u64 now, __u64 steal)
{
    if (cs->nwait == 0)
        return;
    clock_read(cs, now, steal, &cs->cum);
    cs->seg_start = now;
    cs->seg_steal = steal;
}

/* `steal`: the CPU's steal clock now (thief_steal_of a task's cfs_rq on it). */
static __always_inline void nwait_inc(__u32 cpu, __u32 tid, __u64 now, __u64 steal)
{
    struct cpu_state *cs = cpu_state_of(cpu);
    if (!cs)
        return;
    if (__sync_fetch_and_add(&cs->nwait, 1) == 0) {
        cs->wait_since = now;
        cs->seg_start = now;
        cs->seg_steal = steal;
    }
    cs->last_waiter = tid;
}

static __always_inline void nwait_dec(__u32 cpu, __u64 now)
{
    struct cpu_state *cs = cpu_state_of(cpu);
    if (!cs || cs->nwait == 0)
        return;
    if (__sync_fetch_and_add(&cs->nwait, -1) == 1) {
        /* The wait on this CPU ended without a switch here (migration):
         * keep what the running task took so far for its next switch. */
        __u64 from = cs->cur_start > cs->wait_since ? cs->cur_start : cs->wait_since;
        if (now > from)
            cs->steal_acc += now - from;
    }
}

static __always_inline void causes_add(struct thief_tstate *t, struct causes *c)
{
    t->snap_targets += c->targets;
    t->snap_idle += c->idle;
    t->snap_steal += c->steal;
    t->snap_tasks += c->tasks;
}

static __always_inline void causes_sub(struct thief_tstate *t, struct causes *c)
{
    t->snap_targets -= c->targets;
    t->snap_idle -= c->idle;
    t->snap_steal -= c->steal;
    t->snap_tasks -= c->tasks;
}

/* Tracked thread t (task p) starts a runnable wait on `cpu`: it counts as a
 * waiter there, and its causes start from the CPU's clocks and its cfs_rq's
 * throttled clock now. */
static __always_inline void wait_begin(bool btf, struct thief_tstate *t, struct cfs_rq *cfs, __u32 pid,
                                       __u32 cpu, __u64 now, __u64 steal)
{
    t->waiting = 1;
    t->wait_ts = now;
    t->wait_cpu = (__u16)cpu;
    nwait_inc(cpu, pid, now, steal);
    struct cpu_state *cs = cpu_state_of(cpu);
    struct causes c = {};
    if (cs)
        clock_read(cs, now, steal, &c);
    t->snap_targets = c.targets;
    t->snap_idle = c.idle;
    t->snap_steal = c.steal;
    t->snap_tasks = c.tasks;
    t->thr_cfs = (__u64)cfs;
    t->thr_snap = thief_throttled_clock(btf, cfs);
}

/* A waiting thread moves from one run queue to another: what it took on the
 * old one so far stays in its snapshots (they hold start - taken). */
static __always_inline void wait_move(bool btf, struct thief_tstate *t, struct cfs_rq *cfs, __u32 pid,
                                      __u32 to, __u64 now)
{
    __u32 from = t->wait_cpu;
    struct cpu_state *cs = cpu_state_of(from);
    struct causes c = {};
    if (cs) {
        clock_read(cs, now, thief_steal_of(btf, cfs), &c); /* the task is still on `from` here */
        causes_sub(t, &c);
    }
    nwait_dec(from, now);
    t->wait_cpu = (__u16)to;
    cs = cpu_state_of(to);
    __u64 steal = cs ? thief_steal_clock(cs->rq) : 0; /* rare: a probe read of the other run queue */
    nwait_inc(to, pid, now, steal);
    if (cs) {
        clock_read(cs, now, steal, &c);
        causes_add(t, &c);
    }
    struct cfs_rq *old = (struct cfs_rq *)t->thr_cfs;
    struct cfs_rq *new = thief_cfs_rq_on(old, to);
    t->thr_snap = t->thr_snap - thief_throttled_clock(false, old) + thief_throttled_clock(false, new);
    t->thr_cfs = (__u64) new;
}

/* The causes of t's wait (task p), ending now on its queue: what the
 * clocks grew by. `steal`: the steal clock of the CPU p switches in on. */
static __always_inline void wait_causes(bool btf, struct thief_tstate *t, struct cfs_rq *cfs, __u32 cpu,
                                        __u64 now, __u64 steal, struct thief_rec_wait *w)
{
    if (!t->wait_ts)
        return; /* began before tracing: its start on the clocks is unknown */
    __u32 qcpu = t->wait_cpu;
    struct cpu_state *cs = cpu_state_of(qcpu);
    if (!cs)
        return;
    struct causes c;
    clock_read(cs, now, qcpu == cpu ? steal : thief_steal_clock(cs->rq), &c);
    w->targets_ns = c.targets - t->snap_targets;
    w->idle_ns = c.idle - t->snap_idle;
    w->steal_ns = c.steal - t->snap_steal;
    /* Its cfs_rq now is thr_cfs (wait_move followed it), typed here. */
    w->throttled_ns = thief_throttled_clock(btf, cfs) - t->thr_snap;
}

/* Who woke the thread whose wait ends now (its switch-in at ts on cpu). */
static __always_inline void add_waker(struct thief_batch *b, __u64 ts, __u32 cpu, __u32 tid,
                                      struct thief_tstate *t)
{
    if (!t->wk_ts)
        return;
    struct thief_record *r = batch_add(b, THIEF_REC_WAKER, ts, cpu);
    if (r) {
        r->tid = tid;
        r->tgid = t->tgid;
        r->waker.waking_ts = t->wk_ts;
        r->waker.pid = t->wk_pid;
        r->waker.tgid = t->wk_tgid;
        r->waker.cpu = t->wk_cpu;
        r->waker.flags = t->wk_flags;
        __builtin_memcpy(r->waker.comm, t->wk_comm, sizeof(r->waker.comm));
    }
    t->wk_ts = 0;
}

/* The off-core interval and the wait of tracked thread tid end at ts
 * (now: the time of the event that found it). */
static __always_inline void end_offcore(bool btf, struct thief_batch *b, __u64 ts, __u64 now, __u32 cpu,
                                        __u32 tid, struct thief_tstate *t, struct cfs_rq *cfs, __u64 steal)
{
    struct thief_record *r = batch_add(b, THIEF_REC_OFFCORE, ts, cpu);
    if (r) {
        r->tid = tid;
        r->tgid = t->tgid;
        r->offcore.start_ts = t->off_ts;
        r->offcore.state = t->off_state;
    }
    if (!t->waiting)
        return;
    r = batch_add(b, THIEF_REC_WAIT, ts, cpu);
    if (r) {
        r->tid = tid;
        r->tgid = t->tgid;
        r->aux = t->wait_cpu;
        r->wait.start_ts = t->wait_ts;
        wait_causes(btf, t, cfs, cpu, now, steal, &r->wait);
    }
    add_waker(b, ts, cpu, tid, t);
    nwait_dec(t->wait_cpu, now);
    t->waiting = 0;
}

/* Once per culprit: the policy, nice, priority, cgroup and CPUs the task
 * ran with, read now (it may be gone by the time user space could look). */
static __always_inline void identify(bool btf, struct thief_batch *b, __u64 now, __u32 cpu,
                                     struct task_struct *p, __u32 pid)
{
    __u64 start = TREAD(btf, p, start_time);
    __u64 *seen = bpf_map_lookup_elem(&idents, &pid);
    if (seen && *seen == start)
        return;
    bpf_map_update_elem(&idents, &pid, &start, BPF_ANY);
    struct thief_record *r = batch_add(b, THIEF_REC_IDENTITY, now, cpu);
    if (!r)
        return;
    r->tid = pid;
    r->tgid = TREAD(btf, p, tgid);
    r->ident.policy = TREAD(btf, p, policy);
    r->ident.nice = TREAD(btf, p, static_prio) - 120;
    r->ident.rt_priority = TREAD(btf, p, rt_priority);
    r->ident.nr_cpus_allowed = TREAD(btf, p, nr_cpus_allowed);
    const struct cpumask *mask = BPF_CORE_READ(p, cpus_ptr);
    if (mask)
        bpf_probe_read_kernel(r->ident.cpus_allowed, sizeof(r->ident.cpus_allowed), mask);
    r->ident.cgroup_id = BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, id);
}

/* ns of the worker's run [from, now] that fell inside targets' waits here. */
static __always_inline __u64 work_part(struct cpu_state *cs, __u64 from, __u64 now)
{
    if (cs->nwait == 0 || !from)
        return 0;
    if (cs->wait_since > from)
        from = cs->wait_since;
    return now > from ? now - from : 0;
}

/* The worker of the item under way leaves the CPU (it sleeps inside the item,
 * or is preempted) or comes back: the item counts only its runs (an item that
 * slept 1.2 ms in page_reporting_process was 6 times its worker's runs).
 * now 0: not read yet (no target waits here, so a run adds nothing); the
 * clock is read only if the worker comes back. */
static __always_inline void work_switch(struct cpu_state *cs, __u32 prev_pid, __u32 next_pid, __u64 now)
{
    if (cs->wq_start && prev_pid == cs->wq_pid) {
        cs->wq_acc += work_part(cs, cs->wq_start, now);
        cs->wq_start = 0;
    } else if (!cs->wq_start && next_pid == cs->wq_pid) {
        cs->wq_start = now ? now : bpf_ktime_get_ns();
    }
}

static __always_inline __u8 off_state_of(bool preempt, __u32 state)
{
    if (preempt || state == TASK_RUNNING)
        return THIEF_OFF_PREEMPTED;
    if (state & TASK_INTERRUPTIBLE)
        return THIEF_OFF_SLEEPING;
    if (state & TASK_UNINTERRUPTIBLE)
        return (state & TASK_NOLOAD) ? THIEF_OFF_SLEEPING : THIEF_OFF_BLOCKED;
    if (thief_state_rtlock_wait(state))
        return THIEF_OFF_BLOCKED;
    return THIEF_OFF_OTHER;
}

static __always_inline int on_switch(bool btf, unsigned long long *ctx, bool preempt,
                                     struct task_struct *prev, struct task_struct *next)
{
    /* tp_btf: two plain loads before any branch (thief_task_cfs says why). */
    struct cfs_rq *prev_cfs = btf ? thief_task_cfs(btf, prev) : 0;
    struct cfs_rq *next_cfs = btf ? thief_task_cfs(btf, next) : 0;
    __u32 cpu = bpf_get_smp_processor_id();
    struct cpu_state *cs = cpu_state_of(cpu);
    if (!cs)
        return 0;
    /* No interrupt handler is under way when the CPU switches tasks: an entry
     * whose exit the tracer never saw (measured: call_function_single_entry
     * ran 6 times more than its exit in 4 s on this VM) must not make every
     * later wake-up on this CPU look like one from hard-IRQ context. */
    cs->ctx_hard = 0;
    cs->ctx_soft = 0;
    bool mp = maybe_target(btf, prev), mn = maybe_target(btf, next);
    /* Neither task can be a target and none waits here: nothing to account
     * (cur_start only matters while nwait > 0). */
    if (!mp && !mn && cs->nwait == 0 && cs->steal_acc == 0) {
        /* What runs now decides the cause of a wait that starts during its run. */
        cs->cls = TREAD(btf, next, pid) ? CLS_TASKS : CLS_IDLE;
        if (cs->wq_func)
            work_switch(cs, TREAD(btf, prev, pid), TREAD(btf, next, pid), 0);
        if (cs->held) /* only if the switch that held them was never followed by a traced one */
            flush_held(cs);
        return 0;
    }
    /* Kept in memory, read back where used: as two registers they were
     * constants that the verifier kept apart, every path below explored once
     * per combination (14,609 instructions processed, 17.5 ms of start-up;
     * now 8,054 and 10.5 ms). A store and a load of a hot line. */
    cs->maybe = (__u32)mp | ((__u32)mn << 1);
    asm volatile("" ::: "memory");
    __u32 zero = 0;
    struct thief_batch *b = bpf_map_lookup_elem(&batches, &zero);
    if (!b)
        return 0;
    if (!knobs.hold)
        b->n = 0;
    else if (b->n > THIEF_BATCH_RECORDS - THIEF_SWITCH_RECORDS)
        batch_send(b); /* this switch might not fit */
    /* raw_tp: probe reads, so only for the switches that get this far. */
    if (!btf) {
        prev_cfs = thief_task_cfs(btf, prev);
        next_cfs = thief_task_cfs(btf, next);
    }
    __u64 now = bpf_ktime_get_ns();
    if (!cs->rq)
        cs->rq = thief_rq_of(prev);
    __u32 prev_pid = TREAD(btf, prev, pid);
    __u32 next_pid = TREAD(btf, next, pid);
    struct thief_tstate *pt = ((cs->maybe & 1) && prev_pid) ? thread_of(prev_pid) : 0;
    struct thief_record *r;
    if (cs->wq_func)
        work_switch(cs, prev_pid, next_pid, now);

    /* 1. prev ran while targets waited here: that time was stolen. */
    __u64 steal = thief_steal_of(btf, prev_cfs);
    clock_advance(cs, now, steal);
    __u64 stolen = cs->steal_acc;
    cs->steal_acc = 0;
    if (cs->nwait > 0) {
        __u64 from = cs->cur_start > cs->wait_since ? cs->cur_start : cs->wait_since;
        if (now > from)
            stolen += now - from;
    }
    /* A target that ran while other targets waited here: contention among
     * targets, carried by its slice record (no record of its own). */
    __u64 contended = 0;
    __u32 contended_waiter = 0;
    if (stolen && pt) {
        contended = stolen;
        contended_waiter = cs->last_waiter;
    }
    if (stolen && prev_pid && !pt) {
        r = batch_add(b, THIEF_REC_STEAL, now, cpu);
        if (r) {
            r->steal.dur = stolen;
            r->tid = cs->last_waiter;
            r->steal.pid = prev_pid;
            r->steal.tgid = TREAD(btf, prev, tgid);
            r->steal.flags = (TREAD(btf, prev, flags) & PF_KTHREAD) ? THIEF_F_KTHREAD : 0;
            bpf_core_read(r->steal.comm, sizeof(r->steal.comm), &prev->comm);
        }
    }
    /* A target that contends is identified once (a flag in its state, not
     * the LRU lookup every other culprit needs). */
    if (stolen && prev_pid && !(pt && pt->identified)) {
        identify(btf, b, now, cpu, prev, prev_pid);
        if (pt)
            pt->identified = 1;
    }

    /* 2. a target switches out: its slice ends, an off-core interval starts. */
    if (pt) {
        __u32 state = thief_switch_prev_state(ctx, knobs.has_prev_state, prev);
        __u64 sum = TREAD(btf, prev, se.sum_exec_runtime);
        __u64 slice_start = 0, slice_dur = 0;
        if (pt->running && pt->seen_in) {
            slice_start = pt->on_ts;
            slice_dur = sum - pt->on_sum;
        } else if (!pt->running && pt->sum_known && sum >= pt->off_sum) {
            /* Its switch-in never reached us (the kernel skips a tracing
             * program on rare recursion). It has run for exactly
             * sum - off_sum since we saw it go off-core, in one stretch
             * ending now: close the off-core interval and wait there. */
            __u64 ran = sum - pt->off_sum;
            __u64 in_ts = now > ran ? now - ran : 0;
            if (in_ts < pt->off_ts)
                in_ts = pt->off_ts;
            end_offcore(btf, b, in_ts, now, cpu, prev_pid, pt, prev_cfs, steal);
            if (pt->off_ts) /* not the first event of a thread running at attach */
                count_healed();
            slice_start = in_ts;
            slice_dur = ran;
        }
        __u8 new_state = (state & TASK_DEAD) ? THIEF_OFF_OTHER : off_state_of(preempt, state);
        r = batch_add(b, THIEF_REC_SLICE, now, cpu);
        if (r) {
            r->tid = prev_pid;
            r->tgid = pt->tgid;
            r->slice.start_ts = slice_start;
            r->slice.ran_ns = slice_dur;
            r->slice.next_state = new_state;
            r->slice.contended_ns = contended;
            r->slice.waiter = contended_waiter;
        }
        pt->off_sum = sum;
        pt->sum_known = 1;
        /* A waker noted while it was still on-core woke this sleep (see
         * on_waking); one noted before a preemption woke nothing. */
        if (new_state != THIEF_OFF_SLEEPING && new_state != THIEF_OFF_BLOCKED)
            pt->wk_ts = 0;
        cs->cur_tid = 0;
        cs->cur_tgid = 0;
        if (state & TASK_DEAD) {
            r = batch_add(b, THIEF_REC_EXIT, now, cpu);
            if (r) {
                r->tid = prev_pid;
                r->tgid = pt->tgid;
                bpf_core_read(r->task.comm, sizeof(r->task.comm), &prev->comm);
            }
            if (pt->waiting)
                nwait_dec(pt->wait_cpu, now);
            thread_del(prev_pid, pt);
        } else {
            pt->running = 0;
            pt->off_ts = now;
            pt->off_state = new_state;
            if (pt->off_state == THIEF_OFF_PREEMPTED && !pt->waiting)
                wait_begin(btf, pt, prev_cfs, prev_pid, cpu, now, steal);
        }
    }

    /* 3. a target switches in: its off-core interval and wait end. */
    mn = cs->maybe & 2;
    struct thief_tstate *nt = (mn && next_pid) ? thread_of(next_pid) : 0;
    bool joined = false;
    if (!nt && mn && next_pid && knobs.filter == THIEF_FILTER_CGROUP) {
        nt = join(btf, b, now, cpu, next, next_pid);
        joined = nt != 0;
    }
    if (nt) {
        __u64 sum = TREAD(btf, next, se.sum_exec_runtime);
        if (nt->running) {
            /* Its switch-out never reached us: the slice ran exactly
             * sum - on_sum from on_ts; the state it left in is unknown. */
            __u64 ran = sum - nt->on_sum;
            __u64 out_ts = nt->on_ts + ran < now ? nt->on_ts + ran : now;
            r = batch_add(b, THIEF_REC_SLICE, out_ts, nt->on_cpu);
            if (r) {
                r->tid = next_pid;
                r->tgid = nt->tgid;
                r->slice.start_ts = nt->on_ts;
                r->slice.ran_ns = ran;
                r->slice.next_state = THIEF_OFF_OTHER;
            }
            nt->running = 0;
            nt->off_ts = out_ts;
            nt->off_state = THIEF_OFF_OTHER;
            nt->off_sum = sum;
            nt->sum_known = 1;
            count_healed();
        }
        if (!joined)
            end_offcore(btf, b, now, now, cpu, next_pid, nt, next_cfs, steal);
        nt->running = 1;
        nt->seen_in = 1;
        nt->on_ts = now;
        nt->on_sum = sum;
        nt->on_cpu = (__u16)cpu;
        cs->cur_tid = next_pid;
        cs->cur_tgid = nt->tgid;
        cs->irq_depth = 0;
    }
    /* Everything on this CPU up to now was attributed in step 1; a wait that
     * the switch-in ended here (nwait_dec above) must not be counted again
     * at the next switch (it was: contention among targets came out at 181%
     * of the wait in a pipe ping-pong). */
    cs->steal_acc = 0;
    cs->cur_start = now;
    cs->cls = nt ? CLS_TARGETS : next_pid ? CLS_TASKS : CLS_IDLE;
    /* Held only while targets run back to back: the next switch here is the
     * switch-out of the target now on-core, which sends them unless it brings
     * in another target (thief_abi.h: thief_batch). A thread that joined is
     * sent at once, ahead of its interrupts' records. */
    if (!knobs.hold || !nt || joined)
        batch_send(b);
    cs->held = b->n;
    return 0;
}

/* A tracked thread that is neither on-core nor runnable (asleep or
 * blocked): what a wake-up of it starts. */
static __always_inline struct thief_tstate *sleeping_target(bool btf, struct task_struct *p, __u32 *pid)
{
    if (!maybe_target(btf, p))
        return 0;
    *pid = TREAD(btf, p, pid);
    struct thief_tstate *t = thread_of(*pid);
    return (t && !t->running && !t->waiting) ? t : 0;
}

/* Who wakes t (task p): the task on this CPU now, in its context. `now`
 * stands for sched_waking's time (see on_waking). */
static __always_inline void note_waker(bool btf, struct thief_tstate *t, __u64 now, __u32 cpu,
                                       struct cpu_state *cs)
{
    struct task_struct *cur = btf ? bpf_get_current_task_btf() : (struct task_struct *)bpf_get_current_task();
    t->wk_ts = now;
    t->wk_pid = TREAD(btf, cur, pid);
    t->wk_tgid = TREAD(btf, cur, tgid);
    t->wk_cpu = (__u16)cpu;
    __u16 flags = (TREAD(btf, cur, flags) & PF_KTHREAD) ? THIEF_F_KTHREAD : 0;
    if (cs && cs->ctx_hard)
        flags |= THIEF_F_HARDIRQ;
    else if (cs && cs->ctx_soft)
        flags |= THIEF_F_SOFTIRQ;
    t->wk_flags = flags;
    if (btf)
        __builtin_memcpy(t->wk_comm, cur->comm, sizeof(t->wk_comm)); /* plain loads, no helper call */
    else
        bpf_get_current_comm(t->wk_comm, sizeof(t->wk_comm));
}

/* Is p the task this CPU's sched_waking left for the wake-up that follows?
 * (The slot is cleared either way: one waking, one wake-up.) */
static __always_inline bool waking_here(struct cpu_state *cs, __u32 pid)
{
    if (!cs || cs->waking != pid)
        return false;
    cs->waking = 0;
    return true;
}

static __always_inline int on_wakeup(bool btf, struct task_struct *p)
{
    /* tp_btf: one plain load before any branch (thief_task_cfs says why):
     * read after them, it was checked on each of their 6 paths, ~6 of the
     * program's 7.5 ms of verification. */
    struct cfs_rq *cfs = btf ? thief_task_cfs(btf, p) : 0;
    __u32 pid = 0;
    struct thief_tstate *t = sleeping_target(btf, p, &pid);
    __u32 cpu = bpf_get_smp_processor_id();
    struct cpu_state *cs = cpu_state_of(cpu);
    bool local = pid && waking_here(cs, pid); /* pid: set when p may be a target */
    if (!t)
        return 0;
    if (!btf) /* raw_tp: a probe read, so only for a target's wake-up */
        cfs = thief_task_cfs(btf, p);
    __u64 now = bpf_ktime_get_ns();
    if (local)
        note_waker(btf, t, now, cpu, cs);
    wait_begin(btf, t, cfs, pid, thief_task_cpu(btf, p), now, thief_steal_of(btf, cfs));
    return 0;
}

/* sched_waking runs in the waker's context: who it is goes with the wake-up's
 * wait (sent at the switch-in). A thread still on-core or already runnable is
 * not waking from a sleep. Most wake-ups finish on this CPU in this same call
 * of try_to_wake_up, IRQs off, < 1 us on: then sched_wakeup (or the wake-up's
 * migration) reads the waker, and its clock read stands for this one (a clock
 * read cost 30-60 ns here, the hash lookup as much: sched_waking went from 187
 * to ~60 ns). A thread asleep on another CPU may be woken there (an IPI runs
 * its sched_wakeup): that one is looked up and noted now. */
static __always_inline int on_waking(bool btf, struct task_struct *p)
{
    if (!maybe_target(btf, p))
        return 0;
    __u32 cpu = bpf_get_smp_processor_id();
    struct cpu_state *cs = cpu_state_of(cpu);
    __u32 pid = TREAD(btf, p, pid);
    if (cs && thief_task_cpu(btf, p) == cpu) {
        cs->waking = pid;
        return 0;
    }
    /* Still on-core here means still switching out on its CPU (dequeued, so
     * this is a real wake-up; an earlier one would have left it running and
     * runnable, and its switch-out then clears the note): 26% of redis's
     * wake-ups under redis-benchmark came this way and had no waker. */
    struct thief_tstate *t = thread_of(pid);
    if (t && !t->waiting)
        note_waker(btf, t, bpf_ktime_get_ns(), cpu, cs);
    return 0;
}

static __always_inline bool is_stopper(struct task_struct *cur)
{
    char comm[10];
    bpf_core_read(comm, sizeof(comm), &cur->comm);
    return comm[0] == 'm' && comm[1] == 'i' && comm[2] == 'g' && comm[3] == 'r' && comm[4] == 'a' &&
           comm[5] == 't' && comm[6] == 'i' && comm[7] == 'o' && comm[8] == 'n' && comm[9] == '/';
}

static __always_inline int on_migrate(bool btf, struct task_struct *p, int dest_cpu)
{
    /* tp_btf: before any branch, as in on_wakeup. */
    struct cfs_rq *cfs = btf ? thief_task_cfs(btf, p) : 0;
    if (!maybe_target(btf, p))
        return 0;
    __u32 pid = TREAD(btf, p, pid);
    struct thief_tstate *t = thread_of(pid);
    if (!t)
        return 0;
    if (!btf)
        cfs = thief_task_cfs(btf, p);
    __u32 orig = thief_task_cpu(btf, p);
    if (orig == (__u32)dest_cpu)
        return 0;
    __u64 now = bpf_ktime_get_ns();
    /* The migration stopper moves a task off its CPU for an affinity change
     * or an active balance (a task that changed its own affinity sleeps
     * while the stopper moves it, so on_rq alone cannot tell). */
    struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
    __u32 kind = is_stopper(cur)        ? THIEF_MIG_RUNNING
                 : TREAD(btf, p, on_rq) ? THIEF_MIG_QUEUED
                                        : THIEF_MIG_WAKEUP;
    /* A wake-up that moves it: this CPU's sched_wakeup may not see it (an
     * IPI can run it on the new CPU), so its waker is noted here. */
    __u32 cpu = bpf_get_smp_processor_id();
    struct cpu_state *cs = cpu_state_of(cpu);
    if (waking_here(cs, pid) && !t->running && !t->waiting)
        note_waker(btf, t, now, cpu, cs);
    if (t->waiting)
        wait_move(btf, t, cfs, pid, (__u32)dest_cpu, now);
    struct thief_record *r = rec_reserve(THIEF_REC_MIGRATE, now, cpu);
    if (r) {
        r->tid = pid;
        r->tgid = t->tgid;
        r->migrate.from_cpu = orig;
        r->migrate.to_cpu = (__u32)dest_cpu;
        r->migrate.kind = kind;
        rec_submit(r);
    }
    return 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
    __u32 ppid = BPF_CORE_READ(parent, pid);
    struct thief_tstate *pt = thread_of(ppid);
    if (!pt)
        return 0;
    __u32 ctgid = BPF_CORE_READ(child, tgid);
    if (ctgid == knobs.self_tgid)
        return 0;
    bool thread = ctgid == (__u32)BPF_CORE_READ(parent, tgid);
    if (!(thread ? knobs.follow_threads : knobs.follow_children))
        return 0;
    __u64 now = bpf_ktime_get_ns();
    __u32 cpid = BPF_CORE_READ(child, pid);
    if (!track_new(cpid, ctgid, now, BPF_CORE_READ(child, se.sum_exec_runtime)))
        return 0;
    if (!thread && knobs.filter == THIEF_FILTER_TGIDS)
        tgid_add(ctgid);
    struct thief_record *r = rec_reserve(THIEF_REC_NEW_THREAD, now, bpf_get_smp_processor_id());
    if (r) {
        r->tid = cpid;
        r->tgid = ctgid;
        r->task.parent = ppid;
        bpf_core_read(r->task.comm, sizeof(r->task.comm), &child->comm);
        rec_submit(r);
    }
    return 0;
}

/* --comm: is the task's name the one wanted (all 16 bytes up to the NUL)? */
static __always_inline bool comm_matches(struct task_struct *p)
{
    char comm[THIEF_COMM_LEN];
    bpf_core_read(comm, sizeof(comm), &p->comm);
    for (int i = 0; i < THIEF_COMM_LEN; i++) {
        if (comm[i] != knobs.comm[i])
            return false;
        if (!comm[i])
            break;
    }
    return true;
}

/* A process that execs with the --comm name joins, on-core from now (exec
 * runs in the task itself). */
static __always_inline void join_at_exec(struct task_struct *p, __u32 pid)
{
    __u32 tgid = BPF_CORE_READ(p, tgid);
    if (tgid == knobs.self_tgid || !comm_matches(p))
        return;
    __u64 now = bpf_ktime_get_ns();
    __u32 cpu = bpf_get_smp_processor_id();
    struct thief_tstate st = {};
    st.tgid = tgid;
    st.running = 1;
    st.seen_in = 1;
    st.on_ts = now;
    st.on_sum = BPF_CORE_READ(p, se.sum_exec_runtime);
    st.on_cpu = (__u16)cpu;
    if (!thread_add(pid, &st))
        return;
    if (knobs.filter == THIEF_FILTER_TGIDS)
        tgid_add(tgid);
    struct thief_record *r = rec_reserve(THIEF_REC_NEW_THREAD, now, cpu);
    if (r) {
        r->tid = pid;
        r->tgid = tgid;
        bpf_core_read(r->task.comm, sizeof(r->task.comm), &p->comm);
        rec_submit(r);
    }
}

static __always_inline int on_exec(struct task_struct *p)
{
    __u32 pid = BPF_CORE_READ(p, pid);
    struct thief_tstate *t = thread_of(pid);
    if (!t) {
        if (knobs.match_comm)
            join_at_exec(p, pid);
        return 0;
    }
    struct thief_record *r = rec_reserve(THIEF_REC_EXEC, bpf_ktime_get_ns(), bpf_get_smp_processor_id());
    if (r) {
        r->tid = pid;
        r->tgid = t->tgid;
        bpf_core_read(r->task.comm, sizeof(r->task.comm), &p->comm);
        rec_submit(r);
    }
    return 0;
}

/* Is a target on-core here? cur_tid says so from the last traced switch; the
 * interrupted task itself is the proof. They differ when the switch that put
 * the task here was not traced (running since before attach, or a switch
 * event the kernel did not deliver): then the task's own identity decides,
 * so no slice loses its interrupts and none gets another task's. */
static __always_inline bool target_on_core(bool btf, struct cpu_state *cs)
{
    struct task_struct *cur = btf ? bpf_get_current_task_btf() : (struct task_struct *)bpf_get_current_task();
    __u32 pid = TREAD(btf, cur, pid);
    if (pid == cs->cur_tid)
        return pid != 0;
    struct thief_tstate *t = (pid && maybe_target(btf, cur)) ? thread_of(pid) : 0;
    cs->cur_tid = t ? pid : 0;
    cs->cur_tgid = t ? t->tgid : 0;
    cs->irq_depth = 0;
    return t != 0;
}

/* Interrupts: a per-CPU stack so a hard IRQ inside a softirq is not counted
 * twice (the softirq's own time excludes it). Only while a target is on-core. */
static __always_inline int irq_enter(bool btf, bool soft)
{
    if (!knobs.trace_irqs)
        return 0;
    struct cpu_state *cs = cpu_state_of(bpf_get_smp_processor_id());
    if (!cs)
        return 0;
    if (soft)
        cs->ctx_soft++;
    else
        cs->ctx_hard++;
    /* Deeper than x86 ever nests (softirq, hard IRQ, system vector): exits we
     * never saw (one under way while tracing attached): start over. */
    if (cs->irq_depth >= THIEF_IRQ_DEPTH)
        cs->irq_depth = 0;
    if ((cs->irq_depth == 0 && !target_on_core(btf, cs)) || !cs->cur_tid)
        return 0;
    __u32 d = cs->irq_depth;
    if (d < THIEF_IRQ_DEPTH) {
        cs->irq_start[d & (THIEF_IRQ_DEPTH - 1)] = bpf_ktime_get_ns();
        cs->irq_child[d & (THIEF_IRQ_DEPTH - 1)] = 0;
    }
    cs->irq_depth = d + 1;
    return 0;
}

static __always_inline int irq_leave(__u32 kind, __u32 num, const char *name, bool handled)
{
    if (!knobs.trace_irqs)
        return 0;
    __u32 cpu = bpf_get_smp_processor_id();
    struct cpu_state *cs = cpu_state_of(cpu);
    if (!cs)
        return 0;
    /* Exits whose entry came before tracing must not go below 0. */
    if (kind == THIEF_IRQ_SOFT && cs->ctx_soft)
        cs->ctx_soft--;
    else if (kind != THIEF_IRQ_SOFT && cs->ctx_hard)
        cs->ctx_hard--;
    if (cs->irq_depth == 0)
        return 0;
    __u32 d = cs->irq_depth - 1;
    if (d >= THIEF_IRQ_DEPTH) {
        cs->irq_depth = d;
        return 0;
    }
    /* This level's start and nested time are read before its slot is given
     * back: a hard IRQ can interrupt this program (a softirq's exit runs with
     * IRQs on), and once the depth is d its entry writes slot d. Read after,
     * the start was that IRQ's, later than now: a duration of 2^64 - 5.4 us
     * reached a recording (redis under load), which its reader refused. */
    __u64 start = cs->irq_start[d];
    __u64 child = cs->irq_child[d];
    cs->irq_depth = d;
    __u64 now = bpf_ktime_get_ns();
    __u64 total = now > start ? now - start : 0;
    __u64 self = total > child ? total - child : 0;
    if (d > 0) {
        __u32 parent = d - 1;
        asm volatile("" : "+r"(parent)); /* keep the bounds check for the verifier */
        if (parent < THIEF_IRQ_DEPTH)
            cs->irq_child[parent] += total;
    }
    if (!handled || !cs->cur_tid)
        return 0;
    struct thief_record *r = rec_reserve(THIEF_REC_IRQ, now, cpu);
    if (r) {
        r->irq.start_ts = now - total;
        r->irq.self_ns = self;
        r->tid = cs->cur_tid;
        r->tgid = cs->cur_tgid;
        r->irq.number = num;
        r->irq.kind = kind;
        if (name)
            bpf_probe_read_kernel_str(r->irq.name, sizeof(r->irq.name), name);
        rec_submit(r);
    }
    return 0;
}

/* Workqueue items that run while targets wait on the CPU: which kernel
 * functions a kworker thief ran (its time is in its steal records). */
static __always_inline int on_work_start(bool btf, struct work_struct *work)
{
    struct cpu_state *cs = cpu_state_of(bpf_get_smp_processor_id());
    if (!cs)
        return 0;
    cs->wq_start = bpf_ktime_get_ns();
    /* Read here: tp_btf cannot take the end's function-pointer argument. */
    cs->wq_func = (__u64)TREAD(btf, work, func);
    cs->wq_acc = 0;
    cs->wq_pid = (__u32)bpf_get_current_pid_tgid();
    return 0;
}

static __always_inline int on_work_end(void)
{
    __u32 cpu = bpf_get_smp_processor_id();
    struct cpu_state *cs = cpu_state_of(cpu);
    if (!cs || !cs->wq_func)
        return 0;
    __u64 func = cs->wq_func;
    cs->wq_func = 0;
    __u32 pid = (__u32)bpf_get_current_pid_tgid();
    if (pid != cs->wq_pid) /* another worker's item replaced its state here */
        return 0;
    cs->wq_pid = 0;
    __u64 acc = cs->wq_acc;
    if (cs->nwait == 0 && acc == 0)
        return 0;
    __u64 now = bpf_ktime_get_ns();
    acc += work_part(cs, cs->wq_start, now);
    cs->wq_start = 0;
    if (acc == 0)
        return 0;
    struct thief_record *r = rec_reserve(THIEF_REC_WORK, now, cpu);
    if (r) {
        r->tid = cs->last_waiter;
        r->work.func = func;
        r->work.dur = acc;
        r->work.pid = pid;
        bpf_get_current_comm(r->work.comm, sizeof(r->work.comm));
        rec_submit(r);
    }
    return 0;
}

/* ---- entry points: each handler as tp_btf and as raw_tp ---------------- */

/* btf: a constant per program, for TREAD (direct loads in tp_btf only). */
#define THIEF_BOTH(tp, args, call)                      \
    SEC("tp_btf/" #tp) int BPF_PROG(btf_##tp, args)     \
    {                                                   \
        const bool btf __attribute__((unused)) = true;  \
        return knobs.noop ? 0 : call;                   \
    }                                                   \
    SEC("raw_tp/" #tp) int BPF_PROG(raw_##tp, args)     \
    {                                                   \
        const bool btf __attribute__((unused)) = false; \
        return knobs.noop ? 0 : call;                   \
    }
#define ARGS(...) __VA_ARGS__

THIEF_BOTH(sched_switch, ARGS(bool preempt, struct task_struct *prev, struct task_struct *next),
           on_switch(btf, ctx, preempt, prev, next))
THIEF_BOTH(sched_wakeup, ARGS(struct task_struct *p), on_wakeup(btf, p))
THIEF_BOTH(sched_waking, ARGS(struct task_struct *p), on_waking(btf, p))
THIEF_BOTH(workqueue_execute_start, ARGS(struct work_struct *work), on_work_start(btf, work))
THIEF_BOTH(workqueue_execute_end, ARGS(struct work_struct *work), on_work_end())
THIEF_BOTH(sched_wakeup_new, ARGS(struct task_struct *p), on_wakeup(btf, p))
THIEF_BOTH(sched_migrate_task, ARGS(struct task_struct *p, int dest_cpu), on_migrate(btf, p, dest_cpu))
THIEF_BOTH(sched_process_fork, ARGS(struct task_struct *parent, struct task_struct *child),
           on_fork(parent, child))
THIEF_BOTH(sched_process_exec, ARGS(struct task_struct *p), on_exec(p))
THIEF_BOTH(irq_handler_entry, ARGS(int irq, struct irqaction *action), irq_enter(btf, false))
THIEF_BOTH(irq_handler_exit, ARGS(int irq, struct irqaction *action, int ret),
           irq_leave(THIEF_IRQ_HARD, irq, BPF_CORE_READ(action, name), ret != 0))
THIEF_BOTH(softirq_entry, ARGS(unsigned int vec), irq_enter(btf, true))
THIEF_BOTH(softirq_exit, ARGS(unsigned int vec), irq_leave(THIEF_IRQ_SOFT, vec, 0, true))

/* x86 system vectors (arch/x86/include/asm/trace/irq_vectors.h). User space
 * turns off the ones this kernel does not have. */
#define THIEF_SYSVEC(tp, id)                                        \
    THIEF_BOTH(tp##_entry, ARGS(int vector), irq_enter(btf, false)) \
    THIEF_BOTH(tp##_exit, ARGS(int vector), irq_leave(THIEF_IRQ_SYSVEC, id, 0, true))

THIEF_SYSVEC(local_timer, THIEF_SYSVEC_LOCAL_TIMER)
THIEF_SYSVEC(reschedule, THIEF_SYSVEC_RESCHEDULE)
THIEF_SYSVEC(call_function, THIEF_SYSVEC_CALL_FUNCTION)
THIEF_SYSVEC(call_function_single, THIEF_SYSVEC_CALL_FUNCTION_SINGLE)
THIEF_SYSVEC(irq_work, THIEF_SYSVEC_IRQ_WORK)
THIEF_SYSVEC(x86_platform_ipi, THIEF_SYSVEC_X86_PLATFORM_IPI)
THIEF_SYSVEC(thermal_apic, THIEF_SYSVEC_THERMAL)
THIEF_SYSVEC(threshold_apic, THIEF_SYSVEC_THRESHOLD)
THIEF_SYSVEC(deferred_error_apic, THIEF_SYSVEC_DEFERRED_ERROR)
THIEF_SYSVEC(spurious_apic, THIEF_SYSVEC_SPURIOUS_APIC)
THIEF_SYSVEC(error_apic, THIEF_SYSVEC_ERROR_APIC)
