/*
 * thief_sys.c - process, signal, affinity and clock helpers. Each lives in
 * C for a reason given in thief_sys.h; none calls libbpf.
 */
#define _GNU_SOURCE
#include "thief_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static __thread char last_error[256];

static int fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
    return err < 0 ? err : -err;
}

const char *thief_sys_last_error(void)
{
    return last_error;
}

/* ---- a child held before exec ---- */

/* What the child writes on the error pipe when a step fails. */
enum spawn_step { STEP_EXEC, STEP_SETGROUPS, STEP_SETGID, STEP_SETUID, STEP_REGAIN };

struct spawn_failure {
    int step;
    int err;
    unsigned int id;
};

static void _Noreturn child_fail(int fd, int step, int err, unsigned int id)
{
    struct spawn_failure f = {step, err, id};
    ssize_t w = write(fd, &f, sizeof(f));
    (void)w;
    _exit(127);
}

/* In the child: become as->uid for good. Groups first, then the gid, then
 * the uid (after setuid there is no right left to change the other two);
 * then make sure the way back is closed. Async-signal-safe calls only. */
static void child_drop(const thief_run_as *as, int fd)
{
    if (setgroups((size_t)as->ngroups, as->groups) != 0)
        child_fail(fd, STEP_SETGROUPS, errno, (unsigned int)as->uid);
    if (setresgid(as->gid, as->gid, as->gid) != 0)
        child_fail(fd, STEP_SETGID, errno, (unsigned int)as->gid);
    if (setresuid(as->uid, as->uid, as->uid) != 0)
        child_fail(fd, STEP_SETUID, errno, (unsigned int)as->uid);
    if (as->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
        child_fail(fd, STEP_REGAIN, EPERM, 0);
    if (as->gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
        child_fail(fd, STEP_REGAIN, EPERM, 0);
    if (getuid() != as->uid || geteuid() != as->uid || getgid() != as->gid || getegid() != as->gid)
        child_fail(fd, STEP_REGAIN, EPERM, 1);
}

int thief_spawn_paused(char *const argv[], char *const envp[], const thief_run_as *as, pid_t *pid, int *go_fd,
                       int *err_fd)
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
        close(go[0]);
        close(go[1]);
        close(er[0]);
        close(er[1]);
        return fail(-e, "fork: %s", strerror(e));
    }
    if (child == 0) {
        /* Only async-signal-safe calls from here to exec. A process group of
         * its own, so that the run's end reaches what the command started too. */
        setpgid(0, 0);
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_DFL;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGPIPE, &sa, NULL);
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
        if (as)
            child_drop(as, er[1]);
        execvpe(argv[0], argv, envp ? envp : environ);
        child_fail(er[1], STEP_EXEC, errno, 0);
    }
    setpgid(child, child); /* both sides: whichever runs first */
    close(go[0]);
    close(er[1]);
    *pid = child;
    *go_fd = go[1];
    *err_fd = er[0];
    return 0;
}

int thief_tty_give(pid_t pgid)
{
    if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
        return 0;
    return tcsetpgrp(STDIN_FILENO, pgid) == 0;
}

void thief_tty_take_back(void)
{
    /* thief is a background group now: tcsetpgrp would stop it with SIGTTOU. */
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &ttou, &old);
    if (tcsetpgrp(STDIN_FILENO, getpgrp()) != 0) {
        /* The terminal is gone or another job holds it: nothing to restore. */
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int thief_spawn_release(int go_fd, int err_fd)
{
    char c = 'g';
    ssize_t w = write(go_fd, &c, 1);
    (void)w;
    close(go_fd);
    struct spawn_failure f;
    ssize_t n;
    do {
        n = read(err_fd, &f, sizeof(f));
    } while (n < 0 && errno == EINTR);
    close(err_fd);
    if (n != (ssize_t)sizeof(f))
        return 0; /* closed on exec */
    switch (f.step) {
    case STEP_SETGROUPS:
        return fail(-f.err, "setgroups: %s", strerror(f.err));
    case STEP_SETGID:
        return fail(-f.err, "setgid(%u): %s", f.id, strerror(f.err));
    case STEP_SETUID:
        return fail(-f.err, "setuid(%u): %s", f.id, strerror(f.err));
    case STEP_REGAIN:
        return fail(-EPERM, "after dropping root it could become root again (%s); not running it",
                    f.id ? "its ids did not all change" : "setuid(0) or setgid(0) succeeded");
    default:
        return fail(-f.err, "%s", strerror(f.err));
    }
}

/* ---- stop signals ---- */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

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

int thief_signals_pending(void)
{
    return stop_signal;
}

static volatile sig_atomic_t usr1_signal;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_signal = 1;
}

void thief_signals_install_usr1(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int thief_signals_take_usr1(void)
{
    if (!usr1_signal)
        return 0;
    usr1_signal = 0;
    return 1;
}

/* ---- clock, affinity, thread name ---- */

void thief_malloc_trim(void)
{
    malloc_trim(0);
}

uint64_t thief_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int thief_die_with_parent(void)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        return fail(-errno, "prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
    /* The parent may have gone between fork and here. */
    return getppid() == 1 ? -ESRCH : 0;
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

void thief_set_thread_name(const char *name)
{
    prctl(PR_SET_NAME, name, 0, 0, 0);
}
