/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * thief_kernel.h - the few kernel types thief reads, declared for CO-RE.
 *
 * Instead of a 3 MB vmlinux.h, only the fields used are declared here under
 * preserve_access_index: libbpf relocates each access against the running
 * kernel's BTF at load time, so field offsets never come from this file.
 * Fields that changed across kernels are handled in thief_compat.h.
 */
#ifndef THIEF_KERNEL_H
#define THIEF_KERNEL_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

/* From include/uapi/linux/bpf.h: the constants the program uses. */
enum bpf_map_type {
    BPF_MAP_TYPE_HASH = 1,
    BPF_MAP_TYPE_ARRAY = 2,
    BPF_MAP_TYPE_PERCPU_ARRAY = 6,
    BPF_MAP_TYPE_LRU_HASH = 9,
    BPF_MAP_TYPE_RINGBUF = 27,
};
enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2 };
enum { BPF_F_MMAPABLE = 1U << 10 };
enum { BPF_RB_NO_WAKEUP = 1, BPF_RB_FORCE_WAKEUP = 2 };
enum { BPF_RB_AVAIL_DATA = 0, BPF_RB_RING_SIZE = 1 };

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct cfs_rq;
struct rq;

struct sched_entity {
    __u64 sum_exec_runtime;
    struct cfs_rq *cfs_rq; /* the run queue it is (to be) queued on: its task group's, on its CPU */
};

struct task_group {
    struct cfs_rq **cfs_rq; /* one per CPU */
};

/* CONFIG_FAIR_GROUP_SCHED, CONFIG_CFS_BANDWIDTH; 6.6+ for the self clock
 * (thief_compat.h checks that each field exists). */
struct cfs_rq {
    struct rq *rq;
    struct task_group *tg;
    __u64 throttled_clock_self;      /* when this cfs_rq (or an ancestor) throttled it; 0: not now */
    __u64 throttled_clock_self_time; /* ns it spent throttled, up to its last unthrottle */
};

struct rq {
    __u64 clock;
    __u64 prev_steal_time; /* CONFIG_PARAVIRT_TIME_ACCOUNTING: the steal clock at the last clock update */
};

struct cpumask {
    unsigned long bits[2];
};

struct work_struct {
    void *func;
};

struct thread_info {
    __u32 cpu; /* x86 and most arches since 5.16 */
};

struct kernfs_node {
    __u64 id; /* a cgroup's id: the inode number of its directory */
};

struct cgroup {
    struct kernfs_node *kn;
    int level;                  /* depth below the root (0) */
    struct cgroup *ancestors[]; /* 6.0+: [0] the root ... [level] itself (thief_compat.h) */
};

struct css_set {
    struct cgroup *dfl_cgrp; /* the task's cgroup on the v2 (default) hierarchy */
};

struct task_struct {
    struct thread_info thread_info;
    struct css_set *cgroups;
    unsigned int __state; /* 5.14+ (thief_compat.h) */
    /* Fields older kernels have instead (thief_compat.h). In this struct,
     * not in ___flavour types: libbpf searches the kernel's BTF for the
     * candidates of each local type, ~2 ms per type, flavours included. */
    long state;       /* before 5.14 */
    unsigned int cpu; /* 5.3-5.15 (then in thread_info) */
    int on_cpu;
    int on_rq;
    struct sched_entity se;
    unsigned int flags;
    int static_prio;
    unsigned int rt_priority;
    unsigned int policy;
    int nr_cpus_allowed;
    const struct cpumask *cpus_ptr;
    __u64 start_time;
    int pid;
    int tgid;
    char comm[16];
};

struct irqaction {
    const char *name;
};

#pragma clang attribute pop

/* include/linux/sched.h */
#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_DEAD 0x0080
#define TASK_NOLOAD 0x0400
#define PF_KTHREAD 0x00200000

#endif /* THIEF_KERNEL_H */
