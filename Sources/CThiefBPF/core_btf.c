/*
 * core_btf.c - the small BTF that relocates the object as the kernel's whole
 * BTF would, built from thief's one read of it (kernel_btf.c) and handed to
 * libbpf as btf_custom_path. Without it libbpf 1.1 parses the 5.4 MB file
 * itself inside bpf_object__load (~11 MB for a moment: the run's peak of
 * memory, and 7-18 ms). The idea is bpftool's `gen min_core_btf`; the code
 * is thief's own.
 *
 * libbpf relocates each field access (relo_core.c) by: the candidates, the
 * kernel's types of the root's kind whose name without a ___flavour suffix
 * is the root's; then for each named member on the access path, the first
 * member of that name in the candidate, searched depth first through
 * anonymous struct/union members, its type checked for kind against the
 * local one; arrays by index. The result is the member's offset and its
 * type's size, kind and encoding. So this keeps: every candidate; in a
 * struct/union, the members a local member of the same name would find
 * (through their anonymous parents, at their offsets), and the last member,
 * since a zero-length array is a flexible one only there; struct sizes;
 * ints, enums, floats and the typedef/modifier chains whole; a pointer as a
 * pointer (to void: no relocation looks through one). Members are matched
 * against every member the local types declare, a superset of the paths
 * the relocations take, so no path can miss a member it would have found.
 * Relocations whose answer would change with a smaller BTF (a target type
 * id; type matches, existence and size) are refused: then libbpf reads the
 * kernel's BTF as before.
 */
#include "core_btf.h"
#include "kernel_btf.h"

#include <bpf/btf.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The header of .BTF.ext, as the compiler writes it (libbpf keeps its own
 * definition private). */
struct ext_header {
    uint16_t magic;
    uint8_t version;
    uint8_t flags;
    uint32_t hdr_len;
    uint32_t func_info_off, func_info_len;
    uint32_t line_info_off, line_info_len;
    uint32_t core_relo_off, core_relo_len;
};

/* A kernel type to write: its new id, and for a struct/union the members
 * kept (a bit each; NULL: none, its size only). */
struct kept {
    uint32_t kid, nid;
    uint8_t *members;
};

struct builder {
    const struct kernel_btf *kb;
    const struct btf *local;
    struct kept *kept;
    uint32_t nkept, cap;
    uint32_t (*pairs)[2]; /* (local, kernel) composites matched already */
    uint32_t npairs, pairs_cap;
    char *types, *strs;
    size_t types_len, types_cap, strs_len, strs_cap;
};

/* Grows *buf (of *cap bytes) to hold `need`. */
static int reserve(void *buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    void *p = realloc(*(void **)buf, n);
    if (!p)
        return -ENOMEM;
    *(void **)buf = p;
    *cap = n;
    return 0;
}

/* libbpf's rule for a flavour: "name___flavour" stands for "name", where the
 * separator is three underscores between two other characters (the last
 * such). The length of the name without it. */
static size_t essential_len(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
        if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' &&
            name[i + 4] != '_')
            return i + 1;
    return n;
}

/* The section `name` of the ELF image; NULL if it has none. */
static const char *elf_section(const void *elf, size_t len, const char *name, size_t *size)
{
    const Elf64_Ehdr *eh = elf;
    if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
        (len - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum || eh->e_shstrndx >= eh->e_shnum)
        return NULL;
    const Elf64_Shdr *sh = (const void *)((const char *)elf + eh->e_shoff);
    const Elf64_Shdr *names = &sh[eh->e_shstrndx];
    if (names->sh_offset > len || names->sh_size > len - names->sh_offset)
        return NULL;
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_name >= names->sh_size || sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)
            continue;
        const char *sname = (const char *)elf + names->sh_offset + sh[i].sh_name;
        if (strnlen(sname, names->sh_size - sh[i].sh_name) < names->sh_size - sh[i].sh_name &&
            strcmp(sname, name) == 0) {
            *size = sh[i].sh_size;
            return (const char *)elf + sh[i].sh_offset;
        }
    }
    return NULL;
}

/* Can a smaller BTF answer relocations of this kind as the whole one would? */
static int kind_served(uint32_t kind)
{
    return kind <= BPF_CORE_FIELD_RSHIFT_U64 || kind == BPF_CORE_TYPE_ID_LOCAL ||
           kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

/* The local root types of the CO-RE relocations in .BTF.ext, each once,
 * into roots (room for `cap`): how many, or a negative errno. */
static int relo_roots(const void *elf, size_t len, uint32_t *roots, int cap)
{
    size_t size = 0;
    const char *ext = elf_section(elf, len, ".BTF.ext", &size);
    const struct ext_header *h = (const void *)ext;
    if (!ext || size < offsetof(struct ext_header, core_relo_off) || h->hdr_len > size)
        return 0; /* no relocations at all */
    if (h->hdr_len < sizeof(*h) || h->core_relo_len == 0)
        return 0;
    if (h->core_relo_off > size - h->hdr_len || h->core_relo_len > size - h->hdr_len - h->core_relo_off)
        return -EINVAL;
    const char *p = ext + h->hdr_len + h->core_relo_off, *end = p + h->core_relo_len;
    uint32_t rec_size;
    if (end - p < 4 || (memcpy(&rec_size, p, 4), rec_size < sizeof(struct bpf_core_relo)))
        return -EINVAL;
    int n = 0;
    for (p += 4; end - p >= 8;) {
        uint32_t sec[2];
        memcpy(sec, p, sizeof(sec));
        p += sizeof(sec);
        if ((size_t)(end - p) / rec_size < sec[1])
            return -EINVAL;
        for (uint32_t i = 0; i < sec[1]; i++, p += rec_size) {
            struct bpf_core_relo r;
            memcpy(&r, p, sizeof(r));
            if (!kind_served(r.kind))
                return -EOPNOTSUPP;
            int seen = r.kind == BPF_CORE_TYPE_ID_LOCAL; /* answered from the object's own BTF */
            for (int j = 0; j < n && !seen; j++)
                seen = roots[j] == r.type_id;
            if (seen)
                continue;
            if (n == cap)
                return -E2BIG;
            roots[n++] = r.type_id;
        }
    }
    return n;
}

static struct kept *find_kept(struct builder *b, uint32_t kid)
{
    for (uint32_t i = 0; i < b->nkept; i++)
        if (b->kept[i].kid == kid)
            return &b->kept[i];
    return NULL;
}

/* Kernel type kid is to be written: its entry (new id assigned in order). */
static struct kept *keep(struct builder *b, uint32_t kid)
{
    struct kept *k = find_kept(b, kid);
    if (k)
        return k;
    size_t cap = b->cap * sizeof(*b->kept);
    if (reserve(&b->kept, &cap, (b->nkept + 1) * sizeof(*b->kept)))
        return NULL;
    b->cap = (uint32_t)(cap / sizeof(*b->kept));
    k = &b->kept[b->nkept++];
    *k = (struct kept){.kid = kid, .nid = b->nkept};
    return k;
}

/* Keeps member i of kernel struct/union kid (and so the type). */
static int keep_member(struct builder *b, uint32_t kid, uint32_t i)
{
    const struct btf_type *t = kernel_btf_type(b->kb, kid);
    struct kept *k = keep(b, kid);
    if (!k)
        return -ENOMEM;
    if (!k->members && !(k->members = calloc(btf_vlen(t) / 8 + 1, 1)))
        return -ENOMEM;
    k->members[i / 8] |= (uint8_t)(1u << (i % 8));
    /* The last member too: a zero-length array is flexible only there. */
    k->members[(btf_vlen(t) - 1) / 8] |= (uint8_t)(1u << ((btf_vlen(t) - 1) % 8));
    return 0;
}

static const struct btf_type *local_skip_mods(const struct btf *btf, uint32_t id, uint32_t *out)
{
    const struct btf_type *t = btf__type_by_id(btf, id);
    for (int hops = 0; t && id && hops < 64 && (btf_is_mod(t) || btf_is_typedef(t)); hops++) {
        id = t->type;
        t = btf__type_by_id(btf, id);
    }
    *out = id;
    return id ? t : NULL;
}

/* The first member named `name` of kernel struct/union kid, depth first
 * through anonymous ones, as libbpf searches: kept, with the anonymous
 * members on the way; its type in *type. 1 found, 0 not, or -errno. */
static int find_member(struct builder *b, uint32_t kid, const char *name, uint32_t *type)
{
    const struct btf_type *t = kernel_btf_type(b->kb, kid);
    const struct btf_member *m = btf_members(t);
    for (uint32_t i = 0; i < btf_vlen(t); i++, m++) {
        int found = 0;
        const char *mname = kernel_btf_name(b->kb, m->name_off);
        if (*mname == 0) {
            uint32_t sub;
            const struct btf_type *st = kernel_btf_skip_mods(b->kb, m->type, &sub);
            found = st && btf_is_composite(st) ? find_member(b, sub, name, type) : 0;
        } else if (strcmp(mname, name) == 0) {
            *type = m->type;
            found = 1;
        }
        if (found)
            return found < 0 ? found : (keep_member(b, kid, i) ?: 1);
    }
    return 0;
}

static int match_composites(struct builder *b, uint32_t lid, uint32_t kid);

/* Local member type lt against kernel member type kt: where both are
 * structs/unions (or arrays of them), their members too. */
static int match_member_types(struct builder *b, uint32_t lt, uint32_t kt)
{
    const struct btf_type *l = local_skip_mods(b->local, lt, &lt);
    const struct btf_type *k = kernel_btf_skip_mods(b->kb, kt, &kt);
    while (l && k && btf_is_array(l) && btf_is_array(k)) {
        l = local_skip_mods(b->local, btf_array(l)->type, &lt);
        k = kernel_btf_skip_mods(b->kb, btf_array(k)->type, &kt);
    }
    if (l && k && btf_is_composite(l) && btf_is_composite(k))
        return match_composites(b, lt, kt);
    return 0;
}

/* Keeps the members of kernel struct/union kid that local lid's named
 * members would find, and theirs below. */
static int match_composites(struct builder *b, uint32_t lid, uint32_t kid)
{
    for (uint32_t i = 0; i < b->npairs; i++)
        if (b->pairs[i][0] == lid && b->pairs[i][1] == kid)
            return 0;
    size_t cap = b->pairs_cap * sizeof(*b->pairs);
    if (reserve(&b->pairs, &cap, (b->npairs + 1) * sizeof(*b->pairs)))
        return -ENOMEM;
    b->pairs_cap = (uint32_t)(cap / sizeof(*b->pairs));
    b->pairs[b->npairs][0] = lid;
    b->pairs[b->npairs++][1] = kid;
    if (!keep(b, kid))
        return -ENOMEM;
    const struct btf_type *l = btf__type_by_id(b->local, lid);
    const struct btf_member *m = btf_members(l);
    for (uint32_t i = 0; i < btf_vlen(l); i++, m++) {
        uint32_t kt = 0, sub;
        const char *name = btf__name_by_offset(b->local, m->name_off);
        const struct btf_type *st = local_skip_mods(b->local, m->type, &sub);
        int err = 0;
        if (name && *name)
            err = find_member(b, kid, name, &kt);
        else if (st && btf_is_composite(st))
            err = match_composites(b, sub, kid); /* its named members are looked for here, in kid */
        if (err > 0 && name && *name)
            err = match_member_types(b, m->type, kt);
        if (err < 0)
            return err;
    }
    return 0;
}

/* A root as the candidates are looked for: its type, name and that name's
 * length without a flavour. */
struct root {
    const struct btf_type *t;
    uint32_t id;
    const char *name;
    size_t len;
};

/* Kernel type kid is a candidate for root r: kept, with what the root's
 * members reach in it. */
static int add_candidate(struct builder *b, const struct root *r, uint32_t kid)
{
    if (!keep(b, kid))
        return -ENOMEM;
    uint32_t lid, kt;
    const struct btf_type *ls = local_skip_mods(b->local, r->id, &lid);
    const struct btf_type *ks = kernel_btf_skip_mods(b->kb, kid, &kt);
    return ls && ks && btf_is_composite(ls) && btf_is_composite(ks) ? match_composites(b, lid, kt) : 0;
}

/* Every kernel type that libbpf would take as a candidate for one of the
 * roots (of a compatible kind, the same name without a flavour), in one
 * pass over the kernel's types. */
static int add_candidates(struct builder *b, const uint32_t *ids, int n)
{
    struct root *roots = calloc((size_t)n + 1, sizeof(*roots));
    uint32_t kinds = 0; /* a bit per kind a root has */
    int nroots = 0, err = roots ? 0 : -ENOMEM;
    for (int i = 0; !err && i < n; i++) {
        const struct btf_type *t = btf__type_by_id(b->local, ids[i]);
        const char *name = t ? btf__name_by_offset(b->local, t->name_off) : NULL;
        if (!name || !*name)
            continue; /* libbpf finds no candidate for an anonymous root either */
        roots[nroots++] = (struct root){.t = t, .id = ids[i], .name = name, .len = essential_len(name)};
        kinds |= btf_is_any_enum(t) ? (1u << BTF_KIND_ENUM) | (1u << BTF_KIND_ENUM64) : 1u << btf_kind(t);
    }
    for (uint32_t kid = 1; !err && kid < kernel_btf_count(b->kb); kid++) {
        const struct btf_type *k = kernel_btf_type(b->kb, kid);
        if (!(kinds & (1u << btf_kind(k))) || k->name_off == 0)
            continue;
        const char *kname = kernel_btf_name(b->kb, k->name_off);
        if (!*kname)
            continue;
        size_t klen = essential_len(kname);
        for (int r = 0; !err && r < nroots; r++)
            if (roots[r].len == klen && btf_kind_core_compat(k, roots[r].t) &&
                strncmp(roots[r].name, kname, klen) == 0)
                err = add_candidate(b, &roots[r], kid);
    }
    free(roots);
    return err;
}

static int put(char **buf, size_t *len, size_t *cap, const void *data, size_t size)
{
    if (reserve(buf, cap, *len + size))
        return -ENOMEM;
    memcpy(*buf + *len, data, size);
    *len += size;
    return 0;
}

/* The kernel's string at off, in the new string section: its offset there. */
static uint32_t put_name(struct builder *b, uint32_t off)
{
    if (off == 0)
        return 0;
    const char *s = kernel_btf_name(b->kb, off);
    uint32_t at = (uint32_t)b->strs_len;
    return put(&b->strs, &b->strs_len, &b->strs_cap, s, strlen(s) + 1) ? UINT32_MAX : at;
}

/* Kernel type id kid's new id (kept, to be written, if it was not). */
static int new_id(struct builder *b, uint32_t kid, uint32_t *out)
{
    if (kid == 0) {
        *out = 0;
        return 0;
    }
    struct kept *k = keep(b, kid);
    if (!k)
        return -ENOMEM;
    *out = k->nid;
    return 0;
}

/* A struct/union with its kept members only (the size and flags as they are). */
static int write_composite(struct builder *b, const struct btf_type *t, const uint8_t *keep_bits,
                           struct btf_type *out)
{
    const struct btf_member *m = btf_members(t);
    uint32_t n = 0;
    size_t at = b->types_len;
    int err = put(&b->types, &b->types_len, &b->types_cap, out, sizeof(*out));
    for (uint32_t i = 0; !err && i < btf_vlen(t); i++) {
        if (!keep_bits || !(keep_bits[i / 8] & (1u << (i % 8))))
            continue;
        struct btf_member nm = m[i];
        nm.name_off = put_name(b, m[i].name_off);
        err = nm.name_off == UINT32_MAX ? -ENOMEM : new_id(b, m[i].type, &nm.type);
        err = err ?: put(&b->types, &b->types_len, &b->types_cap, &nm, sizeof(nm));
        n++;
    }
    if (!err)
        ((struct btf_type *)(b->types + at))->info =
            (uint32_t)btf_kflag(t) << 31 | (uint32_t)btf_kind(t) << 24 | n;
    return err;
}

/* One kept type, its references renumbered. */
static int write_type(struct builder *b, const struct kept *k)
{
    const struct btf_type *t = kernel_btf_type(b->kb, k->kid);
    struct btf_type out = *t;
    out.name_off = put_name(b, t->name_off);
    if (out.name_off == UINT32_MAX)
        return -ENOMEM;
    if (btf_is_composite(t))
        return write_composite(b, t, k->members, &out);
    int err = 0;
    switch (btf_kind(t)) {
    case BTF_KIND_PTR:
        out.type = 0;
        break;
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
        err = new_id(b, t->type, &out.type);
        break;
    case BTF_KIND_INT:
    case BTF_KIND_FLOAT:
    case BTF_KIND_FWD:
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
    case BTF_KIND_ARRAY:
        break;
    default:
        return -EOPNOTSUPP;
    }
    err = err ?: put(&b->types, &b->types_len, &b->types_cap, &out, sizeof(out));
    return err ?: 0;
}

/* What follows a kept type's struct btf_type (int encoding, array, enum
 * values), its names and ids renumbered. */
static int write_tail(struct builder *b, const struct kept *k)
{
    const struct btf_type *t = kernel_btf_type(b->kb, k->kid);
    if (btf_is_int(t))
        return put(&b->types, &b->types_len, &b->types_cap, t + 1, sizeof(uint32_t));
    if (btf_is_array(t)) {
        struct btf_array a = *btf_array(t);
        int err = new_id(b, a.type, &a.type) ?: new_id(b, a.index_type, &a.index_type);
        return err ?: put(&b->types, &b->types_len, &b->types_cap, &a, sizeof(a));
    }
    for (uint32_t i = 0; btf_is_enum(t) && i < btf_vlen(t); i++) {
        struct btf_enum e = btf_enum(t)[i];
        e.name_off = put_name(b, e.name_off);
        if (e.name_off == UINT32_MAX || put(&b->types, &b->types_len, &b->types_cap, &e, sizeof(e)))
            return -ENOMEM;
    }
    for (uint32_t i = 0; btf_is_enum64(t) && i < btf_vlen(t); i++) {
        struct btf_enum64 e = btf_enum64(t)[i];
        e.name_off = put_name(b, e.name_off);
        if (e.name_off == UINT32_MAX || put(&b->types, &b->types_len, &b->types_cap, &e, sizeof(e)))
            return -ENOMEM;
    }
    return 0;
}

/* Writes every kept type in new-id order; writing one may keep more (the
 * types it refers to), which come after it. */
static int write_types(struct builder *b)
{
    for (uint32_t i = 0; i < b->nkept; i++) {
        struct kept k = b->kept[i]; /* a copy: keep() may move the array */
        int err = write_type(b, &k);
        err = err ?: (btf_is_composite(kernel_btf_type(b->kb, k.kid)) ? 0 : write_tail(b, &k));
        if (err)
            return err;
    }
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    for (const char *p = data; len > 0;) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_btf(struct builder *b, int fd)
{
    struct btf_header h = {
        .magic = BTF_MAGIC,
        .version = BTF_VERSION,
        .hdr_len = sizeof(h),
        .type_off = 0,
        .type_len = (uint32_t)b->types_len,
        .str_off = (uint32_t)b->types_len,
        .str_len = (uint32_t)b->strs_len,
    };
    int err = write_all(fd, &h, sizeof(h));
    err = err ?: write_all(fd, b->types, b->types_len);
    return err ?: write_all(fd, b->strs, b->strs_len);
}

static void builder_free(struct builder *b)
{
    for (uint32_t i = 0; i < b->nkept; i++)
        free(b->kept[i].members);
    free(b->kept);
    free(b->pairs);
    free(b->types);
    free(b->strs);
}

int core_btf_write(const struct kernel_btf *kb, const struct btf *local, const void *elf, size_t elf_len,
                   int fd)
{
    enum { MAX_ROOTS = 1024 };
    uint32_t *roots = malloc(MAX_ROOTS * sizeof(*roots));
    if (!roots)
        return -ENOMEM;
    struct builder b = {.kb = kb, .local = local};
    int n = relo_roots(elf, elf_len, roots, MAX_ROOTS);
    int err = n < 0 ? n : put(&b.strs, &b.strs_len, &b.strs_cap, "", 1);
    err = err ?: add_candidates(&b, roots, n);
    free(roots);
    err = err ?: write_types(&b);
    err = err ?: write_btf(&b, fd);
    builder_free(&b);
    return err;
}
