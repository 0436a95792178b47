/*
 * core_btf.h - the kernel's types that a BPF object's CO-RE relocations can
 * reach, and nothing else, as a small raw BTF for libbpf's btf_custom_path.
 */
#ifndef THIEF_CORE_BTF_H
#define THIEF_CORE_BTF_H

#include <stddef.h>

struct btf;
struct kernel_btf;

/* Writes to fd the BTF that relocates the object (its ELF image `elf`, its
 * BTF `local`) exactly as the kernel's whole BTF would: 0, or a negative
 * errno (-EOPNOTSUPP: a relocation of a kind this cannot serve; then libbpf
 * must have the kernel's BTF). */
int core_btf_write(const struct kernel_btf *kb, const struct btf *local, const void *elf, size_t elf_len,
                   int fd);

#endif /* THIEF_CORE_BTF_H */
