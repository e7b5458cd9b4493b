/* SPDX-License-Identifier: MIT */
/* kserv's basic types: fixed-width integers under kernel-style names. */
#ifndef KSERV_TYPES_H
#define KSERV_TYPES_H

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

#define KSERV_PAGE_SHIFT 12
#define KSERV_PAGE_SIZE	 ((u64)1 << KSERV_PAGE_SHIFT)

static inline u64 align_down(u64 x, u64 a)
{
	return x & ~(a - 1);
}

static inline u64 align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

/* A physical address range [base, base + size). */
struct range {
	u64 base;
	u64 size;
};

static inline u64 range_end(const struct range *r)
{
	return r->base + r->size;
}

#endif /* KSERV_TYPES_H */
