/*
 * kernel_btf.c - the kernel's BTF, read once per run. /sys/kernel/btf/vmlinux
 * (5.4 MB on 6.18) is mapped (6.16+) or else read (4 KiB per read from
 * sysfs: 7-18 ms here) into one buffer, and indexed (4 bytes a type);
 * nothing is copied. libbpf's parse
 * (btf__parse) reads it into a buffer and copies it into another, ~11 MB at
 * its peak. thief's questions and the small BTF it hands libbpf for the
 * object's CO-RE relocations (core_btf.c) come from this one read, freed
 * before bpf_object__load, which then never reads the kernel's BTF itself.
 */
#include "kernel_btf.h"

#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define KERNEL_BTF_PATH "/sys/kernel/btf/vmlinux"

struct kernel_btf {
    char *data; /* the whole file */
    size_t len;
    int mapped; /* data is mmapped (else malloc'd) */
    const char *types;
    uint32_t types_len;
    const char *strs;
    uint32_t strs_len;
    uint32_t count; /* type ids: 0 (void) .. count - 1 */
    uint32_t *offs; /* offs[id]: where type id starts in types (id >= 1) */
};

static struct kernel_btf *cached;

size_t kernel_btf_type_size(const struct btf_type *t)
{
    size_t base = sizeof(struct btf_type), vlen = btf_vlen(t);
    switch (btf_kind(t)) {
    case BTF_KIND_INT:
        return base + sizeof(uint32_t);
    case BTF_KIND_PTR:
    case BTF_KIND_FWD:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
        return base;
    case BTF_KIND_ARRAY:
        return base + sizeof(struct btf_array);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
        return base + vlen * sizeof(struct btf_member);
    case BTF_KIND_ENUM:
        return base + vlen * sizeof(struct btf_enum);
    case BTF_KIND_ENUM64:
        return base + vlen * sizeof(struct btf_enum64);
    case BTF_KIND_FUNC_PROTO:
        return base + vlen * sizeof(struct btf_param);
    case BTF_KIND_VAR:
        return base + sizeof(struct btf_var);
    case BTF_KIND_DATASEC:
        return base + vlen * sizeof(struct btf_var_secinfo);
    case BTF_KIND_DECL_TAG:
        return base + sizeof(struct btf_decl_tag);
    default:
        return 0;
    }
}

/* The whole file: mapped where the kernel lets it be (6.16+: its pages are
 * the kernel's own, mapped read-only, so neither copied nor counted in
 * thief's RSS), else read into one buffer (sysfs gives its size). */
static char *load_whole(const char *path, size_t *len, int *mapped)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *buf = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    *mapped = buf != MAP_FAILED;
    buf = *mapped ? buf : malloc(size);
    while (buf && !*mapped && got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    int err = !buf ? ENOMEM : (!*mapped && got < size) ? EIO : 0;
    close(fd);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    *len = size;
    return buf;
}

/* Walks the type section, noting where each type starts, and counts them.
 * -EINVAL if a type runs past the end or is of a kind not known. */
static int walk(struct kernel_btf *kb, uint32_t *offs, uint32_t *count)
{
    uint32_t off = 0, n = 1;
    while (off < kb->types_len) {
        const struct btf_type *t = (const void *)(kb->types + off);
        size_t size = kb->types_len - off >= sizeof(*t) ? kernel_btf_type_size(t) : 0;
        if (size == 0 || size > kb->types_len - off)
            return -EINVAL;
        offs[n] = off;
        n++;
        off += (uint32_t)size;
    }
    *count = n;
    return 0;
}

/* Checks the header and indexes the types. */
static int index_types(struct kernel_btf *kb, size_t len)
{
    const struct btf_header *h = (const void *)kb->data;
    if (len < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) || h->hdr_len > len)
        return -EINVAL;
    size_t body = len - h->hdr_len;
    if ((size_t)h->type_off + h->type_len > body || (size_t)h->str_off + h->str_len > body ||
        h->type_off % 4 || h->str_len == 0)
        return -EINVAL;
    kb->types = kb->data + h->hdr_len + h->type_off;
    kb->types_len = h->type_len;
    kb->strs = kb->data + h->hdr_len + h->str_off;
    kb->strs_len = h->str_len;
    if (kb->strs[kb->strs_len - 1] != 0)
        return -EINVAL;
    /* One walk, into room for the most types the section can hold (each
     * takes at least a struct btf_type): the pages past the last are never
     * touched, so they take no memory. */
    kb->offs = malloc(((size_t)kb->types_len / sizeof(struct btf_type) + 1) * sizeof(*kb->offs));
    return kb->offs ? walk(kb, kb->offs, &kb->count) : -ENOMEM;
}

const struct kernel_btf *kernel_btf(void)
{
    if (cached)
        return cached;
    struct kernel_btf *kb = calloc(1, sizeof(*kb));
    if (!kb || !(kb->data = load_whole(KERNEL_BTF_PATH, &kb->len, &kb->mapped))) {
        int err = kb ? errno : ENOMEM;
        free(kb);
        errno = err;
        return NULL;
    }
    int err = index_types(kb, kb->len);
    if (err) {
        cached = kb;
        kernel_btf_release();
        errno = -err;
        return NULL;
    }
    cached = kb;
    return cached;
}

void kernel_btf_release(void)
{
    if (!cached)
        return;
    free(cached->offs);
    if (cached->mapped)
        munmap(cached->data, cached->len);
    else
        free(cached->data);
    free(cached);
    cached = NULL;
}

uint32_t kernel_btf_count(const struct kernel_btf *kb)
{
    return kb->count;
}

const struct btf_type *kernel_btf_type(const struct kernel_btf *kb, uint32_t id)
{
    if (id == 0 || id >= kb->count)
        return NULL;
    return (const void *)(kb->types + kb->offs[id]);
}

const char *kernel_btf_name(const struct kernel_btf *kb, uint32_t off)
{
    return off < kb->strs_len ? kb->strs + off : "";
}

void kernel_btf_find_all(const struct kernel_btf *kb, int kind, const char *const *names, int n,
                         uint32_t *ids)
{
    memset(ids, 0, (size_t)n * sizeof(*ids));
    for (uint32_t id = 1; id < kb->count; id++) {
        const struct btf_type *t = kernel_btf_type(kb, id);
        if (btf_kind(t) != kind || t->name_off == 0)
            continue;
        const char *name = kernel_btf_name(kb, t->name_off);
        for (int i = 0; i < n; i++)
            if (!ids[i] && strcmp(name, names[i]) == 0)
                ids[i] = id;
    }
}

const struct btf_type *kernel_btf_skip_mods(const struct kernel_btf *kb, uint32_t id, uint32_t *out)
{
    const struct btf_type *t = kernel_btf_type(kb, id);
    /* A chain of modifiers is short; the bound only guards against a loop. */
    for (int hops = 0; t && hops < 64 && (btf_is_mod(t) || btf_is_typedef(t)); hops++) {
        id = t->type;
        t = kernel_btf_type(kb, id);
    }
    if (out)
        *out = id;
    return t;
}
