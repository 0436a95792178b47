/*
 * split_load.h - one BPF object's programs verified on two CPUs at once.
 *
 * The verifier is most of thief's start-up, and it checks one program at a
 * time on the loading thread: libbpf 1.1 loads an object's programs one
 * after another. So the object is opened twice from the same ELF. The first
 * (`from`) loads on the caller's thread and makes the maps. The second (the
 * side) holds one program, the one the verifier takes longest on
 * (sched_switch); on a thread of its own it is opened (beside the caller's
 * own work until `from` loads), takes `from`'s maps as its own
 * (bpf_map__reuse_fd: the same kernel maps, .rodata already frozen) and loads
 * beside the rest.
 */
#ifndef THIEF_SPLIT_LOAD_H
#define THIEF_SPLIT_LOAD_H

#include <bpf/libbpf.h>
#include <pthread.h>

struct split_load {
    /* Set by the caller before split_load_start. */
    const void *object; /* the ELF, and how `from` was opened */
    size_t len;
    const char *btf_path; /* bpf_object_open_opts.btf_custom_path, or NULL */
    const char *section;  /* the program the side loads */
    struct bpf_object *from;
    /* The side's. */
    struct bpf_object *side; /* NULL until its thread opened it */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int state;   /* enum split_state (split_load.c) */
    int err;     /* the side's open and load: 0 or a negative errno */
    int started; /* the thread runs */
    void *stack; /* its stack (split_load.c), unmapped at the join */
};

/* Takes `section` out of `from` and starts the side's thread: it opens the
 * side and waits for split_load_maps_ready. */
void split_load_start(struct split_load *s);
/* `from`'s maps exist (its first program is about to load): the side may
 * take them and load. Called more than once, it does nothing more. */
void split_load_maps_ready(struct split_load *s);
/* After `from`'s load (from_err: its result): waits for the side's. Its
 * result; -ECANCELED if `from` failed before making its maps. */
int split_load_join(struct split_load *s, int from_err);
/* The side's program of section `section` once split_load_join returned 0,
 * else NULL. */
struct bpf_program *split_load_program(const struct split_load *s);

#endif
