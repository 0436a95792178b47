/*
 * thief_abi.h - the one definition of the records the eBPF tracer sends to
 * user space. Included by bpf/thief.bpf.c, by the libbpf shim (CThiefBPF) and,
 * through the CThiefABI module, by Swift (ThiefCore decodes these bytes).
 *
 * Rules: fixed-width fields only, no bool, explicit padding, little-endian as
 * the host, a version number bumped on every layout change, and a static size
 * assertion on both sides.
 */
#ifndef THIEF_ABI_H
#define THIEF_ABI_H

#if defined(__bpf__) || defined(__BPF__)
/* __u32/__u64 come from bpf/thief_kernel.h (the minimal CO-RE header). */
#else
#include <linux/types.h>
#endif

/* 3: waits carry their causes (queue_cpu moved to head.aux), wakers,
 * identities of culprits, workqueue items. 2: a common head and a union of
 * per-type fields. 1: shared fields whose meaning changed with the type.
 * Recordings of versions 1 and 2 are still read. */
#define THIEF_ABI_VERSION 3
#define THIEF_COMM_LEN 16

/* Record types (thief_record.type). */
enum thief_record_type {
    THIEF_REC_SLICE = 1,      /* a target's on-core slice ended: .slice */
    THIEF_REC_OFFCORE = 2,    /* a target's off-core interval ended: .offcore */
    THIEF_REC_WAIT = 3,       /* a target's runnable wait ended: .wait */
    THIEF_REC_STEAL = 4,      /* another task ran while a target waited: .steal */
    THIEF_REC_IRQ = 5,        /* an interrupt ran during a target's slice: .irq */
    THIEF_REC_MIGRATE = 6,    /* a target moved between CPUs: .migrate */
    THIEF_REC_NEW_THREAD = 7, /* a new target thread: .task */
    THIEF_REC_EXIT = 8,       /* a target thread exited (its last switch-out): .task */
    THIEF_REC_EXEC = 9,       /* a target thread exec'd a new program: .task */
    THIEF_REC_WAKER = 10,     /* who woke a target whose wait just ended: .waker (ABI 3) */
    THIEF_REC_IDENTITY = 11,  /* a culprit's scheduling identity, once per task: .ident (ABI 3) */
    THIEF_REC_WORK = 12,      /* a workqueue item ran while a target waited: .work (ABI 3) */
};

/* State of a thread at switch-out. */
enum thief_off_state {
    THIEF_OFF_PREEMPTED = 0, /* still runnable: involuntary (R) */
    THIEF_OFF_SLEEPING = 1,  /* S, or an idle D (TASK_NOLOAD) */
    THIEF_OFF_BLOCKED = 2,   /* D: uninterruptible, usually I/O; an RT lock wait (PREEMPT_RT) */
    THIEF_OFF_OTHER = 3,     /* stopped, traced, parked, dead */
    THIEF_OFF_NSTATES = 4,
};

enum thief_migration_kind {
    THIEF_MIG_WAKEUP = 0,  /* placed on another CPU as it woke (or was created) */
    THIEF_MIG_QUEUED = 1,  /* moved while waiting in a run queue (load balance) */
    THIEF_MIG_RUNNING = 2, /* forced off its CPU by the migration stopper (affinity change, active balance) */
};

enum thief_irq_kind {
    THIEF_IRQ_HARD = 0,
    THIEF_IRQ_SOFT = 1,
    THIEF_IRQ_SYSVEC = 2,
};

/* x86 system vectors with tracepoints (thief_rec_irq.number of THIEF_IRQ_SYSVEC). */
enum thief_sysvec {
    THIEF_SYSVEC_LOCAL_TIMER = 0,
    THIEF_SYSVEC_RESCHEDULE = 1,
    THIEF_SYSVEC_CALL_FUNCTION = 2,
    THIEF_SYSVEC_CALL_FUNCTION_SINGLE = 3,
    THIEF_SYSVEC_IRQ_WORK = 4,
    THIEF_SYSVEC_X86_PLATFORM_IPI = 5,
    THIEF_SYSVEC_THERMAL = 6,
    THIEF_SYSVEC_THRESHOLD = 7,
    THIEF_SYSVEC_DEFERRED_ERROR = 8,
    THIEF_SYSVEC_SPURIOUS_APIC = 9,
    THIEF_SYSVEC_ERROR_APIC = 10,
    THIEF_SYSVEC_COUNT = 11,
};

#define THIEF_F_KTHREAD 1u
#define THIEF_F_HARDIRQ 2u /* a waker in hard-IRQ context (the task is whoever was interrupted) */
#define THIEF_F_SOFTIRQ 4u /* a waker in softirq context */

/* Episode start times: 0 means "before tracing began" (user space clips). */

struct thief_rec_slice {
    __u64 start_ts;     /* switch-in */
    __u64 ran_ns;       /* growth of se.sum_exec_runtime over the slice (the kernel's own books) */
    __u32 next_state;   /* thief_off_state of the off-core interval the switch-out starts */
    __u32 waiter;       /* contended_ns > 0: a target that waited on this CPU meanwhile */
    __u64 contended_ns; /* ns of the slice that ran while other targets waited on this CPU:
                           contention among targets (a steal, when the task is not a target) */
};

struct thief_rec_offcore {
    __u64 start_ts; /* switch-out */
    __u32 state;    /* thief_off_state at switch-out */
    __u32 _pad;
};

/* head.aux: the run queue it waited on last (head.cpu: where it then ran).
 * The causes are what ran on the queue's CPU while it waited there (summed
 * over the queues it moved through); the rest of the wait other tasks ran.
 * All 0 for a wait that began before tracing. */
struct thief_rec_wait {
    __u64 start_ts;     /* preempted, or woken */
    __u64 targets_ns;   /* other target threads ran */
    __u64 idle_ns;      /* the CPU ran its idle task (wake-up IPI, idle exit) */
    __u64 steal_ns;     /* the hypervisor held the vCPU (the kernel's steal clock) */
    __u64 throttled_ns; /* its CPU cgroup had used its quota (overlaps the others) */
};

/* ABI 2 layout of the wait (recordings of version 2). */
struct thief_rec_wait_v2 {
    __u64 start_ts;
    __u32 queue_cpu;
    __u32 _pad;
};

struct thief_rec_steal {
    __u64 dur; /* ns the task ran on head.cpu inside the wait; it started at ts - dur */
    __u32 pid; /* the task that ran */
    __u32 tgid;
    __u32 flags; /* THIEF_F_KTHREAD */
    __u32 _pad;
    char comm[THIEF_COMM_LEN];
};

struct thief_rec_irq {
    __u64 start_ts;            /* entry */
    __u64 self_ns;             /* own time: nested handlers excluded */
    __u32 kind;                /* thief_irq_kind */
    __u32 number;              /* IRQ line, softirq vector or thief_sysvec */
    char name[THIEF_COMM_LEN]; /* hard IRQs: irqaction->name */
};

struct thief_rec_migrate {
    __u32 from_cpu;
    __u32 to_cpu;
    __u32 kind; /* thief_migration_kind */
    __u32 _pad;
};

/* head.tid woke up: head.ts its switch-in on head.cpu. */
struct thief_rec_waker {
    __u64 waking_ts; /* the wake-up: sched_waking, or sched_wakeup when it ran on the waker's CPU */
    __u32 pid;       /* the waker (the interrupted task when flags has HARDIRQ/SOFTIRQ) */
    __u32 tgid;
    __u16 cpu;   /* the waker's CPU */
    __u16 flags; /* THIEF_F_KTHREAD | THIEF_F_HARDIRQ | THIEF_F_SOFTIRQ */
    __u32 _pad;
    char comm[THIEF_COMM_LEN];
};

/* head.tid/tgid: a task that ran while a target waited, as the scheduler
 * saw it then. */
struct thief_rec_ident {
    __u64 cgroup_id;   /* its v2 cgroup (inode number of the directory) */
    __u32 policy;      /* SCHED_NORMAL 0, FIFO 1, RR 2, BATCH 3, IDLE 5, DEADLINE 6, EXT 7 */
    __s32 nice;        /* static_prio - 120 */
    __u32 rt_priority; /* 1-99 for FIFO/RR */
    __u32 nr_cpus_allowed;
    __u64 cpus_allowed[2]; /* CPUs 0-127 (bits past the machine's CPUs mean nothing) */
};

/* A work item's function ran in kworker `pid` on head.cpu for `dur` ns
 * (ending at head.ts) while target head.tid waited there. */
struct thief_rec_work {
    __u64 func; /* kernel address of the work function (symbolized from /proc/kallsyms) */
    __u64 dur;
    __u32 pid;
    __u32 _pad;
    char comm[THIEF_COMM_LEN];
};

struct thief_rec_task {
    __u32 parent; /* THIEF_REC_NEW_THREAD: the thread that forked it */
    __u32 _pad;
    char comm[THIEF_COMM_LEN];
};

/* One record: 24 bytes every type has, then the type's own fields. head.tid
 * is the target thread the record is about (for a steal: a target that
 * waited on that run queue); head.cpu where it happened. */
struct thief_record {
    __u64 ts;   /* end of the episode or time of the event, CLOCK_MONOTONIC ns */
    __u16 type; /* enum thief_record_type */
    __u16 cpu;
    __u32 tid;
    __u32 tgid;
    __u32 aux; /* a type's small extra field (ABI 3: a wait's queue CPU); 0 otherwise */
    union {
        struct thief_rec_slice slice;
        struct thief_rec_offcore offcore;
        struct thief_rec_wait wait;
        struct thief_rec_steal steal;
        struct thief_rec_irq irq;
        struct thief_rec_migrate migrate;
        struct thief_rec_task task;
        struct thief_rec_waker waker;
        struct thief_rec_ident ident;
        struct thief_rec_work work;
        struct thief_rec_wait_v2 wait_v2;
        __u8 _bytes[40];
    };
};

/* Counters kept by the kernel side (per-CPU array "counters", key 0). */
struct thief_counters {
    __u64 emitted; /* records submitted */
    __u64 lost;    /* records dropped: ring buffer full */
    __u64 healed;  /* switch events of a target the kernel did not deliver,
                        repaired from se.sum_exec_runtime */
};

/* Kernel-side state of one tracked thread (hash map "threads", key = tid).
 * User space writes the seed for the threads that exist when tracing starts
 * and reads it back at the end of the window for the episodes still open. */
struct thief_tstate {
    __u64 on_ts;   /* switch-in time of the current slice (running) */
    __u64 on_sum;  /* se.sum_exec_runtime at that switch-in */
    __u64 off_ts;  /* switch-out time (not running); 0 = before tracing */
    __u64 wait_ts; /* start of the current runnable wait; 0 = before tracing */
    __u32 tgid;
    __u16 on_cpu;
    __u16 wait_cpu;  /* run queue the thread waits on */
    __u8 running;    /* on-core now */
    __u8 seen_in;    /* on_ts/on_sum are valid (switch-in was traced) */
    __u8 waiting;    /* runnable, not running */
    __u8 off_state;  /* enum thief_off_state of the current off-core interval */
    __u8 sum_known;  /* off_sum is valid */
    __u8 identified; /* its identity went out (it contended): kernel side only */
    __u8 overflowed; /* slot only: some thread of this slot index lives in the overflow map */
    __u8 _pad;
    __u64 off_sum; /* se.sum_exec_runtime at the last switch-out (or at the seed) */
    /* The wait's causes: the per-CPU cause clocks at its start, less what it
     * took on the queues it left (kernel side only; 0 in a seed). */
    __u64 snap_targets, snap_idle, snap_steal, snap_tasks;
    __u64 thr_cfs;  /* its cfs_rq (a kernel pointer) */
    __u64 thr_snap; /* that cfs_rq's throttled clock at the start, less what it took on the ones it left */
    /* Who woke it (sched_waking); wk_ts 0: nobody since its last switch-out. */
    __u64 wk_ts;
    __u32 wk_pid;
    __u32 wk_tgid;
    __u16 wk_cpu;
    __u16 wk_flags;
    __u32 slot_tid; /* slot only: the thread held here, 0 free, THIEF_SLOT_BUSY being filled */
    char wk_comm[THIEF_COMM_LEN];
};

/* The kernel side keeps target threads in a direct-mapped array indexed by
 * tid & slot_mask (an array lookup is a few inlined instructions; a hash
 * lookup cost ~40 ns, five of them per pipe round trip), and a thread whose
 * slot another holds in a hash map beside it. A slot is claimed by a
 * compare-and-swap of slot_tid from 0 to THIEF_SLOT_BUSY, filled, then
 * published by storing the tid; `overflowed` (set, never cleared) tells a
 * lookup that misses the slot to try the hash. Both sides (BPF programs and
 * the shim, through a mapping of the array's pages) follow this protocol and
 * never write slot_tid or overflowed as part of a state copy. */
#define THIEF_SLOT_BUSY 0xffffffffu
#define THIEF_MAX_SLOTS 65536u

/* How the kernel side decides that a task may be a target before it looks
 * the task up in the threads map: what every other task on the machine pays. */
enum thief_filter {
    THIEF_FILTER_ALL = 0,    /* any task: a hash lookup for each */
    THIEF_FILTER_TGID = 1,   /* one process: its tgid (one load and compare) */
    THIEF_FILTER_TGIDS = 2,  /* a set of processes: a bit per tgid in the "tgids" array (two loads) */
    THIEF_FILTER_CGROUP = 3, /* a cgroup v2 subtree: its id in the task's ancestry; tasks join at switch-in */
};

/* Read-only knobs, the whole .rodata of the BPF object (set before load). */
struct thief_knobs {
    __u32 abi_version;    /* THIEF_ABI_VERSION */
    __u32 self_tgid;      /* thief itself: never tracked */
    __u32 target_tgid;    /* THIEF_FILTER_TGID: every target is in this process */
    __u8 follow_children; /* forked child processes join (thief -- CMD, --children) */
    __u8 follow_threads;  /* new threads of a tracked process join (-p) */
    __u8 has_prev_state;  /* tp sched_switch has the prev_state argument (5.18+) */
    __u8 trace_irqs;      /* account IRQs/softirqs/system vectors */
    __u8 noop;            /* every program returns at once: the overhead floor */
    __u8 filter;          /* enum thief_filter */
    __u8 match_comm;      /* a process that execs with name `comm` joins (--comm) */
    __u8 _pad;
    __u32 cgroup_level; /* THIEF_FILTER_CGROUP: the target cgroup's depth below the v2 root */
    __u64 cgroup_id;    /* ... and its id (the inode number of its directory) */
    char comm[THIEF_COMM_LEN];
    __u32 slot_mask; /* the threads array has slot_mask + 1 slots (a power of two) */
    __u8 hold; /* keep a CPU's records across switches while targets run back to back (see thief_batch) */
    __u8 _pad2[3];
};

#define THIEF_RECORD_SIZE 64

/* A CPU's records on their way to the ring buffer (the per-CPU "batches"
 * map). A sched_switch makes at most THIEF_SWITCH_RECORDS; they leave as
 * one ring-buffer sample, one reserve and commit for all of them. With
 * knobs.hold, a switch from one target to another keeps them here for the
 * next switch (a reserve and commit cost ~100 ns, half a pipe round trip's
 * tracing); they leave when a switch brings in a task that is not a target
 * (the idle task included), when the next switch might not fit, or when
 * user space reads the map at the end of the run (after detaching, so no
 * program writes it meanwhile). A held record reaches user space after
 * records of other CPUs, or direct ones (interrupts, migrations, forks)
 * of this CPU, that are later in time: user space holds only when it needs
 * no time order (one report for the whole run, nothing recorded or traced). */
#define THIEF_SWITCH_RECORDS 12
#define THIEF_BATCH_RECORDS 64
struct thief_batch {
    struct thief_record r[THIEF_BATCH_RECORDS];
    __u32 n;
    __u32 _pad;
};

#if defined(__bpf__) || defined(__BPF__)
#define THIEF_ABI_INLINE static __always_inline
#else
#define THIEF_ABI_INLINE static inline
#endif

/* Copies a thread's state into a slot: every field but slot_tid and
 * overflowed, which only the slot protocol writes (see THIEF_SLOT_BUSY). */
THIEF_ABI_INLINE void thief_tstate_fill(struct thief_tstate *dst, const struct thief_tstate *src)
{
    char *d = (char *)dst;
    const char *s = (const char *)src;
    __builtin_memcpy(d, s, __builtin_offsetof(struct thief_tstate, overflowed));
    __builtin_memcpy(d + __builtin_offsetof(struct thief_tstate, off_sum),
                     s + __builtin_offsetof(struct thief_tstate, off_sum),
                     __builtin_offsetof(struct thief_tstate, slot_tid) -
                         __builtin_offsetof(struct thief_tstate, off_sum));
    __builtin_memcpy(d + __builtin_offsetof(struct thief_tstate, wk_comm),
                     s + __builtin_offsetof(struct thief_tstate, wk_comm),
                     sizeof(struct thief_tstate) - __builtin_offsetof(struct thief_tstate, wk_comm));
}

#ifdef __cplusplus
static_assert(sizeof(struct thief_record) == THIEF_RECORD_SIZE, "thief_record layout");
#else
_Static_assert(sizeof(struct thief_record) == THIEF_RECORD_SIZE, "thief_record layout");
_Static_assert(__builtin_offsetof(struct thief_record, slice) == 24, "thief_record head size");
_Static_assert(sizeof(struct thief_rec_steal) == 40, "thief_rec_steal layout");
_Static_assert(sizeof(struct thief_rec_irq) == 40, "thief_rec_irq layout");
_Static_assert(sizeof(struct thief_counters) == 24, "thief_counters layout");
_Static_assert(sizeof(struct thief_tstate) == 144, "thief_tstate layout");
_Static_assert(sizeof(struct thief_rec_wait) == 40, "thief_rec_wait layout");
_Static_assert(sizeof(struct thief_rec_waker) == 40, "thief_rec_waker layout");
_Static_assert(sizeof(struct thief_rec_ident) == 40, "thief_rec_ident layout");
_Static_assert(sizeof(struct thief_rec_work) == 40, "thief_rec_work layout");
_Static_assert(sizeof(struct thief_knobs) == 56, "thief_knobs layout");
_Static_assert(__builtin_offsetof(struct thief_tstate, overflowed) == 46, "thief_tstate slot flag");
_Static_assert(__builtin_offsetof(struct thief_tstate, slot_tid) == 124, "thief_tstate slot tid");
#endif

#endif /* THIEF_ABI_H */
