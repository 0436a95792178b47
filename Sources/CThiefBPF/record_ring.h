/*
 * record_ring.h - the consumer's side of the ring buffer of records (the
 * "events" map), with its data pages mapped once.
 */
#ifndef THIEF_RECORD_RING_H
#define THIEF_RECORD_RING_H

#include <stddef.h>

typedef int (*record_ring_fn)(void *ctx, void *data, size_t size);
struct record_ring;

/* Maps ring buffer map map_fd for reading; NULL (errno set) if it cannot. */
struct record_ring *record_ring_new(int map_fd, record_ring_fn fn, void *ctx);
/* Waits up to timeout_ms for records: 0 or -errno (-EINTR at a signal). */
int record_ring_wait(struct record_ring *r, int timeout_ms);
/* Hands every committed sample to fn, in order: how many, or fn's negative return. */
int record_ring_drain(struct record_ring *r);
void record_ring_free(struct record_ring *r);

#endif /* THIEF_RECORD_RING_H */
