/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * thief_compat.h - every kernel difference thief knows of, in one place.
 * Each helper says which kernel changed what. All reads go through CO-RE
 * (BPF_CORE_READ), so the same code serves tp_btf and raw_tp programs.
 */
#ifndef THIEF_COMPAT_H
#define THIEF_COMPAT_H

#include <bpf/bpf_core_read.h>

/* 5.14 (commit 2f064a59a11f "sched: Change task_struct::state") renamed
 * task_struct::state (long) to __state (unsigned int). */
static __always_inline __u32 thief_task_state(struct task_struct *t)
{
    if (bpf_core_field_exists(t->__state))
        return BPF_CORE_READ(t, __state);
    return (__u32)BPF_CORE_READ(t, state);
}

/* 5.16 (commit bcf9033e5449 "sched: move CPU field back into thread_info if
 * THREAD_INFO_IN_TASK") moved the CPU into thread_info; 5.3-5.15 kept it in
 * task_struct::cpu. */
static __always_inline __u32 thief_task_cpu(bool btf, struct task_struct *t)
{
    if (bpf_core_field_exists(t->thread_info.cpu))
        return btf ? t->thread_info.cpu : BPF_CORE_READ(t, thread_info.cpu);
    return BPF_CORE_READ(t, cpu);
}

/* 5.15 ("sched: Introduce TASK_RTLOCK_WAIT", in the PREEMPT_RT locking
 * series "locking, sched: The PREEMPT-RT locking infrastructure"): on
 * PREEMPT_RT a task that blocks on a sleeping spinlock or rwlock (an rtmutex
 * underneath) switches out with only this bit in its state and preempt false
 * (schedule_rtlock: SM_RTLOCK_WAIT is not in SM_MASK_PREEMPT on RT). It waits
 * uninterruptibly for the lock's holder, as a D task waits: thief files it
 * `blocked`, never `other`. Other kernels never set the bit. */
#define THIEF_TASK_RTLOCK_WAIT 0x1000

static __always_inline bool thief_state_rtlock_wait(__u32 state)
{
    return state & THIEF_TASK_RTLOCK_WAIT;
}

/* A field of a task: a direct load in tp_btf programs (the pointer is
 * BTF-typed: one instruction), a bpf_probe_read_kernel in raw_tp ones (a
 * helper call, ~45 ns here). btf is a compile-time constant in each program,
 * so the other branch is not even emitted. */
#define TREAD(btf, p, field) ((btf) ? (p)->field : BPF_CORE_READ(p, field))

/* 5.18 (commit fa2c3254d7cf "sched/tracing: Don't re-read p->state when
 * emitting sched_switch event") added prev_state as the 4th argument of
 * sched_switch; before it, the state is read from the task, which is what the
 * tracepoint itself did. User space sets knobs.has_prev_state from BTF. */
static __always_inline __u32 thief_switch_prev_state(unsigned long long *ctx, bool has_arg,
                                                     struct task_struct *prev)
{
    if (has_arg)
        return (__u32)ctx[3];
    return thief_task_state(prev);
}

/* Is the task in the v2 cgroup `id` (at depth `level`) or below it? Kernels
 * before "cgroup: Replace cgroup->ancestor_ids[] with ->ancestors[]" (2022,
 * the 6.0 cycle) kept the ancestors' ids in cgroup::ancestor_ids[]. */
struct cgroup___old {
    __u64 ancestor_ids[];
} __attribute__((preserve_access_index));

static __always_inline bool thief_task_in_cgroup(bool btf, struct task_struct *t, __u64 id, __u32 level)
{
    /* tp_btf: plain loads the verifier checks against BTF, the cheapest test
     * every switch of every task pays: a task above the target's depth is
     * out, one at its depth is in if it is the target. Only deeper tasks need
     * the ancestors[] read below (the verifier refuses a plain load from a
     * flexible array). */
    if (btf) {
        struct cgroup *c = t->cgroups->dfl_cgrp;
        if (!c || c->level < (int)level)
            return false;
        if (c->level == (int)level)
            return c->kn->id == id;
    }
    struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
    if (!cg || BPF_CORE_READ(cg, level) < (int)level)
        return false;
    if (bpf_core_field_exists(cg->ancestors)) {
        struct cgroup *anc = 0;
        bpf_core_read(&anc, sizeof(anc), &cg->ancestors[level]);
        return anc && BPF_CORE_READ(anc, kn, id) == id;
    }
    struct cgroup___old *old = (void *)cg;
    __u64 aid = 0;
    bpf_core_read(&aid, sizeof(aid), &old->ancestor_ids[level]);
    return aid == id;
}

/* The run queue of a task's CPU: its cfs_rq's (every task has one, idle
 * and RT tasks too: __set_task_cpu sets it). Per-CPU ksyms (runqueues) need
 * CONFIG_KALLSYMS_ALL, which many kernels lack. */
static __always_inline __u64 thief_rq_of(struct task_struct *t)
{
    struct cfs_rq *cfs = BPF_CORE_READ(t, se.cfs_rq);
    if (!cfs || !bpf_core_field_exists(cfs->rq))
        return 0;
    return (__u64)BPF_CORE_READ(cfs, rq);
}

/* A task's cfs_rq, for thief_steal_of and thief_throttled_clock. In tp_btf
 * programs a pointer loaded from a BTF-typed task is checked by the verifier
 * against the kernel's lists of trusted fields: four searches of the kernel's
 * BTF by name (6.3+, btf_nested_type_is_trusted), each a linear scan of its
 * 125,000 types, at every path the verifier explores through that load. Read
 * where a handler's paths have not yet split (the empty asm keeps the
 * compiler from moving the load into the branches that use it), it is checked
 * once: sched_switch's verification went from 425 to ~40 ms of the start. */
static __always_inline struct cfs_rq *thief_task_cfs(bool btf, struct task_struct *t)
{
    struct cfs_rq *cfs = TREAD(btf, t, se.cfs_rq);
    asm volatile("" : "+r"(cfs));
    return cfs;
}

/* The hypervisor's steal clock of a run queue: rq::prev_steal_time, kept with
 * CONFIG_PARAVIRT_TIME_ACCOUNTING and refreshed at every run-queue clock
 * update (a switch makes one). 0 without it. */
/* The same through a task's cfs_rq on that CPU (its rq): plain loads in
 * tp_btf programs, where this runs at every switch. */
static __always_inline __u64 thief_steal_of(bool btf, struct cfs_rq *cfs)
{
    if (!bpf_core_field_exists(((struct rq *)0)->prev_steal_time) ||
        !bpf_core_field_exists(((struct cfs_rq *)0)->rq))
        return 0;
    if (!btf)
        return BPF_CORE_READ(cfs, rq, prev_steal_time);
    struct rq *rq = cfs ? cfs->rq : 0;
    return rq ? rq->prev_steal_time : 0;
}

static __always_inline __u64 thief_steal_clock(__u64 rq)
{
    if (!rq || !bpf_core_field_exists(((struct rq *)0)->prev_steal_time))
        return 0;
    return BPF_CORE_READ((struct rq *)rq, prev_steal_time);
}

/* ns a cfs_rq has spent throttled (by its own quota or an ancestor's: 6.6+
 * stamps every cfs_rq below the throttled one), up to now. 0 without
 * CONFIG_CFS_BANDWIDTH or before 6.6 ("sched: add throttled time stat for
 * throttled children"). */
static __always_inline __u64 thief_throttled_clock(bool btf, struct cfs_rq *cfs)
{
    if (!cfs || !bpf_core_field_exists(cfs->throttled_clock_self_time) || !bpf_core_field_exists(cfs->rq))
        return 0;
    /* btf: cfs came from a BTF-typed task, so these are plain loads. */
    __u64 total = btf ? cfs->throttled_clock_self_time : BPF_CORE_READ(cfs, throttled_clock_self_time);
    __u64 since = btf ? cfs->throttled_clock_self : BPF_CORE_READ(cfs, throttled_clock_self);
    if (since) {
        __u64 clock = btf ? cfs->rq->clock : BPF_CORE_READ(cfs, rq, clock);
        if (clock > since)
            total += clock - since;
    }
    return total;
}

/* The same task group's cfs_rq on another CPU (a waiting task moves there). */
static __always_inline struct cfs_rq *thief_cfs_rq_on(struct cfs_rq *cfs, __u32 cpu)
{
    if (!cfs || !bpf_core_field_exists(cfs->tg))
        return 0;
    struct cfs_rq **per_cpu = BPF_CORE_READ(cfs, tg, cfs_rq);
    struct cfs_rq *out = 0;
    if (per_cpu)
        bpf_core_read(&out, sizeof(out), &per_cpu[cpu & 4095]);
    return out;
}

#endif /* THIEF_COMPAT_H */
