/* SPDX-License-Identifier: MIT */
/*
 * The integer limits libfdt's headers use. gcc's own <limits.h> chains to the
 * C library's, which a freestanding EL2 build does not have; the compiler's
 * predefined macros give the values.
 */
#ifndef KCORE_AARCH64_LIMITS_H
#define KCORE_AARCH64_LIMITS_H

#define CHAR_BIT  __CHAR_BIT__
#define INT_MAX	  __INT_MAX__
#define INT_MIN	  (-INT_MAX - 1)
#define UINT_MAX  (INT_MAX * 2U + 1U)
#define LONG_MAX  __LONG_MAX__
#define ULONG_MAX (LONG_MAX * 2UL + 1UL)

#endif /* KCORE_AARCH64_LIMITS_H */
