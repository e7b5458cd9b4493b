/* SPDX-License-Identifier: MIT */
/*
 * The memory primitives the core uses. At EL2 there is no libc: arch/aarch64
 * provides them; on the simulated machine the C library does. Declared here
 * rather than through <string.h> so the core stays freestanding.
 */
#ifndef KCORE_LIB_MEM_H
#define KCORE_LIB_MEM_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif /* KCORE_LIB_MEM_H */
