/*
 * thief_bpf.c - libbpf shim. All libbpf use is here, behind a small
 * thief_-prefixed API that returns 0 or a negative errno.
 */
#include "thief_bpf.h"
#include "kernel_btf.h"
#include "record_ring.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- names: the one place the shim spells the BPF object's names ---- */

/* The object (bpf/thief.bpf.c) and its maps. */
#define THIEF_OBJECT_NAME "thief"
#define THIEF_MAP_THREADS "threads"         /* slot tid & mask -> struct thief_tstate: the target set */
#define THIEF_MAP_THREADS_OVF "threads_ovf" /* tid -> struct thief_tstate: threads whose slot another holds */
#define THIEF_MAP_CPUS "cpus"               /* per-CPU state, sized to the possible CPUs */
#define THIEF_MAP_COUNTERS "counters"       /* per-CPU struct thief_counters */
#define THIEF_MAP_EVENTS "events"           /* the ring buffer of records */
#define THIEF_MAP_TGIDS "tgids"             /* THIEF_FILTER_TGIDS: a bit per target tgid */
#define THIEF_MAP_BATCHES "batches"         /* per-CPU struct thief_batch: records on their way */
#define THIEF_MAP_KNOBS_SUFFIX ".rodata"    /* const volatile struct thief_knobs */
/* Programs: each handler twice, SEC("tp_btf/TP") and SEC("raw_tp/TP"). */
#define THIEF_KIND_TP_BTF "tp_btf"
#define THIEF_KIND_RAW_TP "raw_tp"
#define THIEF_SEC_TP_BTF THIEF_KIND_TP_BTF "/"
/* The kernel's names: its BTF, and the typedef BTF gives each tracepoint. */
#define THIEF_VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define THIEF_BTF_TRACE_PREFIX "btf_trace_"
#define THIEF_TP_SCHED_SWITCH "sched_switch"

/* The interrupt tracepoints (irq_handler_*, softirq_*, x86 system vectors
 * *_entry/_exit): loaded only when interrupts are traced. */
static int is_irq_tracepoint(const char *tp)
{
    return strstr(tp, "irq") || strstr(tp, "_entry") || strstr(tp, "_exit");
}

/* The thread slots: config->thread_slots, else pid_max rounded up to a
 * power of two (then no two live tids share a slot), at most THIEF_MAX_SLOTS.
 * 0: not a power of two in range. */
static uint32_t thread_slots(const thief_bpf_config *config)
{
    uint32_t want = config->thread_slots;
    if (want)
        return (want & (want - 1)) == 0 && want <= THIEF_MAX_SLOTS ? want : 0;
    uint32_t pid_max = config->max_tgid ? config->max_tgid : (4u << 20);
    uint32_t n = 1;
    while (n < pid_max && n < THIEF_MAX_SLOTS)
        n <<= 1;
    return n;
}

/* User space sees the thread slots a chunk at a time (slot_at): whole pages
 * holding whole slots, the least common multiple of the two sizes. */
static size_t chunk_bytes(void)
{
    size_t a = (size_t)sysconf(_SC_PAGESIZE), b = sizeof(struct thief_tstate), x = a, y = b;
    while (y) {
        size_t t = x % y;
        x = y;
        y = t;
    }
    return a / x * b;
}

#define THIEF_MAX_LINKS 64

struct thief_bpf {
    struct bpf_object *obj;
    struct record_ring *rb; /* the consumer of THIEF_MAP_EVENTS */
    struct bpf_link *links[THIEF_MAX_LINKS];
    int nlinks;
    int attached;
    int stats_fd;
    const char *kind;
    int ovf_fd;
    int slots_fd; /* the "threads" map: slots, mapped a chunk at a time (slot_at) */
    uint32_t nslots;
    char *chunk; /* the chunk mapped now, or NULL */
    size_t chunk_len;
    int64_t chunk_no;
    size_t chunk_bytes;     /* whole pages holding whole slots (chunk_bytes()) */
    size_t slots_bytes;     /* the whole array, in whole pages */
    uint32_t scan_hint;     /* where thief_bpf_tracks_any last found a thread */
    thief_bpf_record_fn fn; /* the consumer, for thief_bpf_drain_held */
    void *fn_ctx;
    int counters_fd;
    uint64_t *tgids; /* the "tgids" map, mmapped */
    uint32_t tgids_words;
};

static __thread char last_error[512];
static int verbose_libbpf;

static int fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
    return err < 0 ? err : -err;
}

const char *thief_bpf_last_error(void)
{
    return last_error;
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
    (void)level;
    if (!verbose_libbpf)
        return 0; /* warnings too: they become thief's own one-line errors */
    return vfprintf(stderr, fmt, args);
}

void thief_bpf_set_verbose(int verbose)
{
    verbose_libbpf = verbose;
}

int thief_bpf_probe_btf(char *path_out, size_t len)
{
    const char *path = THIEF_VMLINUX_BTF;
    if (path_out && len)
        snprintf(path_out, len, "%s", path);
    if (access(path, R_OK) != 0)
        return fail(-errno, "%s: %s", path, strerror(errno));
    return 0;
}

/* Does the kernel have tracepoint TP (BTF typedef btf_trace_TP)? */
static int has_tracepoint(const struct btf *vmlinux, const char *tp, int *nparams)
{
    char name[128];
    snprintf(name, sizeof(name), THIEF_BTF_TRACE_PREFIX "%s", tp);
    int id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
    if (id < 0)
        return 0;
    if (nparams) {
        const struct btf_type *t = btf__type_by_id(vmlinux, id);
        t = t ? btf__type_by_id(vmlinux, t->type) : NULL; /* pointer */
        t = t ? btf__type_by_id(vmlinux, t->type) : NULL; /* func proto */
        *nparams = (t && btf_is_func_proto(t)) ? btf_vlen(t) : 0;
    }
    return 1;
}

static int open_as(const void *object, size_t object_len, const thief_bpf_config *config, int use_btf,
                   thief_bpf **out);

int thief_bpf_open(const void *object, size_t object_len, const thief_bpf_config *config, thief_bpf **out)
{
    if (config->attach_mode != THIEF_ATTACH_AUTO)
        return open_as(object, object_len, config, config->attach_mode == THIEF_ATTACH_TP_BTF, out);
    /* tp_btf (5.5+) where the kernel takes it; raw_tp otherwise. The kernel's
     * answer to the load is the probe. */
    int err = open_as(object, object_len, config, 1, out);
    if (err == 0)
        return 0;
    char first[sizeof(last_error)];
    snprintf(first, sizeof(first), "%s", last_error);
    err = open_as(object, object_len, config, 0, out);
    if (err) {
        char second[sizeof(last_error)];
        snprintf(second, sizeof(second), "%s", last_error);
        fail(err, "%s (tp_btf: %s)", second, first);
    }
    return err;
}

static int open_as(const void *object, size_t object_len, const thief_bpf_config *config, int use_btf,
                   thief_bpf **out)
{
    *out = NULL;
    libbpf_set_print(print_fn);
    const struct btf *vmlinux = kernel_btf(); /* the feature probe's, if it ran */
    if (!vmlinux) {
        int err = -errno;
        return fail(err, "cannot read the kernel's BTF (" THIEF_VMLINUX_BTF "): %s", strerror(-err));
    }
    thief_bpf *tb = calloc(1, sizeof(*tb));
    if (!tb) {
        kernel_btf_release();
        return fail(-ENOMEM, "out of memory");
    }
    tb->stats_fd = -1;
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = THIEF_OBJECT_NAME);
    tb->obj = bpf_object__open_mem(object, object_len, &opts);
    if (!tb->obj) {
        int err = -errno;
        free(tb);
        kernel_btf_release();
        return fail(err, "cannot open the BPF object: %s", strerror(-err));
    }

    tb->kind = use_btf ? THIEF_KIND_TP_BTF : THIEF_KIND_RAW_TP;

    int nparams = 0;
    has_tracepoint(vmlinux, THIEF_TP_SCHED_SWITCH, &nparams);
    struct thief_knobs knobs = {
        .abi_version = THIEF_ABI_VERSION,
        .self_tgid = config->self_tgid,
        .follow_children = config->follow_children,
        .follow_threads = config->follow_threads,
        .has_prev_state = nparams >= 5, /* void *, preempt, prev, next, prev_state */
        .trace_irqs = config->trace_irqs,
        .noop = config->noop,
        .filter = config->filter,
        .match_comm = config->match_comm,
        .hold = config->hold,
        .cgroup_level = config->cgroup_level,
        .cgroup_id = config->cgroup_id,
    };
    memcpy(knobs.comm, config->comm, sizeof(knobs.comm));
    knobs.comm[sizeof(knobs.comm) - 1] = 0;
    uint32_t rb_bytes = config->ringbuf_bytes ? config->ringbuf_bytes : (4u << 20);
    knobs.target_tgid = config->target_tgid;
    uint32_t slots = thread_slots(config);
    if (!slots) {
        kernel_btf_release();
        thief_bpf_close(tb);
        return fail(-EINVAL, "thread slots must be a power of two from 1 to %u", THIEF_MAX_SLOTS);
    }
    knobs.slot_mask = slots - 1;

    struct bpf_map *map;
    int err = 0;
    bpf_object__for_each_map (map, tb->obj) {
        const char *name = bpf_map__name(map);
        size_t n = strlen(name), k = strlen(THIEF_MAP_KNOBS_SUFFIX);
        if (n >= k && strcmp(name + n - k, THIEF_MAP_KNOBS_SUFFIX) == 0) {
            size_t size = 0;
            bpf_map__initial_value(map, &size);
            if (size != sizeof(knobs)) {
                err = fail(-EINVAL, "BPF object and thief disagree on the knobs (%zu != %zu bytes)", size,
                           sizeof(knobs));
                break;
            }
            err = bpf_map__set_initial_value(map, &knobs, sizeof(knobs));
        } else if (strcmp(name, THIEF_MAP_EVENTS) == 0) {
            err = bpf_map__set_max_entries(map, rb_bytes);
        } else if (strcmp(name, THIEF_MAP_TGIDS) == 0) {
            /* One bit per possible tgid; a 1-word map when no set is used. */
            uint32_t words = config->filter == THIEF_FILTER_TGIDS
                                 ? ((config->max_tgid ? config->max_tgid : (4u << 20)) + 63) / 64
                                 : 1;
            err = bpf_map__set_max_entries(map, words);
        } else if (strcmp(name, THIEF_MAP_THREADS) == 0) {
            err = bpf_map__set_max_entries(map, slots);
        } else if (strcmp(name, THIEF_MAP_CPUS) == 0) {
            int ncpus = libbpf_num_possible_cpus();
            if (ncpus > 0 && (uint32_t)ncpus > bpf_map__max_entries(map))
                err = bpf_map__set_max_entries(map, ncpus);
        }
        if (err)
            break;
    }
    if (err) {
        kernel_btf_release();
        thief_bpf_close(tb);
        return err < 0 ? err : -EINVAL;
    }

    struct bpf_program *prog;
    bpf_object__for_each_program (prog, tb->obj) {
        const char *sec = bpf_program__section_name(prog);
        const char *tp = strchr(sec, '/');
        int is_btf = strncmp(sec, THIEF_SEC_TP_BTF, strlen(THIEF_SEC_TP_BTF)) == 0;
        int want = (is_btf == use_btf) && tp && has_tracepoint(vmlinux, tp + 1, NULL);
        if (want && !config->trace_irqs && is_irq_tracepoint(tp))
            want = 0;
        bpf_program__set_autoload(prog, want);
    }
    kernel_btf_release();
    /* libbpf's own parse of the kernel's BTF inside the load is the run's
     * peak of memory (~11 MB for a moment): hand the heap's free pages back
     * first, so that they do not count twice. */
    malloc_trim(0);

    err = bpf_object__load(tb->obj);
    if (err) {
        thief_bpf_close(tb);
        return fail(err,
                    "the kernel refused the BPF program (%s); run with THIEF_DEBUG=1 for the verifier log",
                    strerror(-err));
    }
    tb->ovf_fd = bpf_object__find_map_fd_by_name(tb->obj, THIEF_MAP_THREADS_OVF);
    tb->slots_fd = bpf_object__find_map_fd_by_name(tb->obj, THIEF_MAP_THREADS);
    tb->chunk_no = -1;
    tb->nslots = slots;
    tb->chunk_bytes = chunk_bytes();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    tb->slots_bytes = ((size_t)slots * sizeof(struct thief_tstate) + page - 1) / page * page;
    tb->counters_fd = bpf_object__find_map_fd_by_name(tb->obj, THIEF_MAP_COUNTERS);
    struct bpf_map *tgids = bpf_object__find_map_by_name(tb->obj, THIEF_MAP_TGIDS);
    if (tgids && config->filter == THIEF_FILTER_TGIDS) {
        size_t len = (size_t)bpf_map__max_entries(tgids) * sizeof(uint64_t);
        void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(tgids), 0);
        if (mem == MAP_FAILED) {
            int e = -errno;
            thief_bpf_close(tb);
            return fail(e, "cannot map the process set: %s", strerror(-e));
        }
        tb->tgids = mem;
        tb->tgids_words = bpf_map__max_entries(tgids);
    }
    *out = tb;
    return 0;
}

/* The thread slots follow the protocol in thief_abi.h (THIEF_SLOT_BUSY),
 * with the same atomics as the kernel side: the programs may run meanwhile.
 * They are mapped a chunk at a time: mmap of a BPF array fills in every page
 * at once, and the whole array (pid_max slots, up to 9 MiB) would count in
 * thief's RSS. A chunk is whole pages holding whole slots (the least common
 * multiple of the two sizes); the last one mapped stays, for the next access.
 * Slot i, valid until the next slot_at; NULL (errno set) if it cannot be mapped. */
static struct thief_tstate *slot_at(thief_bpf *tb, uint32_t i)
{
    size_t bytes = tb->chunk_bytes, per = bytes / sizeof(struct thief_tstate);
    int64_t no = (int64_t)(i / per);
    if (no != tb->chunk_no) {
        if (tb->chunk)
            munmap(tb->chunk, tb->chunk_len);
        tb->chunk = NULL;
        tb->chunk_no = -1;
        size_t off = (size_t)no * bytes;
        size_t len = tb->slots_bytes - off < bytes ? tb->slots_bytes - off : bytes;
        void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, tb->slots_fd, (off_t)off);
        if (mem == MAP_FAILED)
            return NULL;
        tb->chunk = mem;
        tb->chunk_len = len;
        tb->chunk_no = no;
    }
    return (struct thief_tstate *)(tb->chunk + (i % per) * sizeof(struct thief_tstate));
}

static struct thief_tstate *slot_of(thief_bpf *tb, uint32_t tid)
{
    return slot_at(tb, tid & (tb->nslots - 1));
}

static uint32_t slot_tid(const struct thief_tstate *slot)
{
    return __atomic_load_n(&slot->slot_tid, __ATOMIC_ACQUIRE);
}

static int ovf_has(thief_bpf *tb, uint32_t tid)
{
    struct thief_tstate st;
    return bpf_map_lookup_elem(tb->ovf_fd, &tid, &st) == 0;
}

int thief_bpf_track(thief_bpf *tb, uint32_t tid, const struct thief_tstate *seed, int only_new)
{
    if (tid == 0 || tid == THIEF_SLOT_BUSY)
        return fail(-EINVAL, "cannot track thread %u", tid);
    struct thief_tstate *slot = slot_of(tb, tid);
    if (!slot)
        return fail(-errno, "cannot map the thread slots: %s", strerror(errno));
    uint32_t expect = 0;
    if (slot_tid(slot) == tid || (slot->overflowed && ovf_has(tb, tid))) {
        if (only_new)
            return -EEXIST;
    } else if (__atomic_compare_exchange_n(&slot->slot_tid, &expect, THIEF_SLOT_BUSY, 0, __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST)) {
        thief_tstate_fill(slot, seed);
        __atomic_store_n(&slot->slot_tid, tid, __ATOMIC_SEQ_CST);
        return 0;
    }
    if (slot_tid(slot) == tid) { /* here already: a seed replaces its state */
        if (only_new)
            return -EEXIST;
        thief_tstate_fill(slot, seed);
        return 0;
    }
    __atomic_store_n(&slot->overflowed, 1, __ATOMIC_SEQ_CST); /* before the insert, as in the kernel side */
    struct thief_tstate st = *seed;
    st.slot_tid = 0;
    st.overflowed = 0;
    if (bpf_map_update_elem(tb->ovf_fd, &tid, &st, only_new ? BPF_NOEXIST : BPF_ANY) != 0) {
        if (only_new && errno == EEXIST)
            return -EEXIST;
        return fail(-errno, "cannot track thread %u: %s", tid, strerror(errno));
    }
    return 0;
}

int thief_bpf_add_tgid(thief_bpf *tb, uint32_t tgid)
{
    /* The map is shared memory: an atomic OR, like the kernel side's, so a
     * bit the kernel sets meanwhile in the same word is never lost. */
    if (!tb->tgids)
        return 0; /* another filter: no set to keep */
    if (tgid / 64 >= tb->tgids_words)
        return fail(-ERANGE, "process %u is beyond the kernel's pid_max", tgid);
    __atomic_fetch_or(&tb->tgids[tgid / 64], 1ull << (tgid % 64), __ATOMIC_SEQ_CST);
    return 0;
}

int thief_bpf_untrack(thief_bpf *tb, uint32_t tid)
{
    struct thief_tstate *slot = tid ? slot_of(tb, tid) : NULL;
    uint32_t expect = tid;
    if (slot &&
        __atomic_compare_exchange_n(&slot->slot_tid, &expect, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return 0;
    if (bpf_map_delete_elem(tb->ovf_fd, &tid) != 0)
        return -errno;
    return 0;
}

int thief_bpf_thread_state(thief_bpf *tb, uint32_t tid, struct thief_tstate *out)
{
    struct thief_tstate *slot = tid ? slot_of(tb, tid) : NULL;
    if (slot && slot_tid(slot) == tid) {
        memcpy(out, slot, sizeof(*out));
        return 0;
    }
    if (bpf_map_lookup_elem(tb->ovf_fd, &tid, out) != 0)
        return -errno;
    return 0;
}

int thief_bpf_thread_ids(thief_bpf *tb, uint32_t *out, int max)
{
    int n = 0;
    for (uint32_t i = 0; i < tb->nslots; i++) {
        struct thief_tstate *slot = slot_at(tb, i);
        if (!slot)
            return fail(-errno, "cannot map the thread slots: %s", strerror(errno));
        uint32_t tid = slot_tid(slot);
        if (tid == 0 || tid == THIEF_SLOT_BUSY)
            continue;
        if (n < max)
            out[n] = tid;
        n++;
    }
    uint32_t key = 0, next = 0;
    int have = 0;
    while (bpf_map_get_next_key(tb->ovf_fd, have ? &key : NULL, &next) == 0) {
        if (n < max)
            out[n] = next;
        n++;
        key = next;
        have = 1;
    }
    return n;
}

int thief_bpf_tracks_any(thief_bpf *tb)
{
    /* From where a thread was last found: while that one lives, one load. */
    for (uint32_t k = 0; k < tb->nslots; k++) {
        uint32_t i = (tb->scan_hint + k) & (tb->nslots - 1);
        struct thief_tstate *slot = slot_at(tb, i);
        if (!slot)
            return 1; /* cannot tell: the run goes on */
        uint32_t tid = slot_tid(slot);
        if (tid != 0 && tid != THIEF_SLOT_BUSY) {
            tb->scan_hint = i;
            return 1;
        }
    }
    uint32_t first = 0;
    return bpf_map_get_next_key(tb->ovf_fd, NULL, &first) == 0;
}

int thief_bpf_attach(thief_bpf *tb, thief_bpf_record_fn fn, void *ctx)
{
    struct bpf_program *prog;
    bpf_object__for_each_program (prog, tb->obj) {
        if (!bpf_program__autoload(prog))
            continue;
        if (tb->nlinks >= THIEF_MAX_LINKS)
            return fail(-E2BIG, "too many BPF programs");
        struct bpf_link *link = bpf_program__attach(prog);
        if (!link)
            return fail(-errno, "cannot attach %s: %s", bpf_program__section_name(prog), strerror(errno));
        tb->links[tb->nlinks++] = link;
    }
    tb->attached = tb->nlinks;
    int fd = bpf_object__find_map_fd_by_name(tb->obj, THIEF_MAP_EVENTS);
    tb->fn = fn;
    tb->fn_ctx = ctx;
    tb->rb = record_ring_new(fd, fn, ctx);
    if (!tb->rb)
        return fail(-errno, "cannot set up the ring buffer: %s", strerror(errno));
    return 0;
}

void thief_bpf_detach(thief_bpf *tb)
{
    for (int i = 0; i < tb->nlinks; i++)
        bpf_link__destroy(tb->links[i]);
    tb->nlinks = 0;
}

int thief_bpf_poll(thief_bpf *tb, int timeout_ms)
{
    /* Records are submitted without a wake-up (BPF_RB_NO_WAKEUP), so epoll
     * waits out the timeout: it is the consumer's drain timer. Then drain. */
    int n = record_ring_wait(tb->rb, timeout_ms);
    if (n < 0 && n != -EINTR)
        return fail(n, "ring buffer: %s", strerror(-n));
    int m = record_ring_drain(tb->rb);
    if (m < 0)
        return fail(m, "ring buffer: %s", strerror(-m));
    return m;
}

int thief_bpf_consume(thief_bpf *tb)
{
    int n = record_ring_drain(tb->rb);
    if (n < 0)
        return fail(n, "ring buffer: %s", strerror(-n));
    return n;
}

int thief_bpf_drain_held(thief_bpf *tb)
{
    int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0)
        return fail(-EINVAL, "cannot count CPUs");
    /* A per-CPU map's values come one per possible CPU, each rounded up to 8 bytes. */
    size_t stride = (sizeof(struct thief_batch) + 7) & ~(size_t)7;
    char *vals = calloc((size_t)ncpus, stride);
    if (!vals)
        return fail(-ENOMEM, "out of memory");
    uint32_t zero = 0;
    int fd = bpf_object__find_map_fd_by_name(tb->obj, THIEF_MAP_BATCHES);
    if (fd < 0 || bpf_map_lookup_elem(fd, &zero, vals) != 0) {
        int err = fd < 0 ? fd : -errno;
        free(vals);
        return fail(err, "cannot read the held records: %s", strerror(-err));
    }
    int handed = 0;
    for (int cpu = 0; cpu < ncpus && tb->fn; cpu++) {
        struct thief_batch *b = (struct thief_batch *)(vals + (size_t)cpu * stride);
        uint32_t n = b->n <= THIEF_BATCH_RECORDS
                         ? b->n
                         : 0; /* never trust a count read from the kernel side blindly */
        if (n == 0)
            continue;
        tb->fn(tb->fn_ctx, b->r, n * sizeof(struct thief_record));
        handed += (int)n;
    }
    free(vals);
    return handed;
}

int thief_bpf_counters(thief_bpf *tb, struct thief_counters *out)
{
    int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0)
        return fail(-EINVAL, "cannot count CPUs");
    struct thief_counters *vals = calloc(ncpus, sizeof(*vals));
    if (!vals)
        return fail(-ENOMEM, "out of memory");
    uint32_t zero = 0;
    int err = bpf_map_lookup_elem(tb->counters_fd, &zero, vals);
    if (err) {
        err = -errno;
        free(vals);
        return fail(err, "cannot read counters: %s", strerror(-err));
    }
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < ncpus; i++) {
        out->emitted += vals[i].emitted;
        out->lost += vals[i].lost;
        out->healed += vals[i].healed;
    }
    free(vals);
    return 0;
}

int thief_bpf_enable_stats(thief_bpf *tb)
{
    if (tb->stats_fd >= 0)
        return 0;
    int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
    if (fd < 0)
        return fail(-errno, "cannot enable BPF statistics: %s", strerror(errno));
    tb->stats_fd = fd;
    return 0;
}

int thief_bpf_prog_stats_get(thief_bpf *tb, thief_bpf_prog_stats *out, int max)
{
    int n = 0;
    struct bpf_program *prog;
    bpf_object__for_each_program (prog, tb->obj) {
        if (!bpf_program__autoload(prog) || n >= max)
            continue;
        struct bpf_prog_info info;
        uint32_t len = sizeof(info);
        memset(&info, 0, sizeof(info));
        if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) != 0)
            continue;
        snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__section_name(prog));
        out[n].run_time_ns = info.run_time_ns;
        out[n].run_cnt = info.run_cnt;
        n++;
    }
    return n;
}

const char *thief_bpf_attach_kind(const thief_bpf *tb)
{
    return tb->kind;
}
int thief_bpf_attached_count(const thief_bpf *tb)
{
    return tb->attached;
}

void thief_bpf_close(thief_bpf *tb)
{
    if (!tb)
        return;
    record_ring_free(tb->rb);
    for (int i = 0; i < tb->nlinks; i++)
        bpf_link__destroy(tb->links[i]);
    if (tb->tgids)
        munmap(tb->tgids, (size_t)tb->tgids_words * sizeof(uint64_t));
    if (tb->chunk)
        munmap(tb->chunk, tb->chunk_len);
    if (tb->obj)
        bpf_object__close(tb->obj);
    if (tb->stats_fd >= 0)
        close(tb->stats_fd);
    free(tb);
}
