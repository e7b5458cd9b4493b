/* SPDX-License-Identifier: MIT */
/*
 * kcore at EL2 has no C library. BearSSL's and libfdt's headers include <string.h>; this
 * is the freestanding one they get, declaring only what kcore provides.
 */
#ifndef KCORE_AARCH64_STRING_H
#define KCORE_AARCH64_STRING_H

#include "core/lib/mem.h"

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
void *memchr(const void *s, int c, size_t n);
char *strrchr(const char *s, int c);

#endif /* KCORE_AARCH64_STRING_H */
