/*
 * thief_bpf.c - libbpf shim. All libbpf use is here, behind a small
 * thief_-prefixed API that returns 0 or a negative errno.
 */
#define _GNU_SOURCE
#include "thief_bpf.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/prctl.h>

#define THIEF_MAX_LINKS 64

struct thief_bpf {
    struct bpf_object *obj;
    struct ring_buffer *rb;
    struct bpf_link *links[THIEF_MAX_LINKS];
    int nlinks;
    int attached;
    int stats_fd;
    const char *kind;
    int threads_fd;
    int counters_fd;
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

const char *thief_bpf_last_error(void) { return last_error; }

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
    if (!verbose_libbpf && level != LIBBPF_WARN)
        return 0;
    if (!verbose_libbpf)
        return 0; /* warnings become thief's own one-line errors */
    return vfprintf(stderr, fmt, args);
}

void thief_bpf_set_verbose(int verbose) { verbose_libbpf = verbose; }

int thief_bpf_probe_btf(char *path_out, size_t len)
{
    const char *path = "/sys/kernel/btf/vmlinux";
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
    snprintf(name, sizeof(name), "btf_trace_%s", tp);
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

static int open_as(const void *object, size_t object_len, const thief_bpf_config *config,
                   int use_btf, thief_bpf **out);

int thief_bpf_open(const void *object, size_t object_len, const thief_bpf_config *config,
                   thief_bpf **out)
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
    if (err)
    {
        char second[sizeof(last_error)];
        snprintf(second, sizeof(second), "%s", last_error);
        fail(err, "%s (tp_btf: %s)", second, first);
    }
    return err;
}

static int open_as(const void *object, size_t object_len, const thief_bpf_config *config,
                   int use_btf, thief_bpf **out)
{
    *out = NULL;
    libbpf_set_print(print_fn);
    struct btf *vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux) {
        int err = -errno;
        return fail(err, "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s",
                    strerror(-err));
    }
    thief_bpf *tb = calloc(1, sizeof(*tb));
    if (!tb) {
        btf__free(vmlinux);
        return fail(-ENOMEM, "out of memory");
    }
    tb->stats_fd = -1;
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "thief");
    tb->obj = bpf_object__open_mem(object, object_len, &opts);
    if (!tb->obj) {
        int err = -errno;
        free(tb);
        btf__free(vmlinux);
        return fail(err, "cannot open the BPF object: %s", strerror(-err));
    }

    tb->kind = use_btf ? "tp_btf" : "raw_tp";

    int nparams = 0;
    has_tracepoint(vmlinux, "sched_switch", &nparams);
    struct thief_knobs knobs = {
        .abi_version = THIEF_ABI_VERSION,
        .self_tgid = config->self_tgid,
        .follow_children = config->follow_children,
        .follow_threads = config->follow_threads,
        .has_prev_state = nparams >= 5, /* void *, preempt, prev, next, prev_state */
        .trace_irqs = config->trace_irqs,
        .noop = config->noop,
    };
    uint32_t rb_bytes = config->ringbuf_bytes ? config->ringbuf_bytes : (4u << 20);
    knobs.target_tgid = config->target_tgid;

    struct bpf_map *map;
    int err = 0;
    bpf_object__for_each_map(map, tb->obj) {
        const char *name = bpf_map__name(map);
        size_t n = strlen(name);
        if (n >= 7 && strcmp(name + n - 7, ".rodata") == 0) {
            size_t size = 0;
            bpf_map__initial_value(map, &size);
            if (size != sizeof(knobs)) {
                err = fail(-EINVAL, "BPF object and thief disagree on the knobs (%zu != %zu bytes)",
                           size, sizeof(knobs));
                break;
            }
            err = bpf_map__set_initial_value(map, &knobs, sizeof(knobs));
        } else if (strcmp(name, "events") == 0) {
            err = bpf_map__set_max_entries(map, rb_bytes);
        } else if (strcmp(name, "cpus") == 0) {
            int ncpus = libbpf_num_possible_cpus();
            if (ncpus > 0 && (uint32_t)ncpus > bpf_map__max_entries(map))
                err = bpf_map__set_max_entries(map, ncpus);
        }
        if (err)
            break;
    }
    if (err) {
        btf__free(vmlinux);
        thief_bpf_close(tb);
        return err < 0 ? err : -EINVAL;
    }

    struct bpf_program *prog;
    bpf_object__for_each_program(prog, tb->obj) {
        const char *sec = bpf_program__section_name(prog);
        const char *tp = strchr(sec, '/');
        int is_btf = strncmp(sec, "tp_btf/", 7) == 0;
        int want = (is_btf == use_btf) && tp && has_tracepoint(vmlinux, tp + 1, NULL);
        if (want && !config->trace_irqs &&
            (strstr(tp, "irq") || strstr(tp, "_entry") || strstr(tp, "_exit")))
            want = 0;
        bpf_program__set_autoload(prog, want);
    }
    btf__free(vmlinux);

    err = bpf_object__load(tb->obj);
    if (err) {
        thief_bpf_close(tb);
        return fail(err, "the kernel refused the BPF program (%s); run with THIEF_DEBUG=1 for the verifier log",
                    strerror(-err));
    }
    tb->threads_fd = bpf_object__find_map_fd_by_name(tb->obj, "threads");
    tb->counters_fd = bpf_object__find_map_fd_by_name(tb->obj, "counters");
    *out = tb;
    return 0;
}

int thief_bpf_track(thief_bpf *tb, uint32_t tid, const struct thief_tstate *seed, int only_new)
{
    if (bpf_map_update_elem(tb->threads_fd, &tid, seed, only_new ? BPF_NOEXIST : BPF_ANY) != 0) {
        if (only_new && errno == EEXIST)
            return -EEXIST;
        return fail(-errno, "cannot track thread %u: %s", tid, strerror(errno));
    }
    return 0;
}

int thief_bpf_untrack(thief_bpf *tb, uint32_t tid)
{
    if (bpf_map_delete_elem(tb->threads_fd, &tid) != 0)
        return -errno;
    return 0;
}

int thief_bpf_thread_state(thief_bpf *tb, uint32_t tid, struct thief_tstate *out)
{
    if (bpf_map_lookup_elem(tb->threads_fd, &tid, out) != 0)
        return -errno;
    return 0;
}

int thief_bpf_next_thread(thief_bpf *tb, int have_prev, uint32_t prev, uint32_t *next)
{
    if (bpf_map_get_next_key(tb->threads_fd, have_prev ? &prev : NULL, next) != 0)
        return -errno;
    return 0;
}

int thief_bpf_attach(thief_bpf *tb, thief_bpf_record_fn fn, void *ctx)
{
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, tb->obj) {
        if (!bpf_program__autoload(prog))
            continue;
        if (tb->nlinks >= THIEF_MAX_LINKS)
            return fail(-E2BIG, "too many BPF programs");
        struct bpf_link *link = bpf_program__attach(prog);
        if (!link)
            return fail(-errno, "cannot attach %s: %s", bpf_program__section_name(prog),
                        strerror(errno));
        tb->links[tb->nlinks++] = link;
    }
    tb->attached = tb->nlinks;
    int fd = bpf_object__find_map_fd_by_name(tb->obj, "events");
    tb->rb = ring_buffer__new(fd, (ring_buffer_sample_fn)fn, ctx, NULL);
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
    int n = ring_buffer__poll(tb->rb, timeout_ms);
    if (n < 0 && n != -EINTR)
        return fail(n, "ring buffer: %s", strerror(-n));
    int m = ring_buffer__consume(tb->rb);
    if (m < 0)
        return fail(m, "ring buffer: %s", strerror(-m));
    return (n > 0 ? n : 0) + m;
}

int thief_bpf_consume(thief_bpf *tb)
{
    int n = ring_buffer__consume(tb->rb);
    if (n < 0)
        return fail(n, "ring buffer: %s", strerror(-n));
    return n;
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
    bpf_object__for_each_program(prog, tb->obj) {
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

const char *thief_bpf_attach_kind(const thief_bpf *tb) { return tb->kind; }
int thief_bpf_attached_count(const thief_bpf *tb) { return tb->attached; }

void thief_bpf_close(thief_bpf *tb)
{
    if (!tb)
        return;
    if (tb->rb)
        ring_buffer__free(tb->rb);
    for (int i = 0; i < tb->nlinks; i++)
        bpf_link__destroy(tb->links[i]);
    if (tb->obj)
        bpf_object__close(tb->obj);
    if (tb->stats_fd >= 0)
        close(tb->stats_fd);
    free(tb);
}

/* ---- process helpers ---- */

int thief_spawn_paused(char *const argv[], pid_t *pid, int *go_fd, int *err_fd)
{
    int go[2], er[2];
    if (pipe2(go, O_CLOEXEC) != 0)
        return fail(-errno, "pipe: %s", strerror(errno));
    if (pipe2(er, O_CLOEXEC) != 0) {
        int e = errno;
        close(go[0]);
        close(go[1]);
        return fail(-e, "pipe: %s", strerror(e));
    }
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(go[0]); close(go[1]); close(er[0]); close(er[1]);
        return fail(-e, "fork: %s", strerror(e));
    }
    if (child == 0) {
        /* Only async-signal-safe calls from here to exec. */
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_DFL;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        char c;
        ssize_t n;
        do {
            n = read(go[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1)
            _exit(127); /* thief gave up before releasing us */
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(er[1], &e, sizeof(e));
        (void)w;
        _exit(127);
    }
    close(go[0]);
    close(er[1]);
    *pid = child;
    *go_fd = go[1];
    *err_fd = er[0];
    return 0;
}

int thief_spawn_release(int go_fd, int err_fd)
{
    char c = 'g';
    ssize_t w = write(go_fd, &c, 1);
    (void)w;
    close(go_fd);
    int e = 0;
    ssize_t n;
    do {
        n = read(err_fd, &e, sizeof(e));
    } while (n < 0 && errno == EINTR);
    close(err_fd);
    return n == (ssize_t)sizeof(e) ? e : 0;
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

void thief_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A parent may have started thief with these blocked: unblock them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int thief_signals_pending(void) { return stop_signal; }

uint64_t thief_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int thief_pin_cpu(pid_t tid, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(tid, sizeof(set), &set) != 0)
        return fail(-errno, "sched_setaffinity: %s", strerror(errno));
    return 0;
}

int thief_set_affinity_mask(pid_t tid, uint64_t mask)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < 64; i++)
        if (mask & (1ull << i))
            CPU_SET(i, &set);
    if (sched_setaffinity(tid, sizeof(set), &set) != 0)
        return fail(-errno, "sched_setaffinity: %s", strerror(errno));
    return 0;
}

void thief_set_thread_name(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }
