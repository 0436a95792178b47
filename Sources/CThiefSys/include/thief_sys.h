/*
 * thief_sys.h - the few process, signal, affinity and clock helpers thief
 * keeps in C. No libbpf here (that is CThiefBPF). Functions that can fail
 * return 0 or a negative errno; a message for the last failure is in
 * thief_sys_last_error().
 */
#ifndef THIEF_SYS_H
#define THIEF_SYS_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Who a launched command becomes before exec: resolved by the caller before
 * the fork (getpwnam, getgrouplist and the like are not async-signal-safe). */
typedef struct thief_run_as {
    uid_t uid;
    gid_t gid;
    /* Its supplementary groups (setgroups), ngroups of them. */
    const gid_t *groups;
    int ngroups;
} thief_run_as;

/* Fork a child that waits on a pipe before exec'ing argv (PATH searched).
 * envp: the command's environment (NULL: thief's). as: NULL keeps thief's
 * identity; else the child sets the groups, then the gid, then the uid, and
 * checks it cannot become root again, after it is released and before exec.
 * *go_fd releases it, *err_fd reports a failure of that or of exec.
 * In C because between fork and exec the child may only make
 * async-signal-safe calls: Swift's runtime (allocation, locks) is not. */
int thief_spawn_paused(char *const argv[], char *const envp[], const thief_run_as *as, pid_t *pid, int *go_fd,
                       int *err_fd);
/* Release the child; 0 if it exec'd, else a negative errno and a message
 * naming the step that failed ("exec: …", "setuid(1000): …") in
 * thief_sys_last_error(). */
int thief_spawn_release(int go_fd, int err_fd);

/* The launched command runs in a process group of its own (so the run's end
 * reaches what it started). When thief is the terminal's foreground job, that
 * group is given the terminal, as a shell does with a job: the command can
 * read it (a background group would be stopped by SIGTTIN) and Ctrl+C
 * reaches it. Returns 1 if it was given, 0 if thief had no terminal to give.
 * thief_tty_take_back() makes thief's own group the foreground again. */
int thief_tty_give(pid_t pgid);
void thief_tty_take_back(void);

/* SIGINT/SIGTERM/SIGHUP set a flag instead of killing thief.
 * In C because a signal handler must be async-signal-safe and store to a
 * volatile sig_atomic_t: a Swift closure as handler is neither. */
void thief_signals_install(void);
/* The signal that asked thief to stop, or 0. */
int thief_signals_pending(void);
/* SIGUSR1 sets a flag too (thief watch: a capture on demand); taking it clears it.
 * Returns 1 if SIGUSR1 came since the last take, else 0. */
void thief_signals_install_usr1(void);
int thief_signals_take_usr1(void);

/* SIGKILL the caller when the thread that forked it ends (PR_SET_PDEATHSIG):
 * a helper process that must not outlive thief however thief ends. */
int thief_die_with_parent(void);

/* Pin thread tid (0 = caller) to one CPU, or to a mask of CPUs (bit i = CPU i).
 * In C because cpu_set_t and CPU_SET are macros Swift does not import. */
int thief_pin_cpu(pid_t tid, int cpu);
int thief_set_affinity_mask(pid_t tid, uint64_t mask);
/* Name the calling thread (comm).
 * In C because prctl is variadic, which Swift does not import. */
void thief_set_thread_name(const char *name);
/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns, so user-space times
 * compare with the records' stamps. In C: one call, no timespec in Swift. */
uint64_t thief_monotonic_ns(void);

/* Gives the allocator's free pages back to the system (glibc malloc_trim(0)):
 * thief watch after each capture, whose replay freed megabytes in its thread's arena. */
void thief_malloc_trim(void);

/* The message of the last failure in this thread (never NULL). */
const char *thief_sys_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* THIEF_SYS_H */
