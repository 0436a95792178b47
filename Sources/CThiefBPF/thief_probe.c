/*
 * thief_probe.c - what the running kernel can do, asked of the kernel itself
 * (a map it creates, a program it verifies, its BTF), never guessed from the
 * version string: distributions backport.
 */
#include "thief_bpf.h"
#include "kernel_btf.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <unistd.h>

/* Does struct `type` in the kernel's BTF have a member `member`? */
static int has_member(const struct kernel_btf *vmlinux, const char *type, const char *member)
{
    uint32_t id;
    kernel_btf_find_all(vmlinux, BTF_KIND_STRUCT, &type, 1, &id);
    const struct btf_type *t = kernel_btf_type(vmlinux, id);
    if (!t)
        return 0;
    const struct btf_member *m = btf_members(t);
    for (unsigned short i = 0; i < btf_vlen(t); i++, m++)
        if (strcmp(kernel_btf_name(vmlinux, m->name_off), member) == 0)
            return 1;
    return 0;
}

/* A program with a BPF_CMPXCHG on its stack: the atomics of 5.12 (commit
 * 5ffa25502b5a "bpf: Add instructions for atomic_[cmp]xchg"), which the
 * kernel side's __sync_val_compare_and_swap and fetch-adds compile to.
 * Older verifiers refuse any atomic but BPF_ADD. */
static int has_atomics(void)
{
    struct bpf_insn insns[] = {
        {.code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = -8, .imm = 0},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1},
        {.code = BPF_STX | BPF_ATOMIC | BPF_DW,
         .dst_reg = BPF_REG_10,
         .src_reg = BPF_REG_1,
         .off = -8,
         .imm = BPF_CMPXCHG},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "thief_atomics", "GPL", insns,
                           sizeof(insns) / sizeof(insns[0]), NULL);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

int thief_bpf_probe_features(thief_bpf_features *out)
{
    memset(out, 0, sizeof(*out));
    out->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
    out->atomics = has_atomics();
    /* Kept for thief_bpf_open, which frees it (kernel_btf.c). */
    const struct kernel_btf *vmlinux = kernel_btf();
    if (!vmlinux)
        return 0;
    out->btf = 1;
    out->throttled_clock = has_member(vmlinux, "cfs_rq", "throttled_clock_self_time");
    out->steal_clock = has_member(vmlinux, "rq", "prev_steal_time");
    return 0;
}
