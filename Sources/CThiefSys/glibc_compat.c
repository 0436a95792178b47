/*
 * glibc_compat.c - keeps the packaged binary on glibc 2.34 (RHEL 9, Ubuntu
 * 22.04). The package build (scripts/package.sh, THIEF_STATIC=1 in
 * Package.swift) links with --wrap for the four symbols below, which sends
 * every call to them here; no other build calls these functions.
 *
 * - hypot, hypotf: glibc 2.35 added new default versions, and every object
 *   that names them binds to GLIBC_2.35: swift-numerics' RealModule (through
 *   HdrHistogram), the Swift Glibc overlay, Foundation's CGFloat. thief calls
 *   none of them. They cannot be bound to the GLIBC_2.2.5 versions with
 *   .symver under --wrap (the versioned reference is wrapped too, and the
 *   wrapper calls itself), so they are computed here in wider precision:
 *   within an ulp of glibc's, without overflow or underflow.
 * - arc4random (GLIBC_2.36): named by the static libstdc++'s
 *   std::random_device; here from getrandom(2), which glibc's uses too.
 * - _dl_find_object (GLIBC_2.35): the static libgcc unwinder's way to find a
 *   PC's .eh_frame_hdr; here the same answer from dl_iterate_phdr (2.2.4).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>

#if defined(__x86_64__) && defined(__GLIBC__)

double __wrap_hypot(double x, double y);
float __wrap_hypotf(float x, float y);
uint32_t __wrap_arc4random(void);
int __wrap__dl_find_object(void *pc, struct dl_find_object *result);

/* x87 extended precision: 15-bit exponent (no overflow for any double
 * squared) and a 64-bit mantissa. An infinity wins over a NaN (C99 F.10.4.3). */
double __wrap_hypot(double x, double y)
{
    if (isinf(x) || isinf(y))
        return INFINITY;
    long double lx = x, ly = y;
    return (double)__builtin_sqrtl(lx * lx + ly * ly);
}

float __wrap_hypotf(float x, float y)
{
    if (isinf(x) || isinf(y))
        return INFINITY;
    double dx = x, dy = y;
    return (float)__builtin_sqrt(dx * dx + dy * dy);
}

uint32_t __wrap_arc4random(void)
{
    uint32_t value;
    for (;;) {
        ssize_t n = getrandom(&value, sizeof value, 0);
        if (n == (ssize_t)sizeof value)
            return value;
        if (n < 0 && errno != EINTR)
            abort(); /* as glibc's does without entropy */
    }
}

struct find_object {
    uintptr_t pc;
    struct dl_find_object *result;
    int found;
};

static int find_object_in(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct find_object *find = data;
    uintptr_t start = UINTPTR_MAX, end = 0;
    const void *eh_frame = NULL;
    int holds_pc = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (ph->p_type == PT_GNU_EH_FRAME)
            eh_frame = (const void *)lo;
        if (ph->p_type != PT_LOAD)
            continue;
        if (lo < start)
            start = lo;
        if (hi > end)
            end = hi;
        if (find->pc >= lo && find->pc < hi)
            holds_pc = 1;
    }
    if (!holds_pc)
        return 0;
    find->result->dlfo_flags = 0;
    find->result->dlfo_map_start = (void *)start;
    find->result->dlfo_map_end = (void *)end;
    find->result->dlfo_link_map = NULL;
    find->result->dlfo_eh_frame = (void *)eh_frame;
    find->found = 1;
    return 1;
}

int __wrap__dl_find_object(void *pc, struct dl_find_object *result)
{
    struct find_object find = {.pc = (uintptr_t)pc, .result = result, .found = 0};
    dl_iterate_phdr(find_object_in, &find);
    return find.found ? 0 : -1;
}

#endif
