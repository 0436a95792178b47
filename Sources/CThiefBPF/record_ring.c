/*
 * record_ring.c - the consumer of the BPF ring buffer, as libbpf's
 * ring_buffer (same protocol: samples in order, a header's busy bit means
 * not committed yet, the consumer position is published after each sample),
 * with one difference: the data pages are mapped once. libbpf maps them
 * twice in a row, so that a sample running past the end reads as one piece;
 * but the kernel fills every page of such a mapping at mmap time, so each
 * MiB of ring cost 2 MiB of thief's resident memory (8 MiB of its 28 for
 * the 4 MiB ring). Here the rare sample that runs past the end (at most one
 * per lap of the ring) is copied whole into a small buffer first.
 */
#include "record_ring.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <sys/epoll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct record_ring {
    int epoll_fd; /* the map's fd in an epoll set, as libbpf has it (see record_ring_wait) */
    size_t page;
    size_t size;                 /* data bytes: a power of two */
    unsigned long *consumer_pos; /* page 0: the only one the consumer may write */
    void *ro;                    /* the producer's page, then the data: read-only */
    unsigned long *producer_pos;
    char *data;
    char *bounce; /* a sample that runs past the end, made whole */
    size_t bounce_len;
    record_ring_fn fn;
    void *ctx;
};

struct record_ring *record_ring_new(int map_fd, record_ring_fn fn, void *ctx)
{
    struct bpf_map_info info;
    uint32_t len = sizeof(info);
    memset(&info, 0, sizeof(info));
    if (bpf_obj_get_info_by_fd(map_fd, &info, &len) != 0)
        return NULL;
    struct record_ring *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->fn = fn;
    r->ctx = ctx;
    r->page = (size_t)sysconf(_SC_PAGESIZE);
    r->size = info.max_entries;
    void *c = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
    void *p = c == MAP_FAILED ? MAP_FAILED
                              : mmap(NULL, r->page + r->size, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
    struct epoll_event ev = {.events = EPOLLIN};
    r->epoll_fd = p == MAP_FAILED ? -1 : epoll_create1(EPOLL_CLOEXEC);
    if (r->epoll_fd < 0 || epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, map_fd, &ev) != 0) {
        int err = errno;
        if (r->epoll_fd >= 0)
            close(r->epoll_fd);
        if (p != MAP_FAILED)
            munmap(p, r->page + r->size);
        if (c != MAP_FAILED)
            munmap(c, r->page);
        free(r);
        errno = err;
        return NULL;
    }
    r->consumer_pos = c;
    r->ro = p;
    r->producer_pos = p;
    r->data = (char *)p + r->page;
    return r;
}

/* Records come without a wake-up (BPF_RB_NO_WAKEUP), so once the ring has
 * been found empty epoll waits out the timeout, the consumer's drain timer
 * (poll(2) would return at once whenever a record is pending: at a million
 * records a second the consumer would spin instead of draining in batches). */
int record_ring_wait(struct record_ring *r, int timeout_ms)
{
    struct epoll_event ev;
    return epoll_wait(r->epoll_fd, &ev, 1, timeout_ms) < 0 ? -errno : 0;
}

/* A header and its sample, 8-byte aligned, as the kernel lays them out. */
static uint32_t stride(uint32_t len)
{
    len &= ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    return (len + BPF_RINGBUF_HDR_SZ + 7) & ~7u;
}

/* The sample whose header is at data offset off, in one piece; NULL if the
 * buffer for one that runs past the end cannot grow. */
static void *sample_at(struct record_ring *r, size_t off, uint32_t len)
{
    size_t start = (off + BPF_RINGBUF_HDR_SZ) & (r->size - 1);
    if (start + len <= r->size)
        return r->data + start;
    if (len > r->bounce_len) {
        char *b = realloc(r->bounce, len);
        if (!b)
            return NULL;
        r->bounce = b;
        r->bounce_len = len;
    }
    size_t first = r->size - start;
    memcpy(r->bounce, r->data + start, first);
    memcpy(r->bounce + first, r->data, len - first);
    return r->bounce;
}

int record_ring_drain(struct record_ring *r)
{
    int n = 0;
    unsigned long cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
    for (;;) {
        unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
        if (cons >= prod)
            return n;
        while (cons < prod) {
            size_t off = cons & (r->size - 1); /* a header never runs past the end: 8-byte aligned */
            uint32_t len = __atomic_load_n((uint32_t *)(r->data + off), __ATOMIC_ACQUIRE);
            if (len & BPF_RINGBUF_BUSY_BIT)
                return n; /* reserved, not committed yet */
            unsigned long next = cons + stride(len);
            if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
                void *sample = sample_at(r, off, len);
                if (!sample)
                    return -ENOMEM;
                int err = r->fn(r->ctx, sample, len);
                if (err < 0) {
                    __atomic_store_n(r->consumer_pos, next, __ATOMIC_RELEASE);
                    return err;
                }
                n++;
            }
            cons = next;
            __atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
        }
    }
}

void record_ring_free(struct record_ring *r)
{
    if (!r)
        return;
    close(r->epoll_fd);
    munmap(r->consumer_pos, r->page);
    munmap(r->ro, r->page + r->size);
    free(r->bounce);
    free(r);
}
