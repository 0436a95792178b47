/*
 * thief_bpf.h - the libbpf shim: the only place thief calls libbpf.
 * Every function returns 0 or a negative errno; a message for the last
 * failure is in thief_bpf_last_error(). Swift never includes libbpf.h.
 */
#ifndef THIEF_BPF_H
#define THIEF_BPF_H

#include <stddef.h>
#include <stdint.h>
#include "thief_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct thief_bpf thief_bpf;
typedef int (*thief_bpf_record_fn)(void *ctx, void *data, size_t size);

enum thief_attach_mode {
    THIEF_ATTACH_AUTO = 0, /* tp_btf where the kernel has it, else raw_tp */
    THIEF_ATTACH_TP_BTF = 1,
    THIEF_ATTACH_RAW_TP = 2,
};

typedef struct thief_bpf_config {
    uint32_t self_tgid;
    uint32_t ringbuf_bytes; /* power of two; 0 = 4 MiB */
    uint32_t target_tgid;   /* every target is in this process (0: not so) */
    uint8_t follow_children;
    uint8_t follow_threads;
    uint8_t trace_irqs;
    uint8_t attach_mode; /* enum thief_attach_mode */
    uint8_t noop;        /* programs return at once (benchmark floor) */
    uint8_t filter;      /* enum thief_filter (thief_abi.h) */
    uint8_t match_comm;  /* a process exec'ing with name `comm` joins */
    char comm[16];
    uint32_t cgroup_level; /* THIEF_FILTER_CGROUP: the cgroup's depth and id */
    uint64_t cgroup_id;
    uint32_t max_tgid; /* the kernel's pid_max (0: 4M): the tgid set, and the thread slots */
    uint8_t hold;      /* keep records across target-to-target switches (knobs.hold): no time order needed */
    uint32_t thread_slots; /* 0: pid_max rounded up to a power of two, at most THIEF_MAX_SLOTS;
                              else that many (a power of two; tests use few, to exercise the overflow map) */
} thief_bpf_config;

typedef struct thief_bpf_prog_stats {
    char name[64];
    uint64_t run_time_ns;
    uint64_t run_cnt;
} thief_bpf_prog_stats;

/* Preflight: is the kernel's BTF there (path in *path_out, may be NULL)? 0 or -ENOENT. */
int thief_bpf_probe_btf(char *path_out, size_t len);

/* What the running kernel can do (thief_probe.c): each 1 or 0, probed. */
typedef struct thief_bpf_features {
    uint8_t btf;             /* its BTF loads (CONFIG_DEBUG_INFO_BTF) */
    uint8_t ringbuf;         /* BPF_MAP_TYPE_RINGBUF (5.8) */
    uint8_t atomics;         /* BPF atomic compare-exchange and fetch ops (5.12) */
    uint8_t throttled_clock; /* cfs_rq::throttled_clock_self_time (6.6, CONFIG_CFS_BANDWIDTH) */
    uint8_t steal_clock;     /* rq::prev_steal_time (CONFIG_PARAVIRT) */
} thief_bpf_features;
int thief_bpf_probe_features(thief_bpf_features *out);

/* Open, configure and load the object held in memory. */
int thief_bpf_open(const void *object, size_t object_len, const thief_bpf_config *config, thief_bpf **out);
/* Add a thread to the target set with its initial state. only_new: leave a
 * thread the kernel side already tracks alone (-EEXIST). */
int thief_bpf_track(thief_bpf *tb, uint32_t tid, const struct thief_tstate *seed, int only_new);
/* Drop a thread from the target set (-ENOENT: it was not there). */
int thief_bpf_untrack(thief_bpf *tb, uint32_t tid);
/* THIEF_FILTER_TGIDS: mark process tgid as a target (its tasks pass the filter). */
int thief_bpf_add_tgid(thief_bpf *tb, uint32_t tgid);
/* Read a tracked thread's kernel-side state (-ENOENT: not tracked, e.g. exited). */
int thief_bpf_thread_state(thief_bpf *tb, uint32_t tid, struct thief_tstate *out);
/* The tids of the tracked threads: up to max into out; returns how many
 * there are (more than max: call again with room for them) or -errno. */
int thief_bpf_thread_ids(thief_bpf *tb, uint32_t *out, int max);
/* Does the kernel side track any thread? 1 or 0. */
int thief_bpf_tracks_any(thief_bpf *tb);
/* Attach all programs and set up the consumer. */
int thief_bpf_attach(thief_bpf *tb, thief_bpf_record_fn fn, void *ctx);
/* Detach every program (tracing stops; maps stay readable). */
void thief_bpf_detach(thief_bpf *tb);
/* Wait up to timeout_ms for a wake-up, then drain: records consumed or -errno. */
int thief_bpf_poll(thief_bpf *tb, int timeout_ms);
/* Drain without waiting. */
int thief_bpf_consume(thief_bpf *tb);
/* After detaching and draining: hand the records the kernel side still
 * holds (config.hold) to the consumer, CPU by CPU. Records handed or -errno. */
int thief_bpf_drain_held(thief_bpf *tb);
/* Sum of the per-CPU counters. */
int thief_bpf_counters(thief_bpf *tb, struct thief_counters *out);
/* Per-program BPF run time (needs kernel.bpf_stats_enabled or thief_bpf_enable_stats). */
int thief_bpf_prog_stats_get(thief_bpf *tb, thief_bpf_prog_stats *out, int max);
/* Turn BPF run-time statistics on for as long as tb lives. */
int thief_bpf_enable_stats(thief_bpf *tb);
/* "tp_btf" or "raw_tp"; and the number of programs attached. */
const char *thief_bpf_attach_kind(const thief_bpf *tb);
int thief_bpf_attached_count(const thief_bpf *tb);
void thief_bpf_close(thief_bpf *tb);

/* TEST ONLY (THIEF_TEST_CORE_CHECK): loads the object a second time with
 * libbpf relocating against the kernel's whole BTF, as it reads it, and
 * compares each loaded program's instructions with tb's (relocated against
 * core_btf.c's small BTF), and each tp_btf program's attach BTF id with the
 * one libbpf finds. The number of programs compared, or a negative errno
 * (-EILSEQ: a difference, named in thief_bpf_last_error()). */
int thief_bpf_core_check(const void *object, size_t object_len, const thief_bpf_config *config,
                         const thief_bpf *tb);

/* The message of the last failure in this thread (never NULL). */
const char *thief_bpf_last_error(void);
/* Show libbpf's own messages on stderr. */
void thief_bpf_set_verbose(int verbose);

#ifdef __cplusplus
}
#endif

#endif /* THIEF_BPF_H */
