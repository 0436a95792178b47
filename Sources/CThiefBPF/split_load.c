/*
 * split_load.c - the side object's open and load on a thread of its own
 * (split_load.h).
 */
#include "split_load.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The side thread's stack, mapped here so that it is unmapped at the join:
 * glibc keeps the stacks it makes for later threads, touched pages and all,
 * and they would count in thief's RSS for the whole run. libbpf's load needs
 * a few tens of KB; below it, a page that faults on an overflow. */
#define SPLIT_STACK (1u << 20)

enum split_state {
    SPLIT_WAITING = 0,
    SPLIT_MAPS_READY = 1,
    SPLIT_CANCELLED = 2,
};

static struct bpf_program *program_of(struct bpf_object *obj, const char *section)
{
    struct bpf_program *prog;
    bpf_object__for_each_program (prog, obj)
        if (strcmp(bpf_program__section_name(prog), section) == 0)
            return prog;
    return NULL;
}

/* The side as `from` was opened, with only `section` to load. */
static int open_side(struct split_load *s)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = bpf_object__name(s->from),
                .btf_custom_path = s->btf_path);
    struct bpf_object *side = bpf_object__open_mem(s->object, s->len, &opts);
    if (!side)
        return -errno;
    struct bpf_program *prog;
    bpf_object__for_each_program (prog, side)
        bpf_program__set_autoload(prog, strcmp(bpf_program__section_name(prog), s->section) == 0);
    s->side = side;
    return 0;
}

/* The side's maps become `from`'s: both objects come from one ELF, so their
 * maps are the same, in the same order. */
static int take_maps(struct split_load *s)
{
    struct bpf_map *theirs = bpf_object__next_map(s->from, NULL);
    struct bpf_map *ours = bpf_object__next_map(s->side, NULL);
    for (; theirs && ours;
         theirs = bpf_object__next_map(s->from, theirs), ours = bpf_object__next_map(s->side, ours)) {
        int err = bpf_map__reuse_fd(ours, bpf_map__fd(theirs));
        if (err)
            return err;
    }
    return theirs || ours ? -EINVAL : 0;
}

static int wait_maps(struct split_load *s)
{
    pthread_mutex_lock(&s->lock);
    while (s->state == SPLIT_WAITING)
        pthread_cond_wait(&s->cond, &s->lock);
    int ready = s->state == SPLIT_MAPS_READY;
    pthread_mutex_unlock(&s->lock);
    return ready ? 0 : -ECANCELED;
}

static void *run(void *arg)
{
    struct split_load *s = arg;
    int err = open_side(s);
    err = wait_maps(s) ?: err; /* waits even if the open failed: `from` may still use the maps */
    err = err ?: take_maps(s);
    s->err = err ?: bpf_object__load(s->side);
    return NULL;
}

/* The thread, on a stack of its own (SPLIT_STACK). 0, or the thread did
 * not start. */
static int start_thread(struct split_load *s)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    s->stack = mmap(NULL, SPLIT_STACK + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                    -1, 0);
    if (s->stack == MAP_FAILED) {
        s->stack = NULL;
        return -1;
    }
    pthread_attr_t attr;
    int err = mprotect(s->stack, page, PROT_NONE) || pthread_attr_init(&attr);
    if (!err) {
        err = pthread_attr_setstack(&attr, (char *)s->stack + page, SPLIT_STACK) ||
              pthread_create(&s->thread, &attr, run, s);
        pthread_attr_destroy(&attr);
    }
    if (err) {
        munmap(s->stack, SPLIT_STACK + page);
        s->stack = NULL;
    }
    return err ? -1 : 0;
}

void split_load_start(struct split_load *s)
{
    struct bpf_program *prog = program_of(s->from, s->section);
    if (prog)
        bpf_program__set_autoload(prog, 0);
    s->side = NULL;
    s->state = SPLIT_WAITING;
    s->err = 0;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    /* One malloc arena for both threads: what the side's load frees is
     * reused by the run, instead of staying resident in an arena of its
     * own (~400 KB). thief has no other thread that allocates. */
    mallopt(M_ARENA_MAX, 1);
    s->started = start_thread(s) == 0;
}

static void set_state(struct split_load *s, int state)
{
    pthread_mutex_lock(&s->lock);
    if (s->state == SPLIT_WAITING) {
        s->state = state;
        pthread_cond_signal(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
}

void split_load_maps_ready(struct split_load *s)
{
    set_state(s, SPLIT_MAPS_READY);
}

int split_load_join(struct split_load *s, int from_err)
{
    /* Nothing, if the maps were ready; else they are now, or never. */
    int state = from_err ? SPLIT_CANCELLED : SPLIT_MAPS_READY;
    if (s->started) {
        set_state(s, state);
        pthread_join(s->thread, NULL);
        munmap(s->stack, SPLIT_STACK + (size_t)sysconf(_SC_PAGESIZE));
        s->stack = NULL;
    } else { /* no thread: the side opens and loads now, after `from` */
        s->state = state;
        run(s);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    return s->err;
}

struct bpf_program *split_load_program(const struct split_load *s)
{
    return s->side && s->err == 0 ? program_of(s->side, s->section) : NULL;
}
