/*
 * bpf_timeline.c - an LD_PRELOAD shim that times each bpf() system call of
 * a thief run (libbpf enters the kernel only through libc's syscall()) and
 * the write of the "thief: tracing" line, for scripts/start-timeline/run.py.
 * With BPF_TIMELINE_STATS set it asks every program load that asked for no
 * log for the verifier's statistics (log level 4) and records its
 * instructions processed and verification time. Measurement only: the
 * shim changes nothing else.
 *
 * Environment: BPF_TIMELINE_OUT (file the timeline is appended to at exit),
 * BPF_TIMELINE_T0 (CLOCK_MONOTONIC ms of the launch: times are from it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double t0;
static char *out;
static size_t out_len, out_cap;
static char verifier_log[1 << 16];

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Lines are kept in memory and written at exit: no I/O while timing. */
static void emit(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n >= (int)sizeof(line))
        n = sizeof(line) - 1;
    if (out_len + n + 1 > out_cap) {
        size_t cap = (out_cap + n + 1) * 2;
        char *grown = realloc(out, cap);
        if (!grown)
            return;
        out = grown;
        out_cap = cap;
    }
    memcpy(out + out_len, line, n);
    out_len += n;
    out[out_len] = 0;
}

__attribute__((constructor)) static void start(void)
{
    const char *launch = getenv("BPF_TIMELINE_T0");
    t0 = launch ? atof(launch) : now_ms();
    emit("%8.2f main\n", now_ms() - t0);
}

__attribute__((destructor)) static void finish(void)
{
    const char *path = getenv("BPF_TIMELINE_OUT");
    FILE *f = path && out ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fputs(out, f);
    fputs("----\n", f);
    fclose(f);
}

static const char *command_name(int cmd)
{
    switch (cmd) {
    case BPF_MAP_CREATE:
        return "MAP_CREATE";
    case BPF_PROG_LOAD:
        return "PROG_LOAD";
    case BPF_BTF_LOAD:
        return "BTF_LOAD";
    case BPF_LINK_CREATE:
        return "LINK_CREATE";
    case BPF_RAW_TRACEPOINT_OPEN:
        return "RAW_TP_OPEN";
    case BPF_MAP_FREEZE:
        return "MAP_FREEZE";
    case BPF_PROG_BIND_MAP:
        return "PROG_BIND_MAP";
    default:
        return "other";
    }
}

/* "processed N insns ... " and the verification time, from a level-4 log. */
static void add_stats(char *detail, size_t len)
{
    char *processed = strstr(verifier_log, "processed");
    char *vtime = strstr(verifier_log, "verification time");
    size_t used = strlen(detail);
    if (processed) {
        char *end = strchr(processed, '\n');
        int n = end ? (int)(end - processed) : (int)strlen(processed);
        snprintf(detail + used, len - used, " | vtime=%ldus %.*s", vtime ? atol(vtime + 18) : -1L, n,
                 processed);
    }
}

long syscall(long nr, ...)
{
    static long (*real)(long, ...);
    if (!real)
        real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    va_list ap;
    va_start(ap, nr);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (nr != __NR_bpf)
        return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

    int cmd = (int)a[0];
    union bpf_attr *attr = (union bpf_attr *)a[1];
    int stats = cmd == BPF_PROG_LOAD && attr->log_level == 0 && getenv("BPF_TIMELINE_STATS");
    if (stats) {
        attr->log_level = 4;
        attr->log_buf = (unsigned long)verifier_log;
        attr->log_size = sizeof(verifier_log);
        verifier_log[0] = 0;
    }
    double begin = now_ms();
    long ret = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    double end = now_ms();
    char detail[700] = "";
    if (cmd == BPF_PROG_LOAD)
        snprintf(detail, sizeof(detail), "%s insns=%u type=%u", attr->prog_name, attr->insn_cnt,
                 attr->prog_type);
    else if (cmd == BPF_MAP_CREATE)
        snprintf(detail, sizeof(detail), "%s type=%u entries=%u value=%u flags=%#x", attr->map_name,
                 attr->map_type, attr->max_entries, attr->value_size, attr->map_flags);
    if (stats) {
        add_stats(detail, sizeof(detail));
        attr->log_level = 0;
        attr->log_buf = 0;
        attr->log_size = 0;
    }
    emit("%8.2f %7.2f %-13s r=%ld %s\n", begin - t0, end - begin, command_name(cmd), ret, detail);
    return ret;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (fd == 2 && n > 14 && memcmp(buf, "thief: tracing", 14) == 0)
        emit("%8.2f ATTACHED\n", now_ms() - t0);
    return real(fd, buf, n);
}
