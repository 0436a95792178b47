/*
 * kernel_btf.h - the running kernel's BTF, read once per run for thief's own
 * questions (thief_probe.c: features; thief_bpf.c: which tracepoints exist;
 * core_btf.c: the types the object's CO-RE relocations need). Read-only and
 * lean: the file is held once as read, with an index of where each type
 * starts; libbpf's parse of the same file holds it twice.
 */
#ifndef THIEF_KERNEL_BTF_H
#define THIEF_KERNEL_BTF_H

#include <linux/btf.h>
#include <stddef.h>
#include <stdint.h>

struct kernel_btf;

/* The kernel's BTF, read at the first call; NULL (errno set) if it cannot be. */
const struct kernel_btf *kernel_btf(void);
/* Frees it: before bpf_object__load, so that the two never add up. */
void kernel_btf_release(void);

/* Type ids run from 1 to kernel_btf_count() - 1 (0 is void). */
uint32_t kernel_btf_count(const struct kernel_btf *kb);
/* Type `id`; NULL for void or an id out of range. */
const struct btf_type *kernel_btf_type(const struct kernel_btf *kb, uint32_t id);
/* The string at `off` of the string section; "" if out of range. */
const char *kernel_btf_name(const struct kernel_btf *kb, uint32_t off);
/* The bytes type `t` takes in the type section (its trailing records too);
 * 0 for a kind this reader does not know. */
size_t kernel_btf_type_size(const struct btf_type *t);
/* Finds each of names[0..n) among the types of `kind` in one pass over the
 * types: ids[i] is its id, or 0 if there is none. */
void kernel_btf_find_all(const struct kernel_btf *kb, int kind, const char *const *names, int n,
                         uint32_t *ids);
/* Skips const/volatile/restrict/type tags and typedefs: the type `id` stands
 * for, its id in *out (may be NULL); NULL if that is void or out of range. */
const struct btf_type *kernel_btf_skip_mods(const struct kernel_btf *kb, uint32_t id, uint32_t *out);

#endif /* THIEF_KERNEL_BTF_H */
