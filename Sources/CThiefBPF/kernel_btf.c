/*
 * kernel_btf.c - the kernel's BTF, parsed once per run. Each parse reads
 * /sys/kernel/btf/vmlinux (5.4 MB, 4 KiB per read from sysfs: 7-18 ms here)
 * and holds ~11 MB at its peak. The feature probe and the choice of programs
 * used to parse it once each, and libbpf parses it a third time inside
 * bpf_object__load (it takes no parsed copy from its caller): now thief's
 * two share one, freed before that load so that the two never add up.
 */
#include "kernel_btf.h"

#include <bpf/btf.h>
#include <stddef.h>

static struct btf *cached;

const struct btf *kernel_btf(void)
{
    if (!cached)
        cached = btf__load_vmlinux_btf();
    return cached;
}

void kernel_btf_release(void)
{
    btf__free(cached);
    cached = NULL;
}
