/*
 * kernel_btf.h - the running kernel's BTF, parsed once for thief's own
 * questions (thief_probe.c: features; thief_bpf.c: which tracepoints exist).
 */
#ifndef THIEF_KERNEL_BTF_H
#define THIEF_KERNEL_BTF_H

struct btf;

/* The kernel's BTF, parsed at the first call; NULL (errno set) if it cannot be. */
const struct btf *kernel_btf(void);
/* Frees it: before bpf_object__load, which parses its own copy. */
void kernel_btf_release(void);

#endif /* THIEF_KERNEL_BTF_H */
