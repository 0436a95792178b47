/*
 * thief_bpf.c - libbpf shim. All libbpf use is here, behind a small
 * thief_-prefixed API that returns 0 or a negative errno.
 */
#define _GNU_SOURCE /* memfd_create */
#include "thief_bpf.h"
#include "core_btf.h"
#include "kernel_btf.h"
#include "record_ring.h"
#include "split_load.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
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
#define THIEF_HANDLER_TP_BTF THIEF_KIND_TP_BTF "+" /* libbpf's pattern for tp_btf and tp_btf/TP */
/* The kernel's names: its BTF, and the typedef BTF gives each tracepoint. */
#define THIEF_VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define THIEF_BTF_TRACE_PREFIX "btf_trace_"
#define THIEF_TP_SCHED_SWITCH "sched_switch"

/* The tracepoints loaded as tp_btf in tp_btf mode: the hot paths, every
 * switch and wake-up of every task, where tp_btf's direct loads (TREAD in
 * bpf/thief.bpf.c) save a bpf_probe_read_kernel each. The others load as
 * raw_tp in both modes: interrupts, workqueues, fork and exec read through
 * CO-RE either way, and a fork's first wake-up and a migration are rare
 * enough that a probe read or two costs nothing measurable. A raw_tp program
 * costs the kernel no search of its BTF when it loads
 * (bpf_check_attach_target looks up each tp_btf program's tracepoint by
 * name, a pass over ~125,000 types on 6.18) and the verifier no
 * trusted-pointer lookups (6.3+): sched_migrate_task verifies in 1.5 ms
 * instead of 3.3, sched_wakeup_new in 0.6 instead of 2.3, an interrupt
 * program in ~0.15 instead of 0.3. */
static int reads_btf(const char *tp)
{
    static const char *const hot[] = {"sched_switch", "sched_wakeup", "sched_waking"};
    for (size_t i = 0; i < sizeof(hot) / sizeof(hot[0]); i++)
        if (strcmp(tp, hot[i]) == 0)
            return 1;
    return 0;
}

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
#define THIEF_MAX_PROGS 128

/* A tp_btf program's section and the BTF id of its tracepoint (btf_trace_TP):
 * by name, for the program is in one of two objects (split_load.h). */
struct tp_btf_target {
    const char *section;
    uint32_t btf_id;
};

/* A loaded program: its section and fd outlive the side's object, closed
 * once attached (then prog is NULL). */
struct loaded_prog {
    struct bpf_program *prog;
    const char *section;
    int fd;
};

struct thief_bpf {
    struct bpf_object *obj; /* the maps, and every program but the side's */
    int split;              /* sched_switch loads beside obj (split_load.h), in side.side */
    struct split_load side;
    int nprogs; /* the loaded programs of both, in the ELF's order */
    struct loaded_prog progs[THIEF_MAX_PROGS];
    int side_fd;            /* the side's program, kept once its object is closed (after attach), or -1 */
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
    int core_fd;        /* a memfd: the BTF for the CO-RE relocations (core_btf.c), until the load */
    char core_path[64]; /* its /proc/self/fd path, or "" */
    int nattach;        /* the tp_btf programs to load and their tracepoints' BTF ids (tp_btf_prepare) */
    struct tp_btf_target attach[THIEF_MAX_PROGS];
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

/* How many arguments tracepoint typedef `id` (btf_trace_TP: a pointer to a
 * function prototype) passes. */
static int tracepoint_params(const struct kernel_btf *vmlinux, uint32_t id)
{
    const struct btf_type *t = kernel_btf_type(vmlinux, id);
    t = t ? kernel_btf_type(vmlinux, t->type) : NULL; /* pointer */
    t = t ? kernel_btf_type(vmlinux, t->type) : NULL; /* func proto */
    return (t && btf_is_func_proto(t)) ? btf_vlen(t) : 0;
}

/* thief_bpf_core_check's second load: libbpf reads the kernel's BTF. */
static int whole_btf;

/* The object being loaded, for tp_btf_prepare: libbpf's handlers take no
 * argument of their own. Loads run one at a time. */
static thief_bpf *loading;

/*
 * tp_btf programs through a handler of thief's own, for libbpf 1.1 parses
 * the kernel's whole BTF (~11 MB at its peak) inside bpf_object__load for
 * any program of type TRACING (obj_needs_vmlinux_btf), if only to look up
 * the tracepoint's BTF id (libbpf_find_attach_btf_id). thief knows that id
 * from its own read (btf_trace_TP). So the programs open as raw
 * tracepoints, which need no kernel BTF, and tp_btf_prepare, called right
 * before each is loaded, makes it what libbpf's own tp_btf handler would:
 * type TRACING, attach type BPF_TRACE_RAW_TP, the id. Attached as libbpf's
 * handler attaches them (bpf_program__attach_trace).
 */
static int tp_btf_prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
    (void)cookie;
    const char *sec = bpf_program__section_name(prog);
    for (int i = 0; loading && i < loading->nattach; i++) {
        if (strcmp(loading->attach[i].section, sec) != 0)
            continue;
        opts->expected_attach_type = BPF_TRACE_RAW_TP;
        opts->attach_btf_obj_fd = 0; /* the kernel's own BTF, not a module's */
        opts->attach_btf_id = loading->attach[i].btf_id;
        if (loading->split && strcmp(sec, loading->side.section) != 0)
            split_load_maps_ready(&loading->side); /* obj's maps exist: the side may load */
        return bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
    }
    return -ESRCH;
}

static int tp_btf_attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
    (void)cookie;
    *link = bpf_program__attach_trace(prog);
    return *link ? 0 : -errno;
}

static int register_tp_btf(void)
{
    static int handler;
    if (handler > 0)
        return 0;
    LIBBPF_OPTS(libbpf_prog_handler_opts, opts, .prog_prepare_load_fn = tp_btf_prepare,
                .prog_attach_fn = tp_btf_attach);
    handler = libbpf_register_prog_handler(THIEF_HANDLER_TP_BTF, BPF_PROG_TYPE_RAW_TRACEPOINT,
                                           BPF_TRACE_RAW_TP, &opts);
    return handler < 0 ? handler : 0;
}

/* Opens the object, its CO-RE relocations to be made against the small BTF
 * core_btf.c writes into a memfd from thief's read of the kernel's: then
 * bpf_object__load reads no BTF of its own. If that BTF cannot be made (or
 * /proc, through which libbpf opens it, is not there), libbpf relocates
 * against the kernel's whole BTF, as it reads it. */
static struct bpf_object *open_mem(const thief_bpf *tb, const void *object, size_t len)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = THIEF_OBJECT_NAME,
                .btf_custom_path = tb->core_path[0] ? tb->core_path : NULL);
    return bpf_object__open_mem(object, len, &opts);
}

static int open_object(thief_bpf *tb, const void *object, size_t len, const struct kernel_btf *vmlinux)
{
    tb->core_fd = whole_btf ? -1 : memfd_create("thief-core-btf", MFD_CLOEXEC);
    if (tb->core_fd >= 0)
        snprintf(tb->core_path, sizeof(tb->core_path), "/proc/self/fd/%d", tb->core_fd);
    if (tb->core_fd >= 0 && access(tb->core_path, R_OK) != 0) {
        close(tb->core_fd);
        tb->core_fd = -1;
        tb->core_path[0] = 0;
    }
    tb->obj = open_mem(tb, object, len);
    if (tb->obj && tb->core_fd >= 0) {
        int err = core_btf_write(vmlinux, bpf_object__btf(tb->obj), object, len, tb->core_fd);
        if (err == 0)
            return 0;
        if (verbose_libbpf)
            fprintf(stderr, "thief: CO-RE against the kernel's whole BTF: %s\n", strerror(-err));
        close(tb->core_fd);
        tb->core_fd = -1;
        tb->core_path[0] = 0;
        bpf_object__close(tb->obj);
        tb->obj = open_mem(tb, object, len);
    }
    return tb->obj ? 0 : fail(-errno, "cannot open the BPF object: %s", strerror(errno));
}

/* Can the side load on another CPU? Not on one CPU, where a second object
 * and a thread would only add to the start. */
static int split_pays(void)
{
    cpu_set_t cpus;
    return sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) >= 2;
}

/* obj's load, and sched_switch's beside it when it loads and that pays. */
static int load_objects(thief_bpf *tb, const void *object, size_t len)
{
    const char *sched_switch = THIEF_SEC_TP_BTF THIEF_TP_SCHED_SWITCH;
    for (int i = 0; !whole_btf && i < tb->nattach && !tb->split; i++)
        tb->split = strcmp(tb->attach[i].section, sched_switch) == 0;
    tb->split = tb->split && split_pays(); /* one affinity query, not one a program */
    loading = tb;
    if (tb->split) {
        tb->side = (struct split_load){.object = object,
                                       .len = len,
                                       .section = sched_switch,
                                       .from = tb->obj,
                                       .btf_path = tb->core_path[0] ? tb->core_path : NULL};
        split_load_start(&tb->side);
    }
    int err = bpf_object__load(tb->obj);
    if (tb->split) {
        int side_err = split_load_join(&tb->side, err);
        err = err ?: side_err;
    }
    loading = NULL;
    return err;
}

/* The loaded programs of both objects, in the ELF's order (tb->progs). */
static void list_loaded(thief_bpf *tb)
{
    struct bpf_program *prog, *side = tb->split ? split_load_program(&tb->side) : NULL;
    tb->nprogs = 0;
    bpf_object__for_each_program (prog, tb->obj) {
        int moved = side && strcmp(bpf_program__section_name(prog), tb->side.section) == 0;
        struct bpf_program *p = moved ? side : bpf_program__autoload(prog) ? prog : NULL;
        if (p && tb->nprogs < THIEF_MAX_PROGS)
            tb->progs[tb->nprogs++] =
                (struct loaded_prog){p, bpf_program__section_name(p), bpf_program__fd(p)};
    }
}

/* Which programs load: those of the attach mode (tp_btf only where
 * reads_btf) whose tracepoint the kernel has (its BTF has btf_trace_TP), the
 * interrupt ones only when interrupts are traced. The tp_btf ones and their
 * ids go into tb->attach. How many arguments sched_switch passes, in
 * *switch_params. */
static int choose_programs(thief_bpf *tb, const thief_bpf_config *config, const struct kernel_btf *vmlinux,
                           int use_btf, int *switch_params)
{
    static char names[THIEF_MAX_PROGS][128];
    const char *name_of[THIEF_MAX_PROGS];
    struct bpf_program *progs[THIEF_MAX_PROGS], *prog;
    uint32_t ids[THIEF_MAX_PROGS];
    int n = 0;
    bpf_object__for_each_program (prog, tb->obj) {
        const char *tp = strchr(bpf_program__section_name(prog), '/');
        bpf_program__set_autoload(prog, 0);
        if (!tp)
            continue;
        if (n == THIEF_MAX_PROGS)
            return fail(-E2BIG, "too many BPF programs");
        snprintf(names[n], sizeof(names[n]), THIEF_BTF_TRACE_PREFIX "%s", tp + 1);
        name_of[n] = names[n];
        progs[n++] = prog;
    }
    kernel_btf_find_all(vmlinux, BTF_KIND_TYPEDEF, name_of, n, ids);
    tb->nattach = 0;
    for (int i = 0; i < n; i++) {
        const char *sec = bpf_program__section_name(progs[i]), *tp = strchr(sec, '/') + 1;
        int is_btf = strncmp(sec, THIEF_SEC_TP_BTF, strlen(THIEF_SEC_TP_BTF)) == 0;
        int want =
            is_btf == (use_btf && reads_btf(tp)) && ids[i] && (config->trace_irqs || !is_irq_tracepoint(tp));
        if (ids[i] && strcmp(tp, THIEF_TP_SCHED_SWITCH) == 0)
            *switch_params = tracepoint_params(vmlinux, ids[i]);
        bpf_program__set_autoload(progs[i], want);
        if (want && is_btf)
            tb->attach[tb->nattach++] = (struct tp_btf_target){.section = sec, .btf_id = ids[i]};
    }
    return 0;
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

/* The knobs (.rodata) and the maps' sizes, from the configuration; the
 * kernel's sched_switch passes `switch_params` arguments. */
static int configure_maps(thief_bpf *tb, const thief_bpf_config *config, int switch_params)
{
    int nparams = switch_params;
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
    if (!slots)
        return fail(-EINVAL, "thread slots must be a power of two from 1 to %u", THIEF_MAX_SLOTS);
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
    return err < 0 ? err : err ? -EINVAL : 0;
}

static int open_as(const void *object, size_t object_len, const thief_bpf_config *config, int use_btf,
                   thief_bpf **out)
{
    *out = NULL;
    libbpf_set_print(print_fn);
    const struct kernel_btf *vmlinux = kernel_btf(); /* the feature probe's, if it ran */
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
    tb->core_fd = -1;
    tb->side_fd = -1;
    tb->kind = use_btf ? THIEF_KIND_TP_BTF : THIEF_KIND_RAW_TP;
    int nparams = 0;
    int err = register_tp_btf();
    if (err)
        fail(err, "cannot register the tp_btf handler: %s", strerror(-err));
    err = err ?: open_object(tb, object, object_len, vmlinux);
    err = err ?: choose_programs(tb, config, vmlinux, use_btf, &nparams);
    /* Freed before the load: with the small BTF, nothing in it reads the
     * kernel's, and the heap's free pages go back to the system. */
    kernel_btf_release();
    malloc_trim(0);
    err = err ?: configure_maps(tb, config, nparams);
    if (err) {
        thief_bpf_close(tb);
        return err;
    }

    err = load_objects(tb, object, object_len);
    close(tb->core_fd);
    tb->core_fd = -1;
    if (err) {
        thief_bpf_close(tb);
        return fail(err,
                    "the kernel refused the BPF program (%s); run with THIEF_DEBUG=1 for the verifier log",
                    strerror(-err));
    }
    list_loaded(tb);
    tb->ovf_fd = bpf_object__find_map_fd_by_name(tb->obj, THIEF_MAP_THREADS_OVF);
    tb->slots_fd = bpf_object__find_map_fd_by_name(tb->obj, THIEF_MAP_THREADS);
    uint32_t slots = thread_slots(config); /* checked by configure_maps */
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

/* Once attached, the side's object is needed no more (its link holds the
 * program): closed, with its ~400 KB, keeping a copy of the program's fd for
 * the statistics. */
static void close_side(thief_bpf *tb)
{
    for (int i = 0; tb->side.side && i < tb->nprogs; i++) {
        if (strcmp(tb->progs[i].section, tb->side.section) != 0)
            continue;
        tb->side_fd = fcntl(tb->progs[i].fd, F_DUPFD_CLOEXEC, 0);
        tb->progs[i] = (struct loaded_prog){NULL, tb->side.section, tb->side_fd};
        bpf_object__close(tb->side.side);
        tb->side.side = NULL;
        malloc_trim(0);
    }
}

int thief_bpf_attach(thief_bpf *tb, thief_bpf_record_fn fn, void *ctx)
{
    for (int i = 0; i < tb->nprogs; i++) {
        struct bpf_program *prog = tb->progs[i].prog;
        if (!prog) /* the side's object is closed once attached: attach once */
            return fail(-EALREADY, "the BPF programs were attached already");
        if (tb->nlinks >= THIEF_MAX_LINKS)
            return fail(-E2BIG, "too many BPF programs");
        struct bpf_link *link = bpf_program__attach(prog);
        if (!link)
            return fail(-errno, "cannot attach %s: %s", bpf_program__section_name(prog), strerror(errno));
        tb->links[tb->nlinks++] = link;
    }
    tb->attached = tb->nlinks;
    close_side(tb);
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
    for (int i = 0; i < tb->nprogs && n < max; i++) {
        struct bpf_prog_info info;
        uint32_t len = sizeof(info);
        memset(&info, 0, sizeof(info));
        if (bpf_obj_get_info_by_fd(tb->progs[i].fd, &info, &len) != 0)
            continue;
        snprintf(out[n].name, sizeof(out[n].name), "%s", tb->progs[i].section);
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
    if (tb->side.side)
        bpf_object__close(tb->side.side);
    if (tb->side_fd >= 0)
        close(tb->side_fd);
    if (tb->obj)
        bpf_object__close(tb->obj);
    if (tb->core_fd >= 0)
        close(tb->core_fd);
    if (tb->stats_fd >= 0)
        close(tb->stats_fd);
    free(tb);
}

/* The tp_btf programs' attach ids, as the kernel took them, against the ids
 * libbpf finds for their tracepoints: 0, or -EILSEQ naming the first apart. */
static int check_attach_ids(const thief_bpf *tb)
{
    for (int i = 0; i < tb->nprogs; i++) {
        const char *sec = tb->progs[i].section, *tp = strchr(sec, '/') + 1;
        if (strncmp(sec, THIEF_SEC_TP_BTF, strlen(THIEF_SEC_TP_BTF)) != 0)
            continue;
        struct bpf_prog_info info;
        uint32_t len = sizeof(info);
        memset(&info, 0, sizeof(info));
        int err = bpf_obj_get_info_by_fd(tb->progs[i].fd, &info, &len);
        int want = libbpf_find_vmlinux_btf_id(tp, BPF_TRACE_RAW_TP);
        if (err || want <= 0 || info.attach_btf_id != (uint32_t)want)
            return fail(-EILSEQ, "core check: %s attached to BTF id %u, libbpf finds %d", tp,
                        info.attach_btf_id, want);
    }
    return 0;
}

/* Two programs' instructions are the same but for the maps' fds (each load
 * has maps of its own): the first half of a 64-bit load of a map's fd or of
 * an address in a map's value. */
static int insns_alike(const struct bpf_insn *a, const struct bpf_insn *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int map_ref = a[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
                      (a[i].src_reg == BPF_PSEUDO_MAP_FD || a[i].src_reg == BPF_PSEUDO_MAP_VALUE);
        struct bpf_insn x = a[i], y = b[i];
        if (map_ref)
            x.imm = y.imm = 0;
        if (memcmp(&x, &y, sizeof(x)) != 0)
            return 0;
    }
    return 1;
}

int thief_bpf_core_check(const void *object, size_t object_len, const thief_bpf_config *config,
                         const thief_bpf *tb)
{
    thief_bpf *whole = NULL;
    whole_btf = 1;
    int err = open_as(object, object_len, config, strcmp(tb->kind, THIEF_KIND_TP_BTF) == 0, &whole);
    whole_btf = 0;
    if (err)
        return err;
    int n = 0;
    for (int i = 0; err == 0 && i < tb->nprogs; i++, n++) {
        const struct bpf_program *a = tb->progs[i].prog, *b = i < whole->nprogs ? whole->progs[i].prog : NULL;
        size_t cnt = bpf_program__insn_cnt(a);
        if (!a || !b || strcmp(bpf_program__section_name(a), bpf_program__section_name(b)) != 0 ||
            cnt != bpf_program__insn_cnt(b) ||
            !insns_alike(bpf_program__insns(a), bpf_program__insns(b), cnt))
            err = fail(-EILSEQ, "core check: %s relocates otherwise against the kernel's whole BTF",
                       bpf_program__section_name(a));
    }
    if (err == 0 && n != whole->nprogs)
        err = fail(-EILSEQ, "core check: %d programs loaded, %d against the kernel's whole BTF", n,
                   whole->nprogs);
    thief_bpf_close(whole);
    err = err ?: check_attach_ids(tb);
    return err ?: n;
}
