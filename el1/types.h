/* SPDX-License-Identifier: MIT */
/* The EL1 library's basic types: fixed-width integers under kernel-style names. */
#ifndef EL1_TYPES_H
#define EL1_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* a must be a power of two. */
static inline u64 align_down(u64 x, u64 a)
{
	return x & ~(a - 1);
}

static inline u64 align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

#endif /* EL1_TYPES_H */
