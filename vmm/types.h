/* SPDX-License-Identifier: MIT */
/*
 * vmm's basic types: fixed-width integers under the kernel-style names kserv
 * uses too (the same typedefs: C11 allows repeating them), and page sizes.
 * Only freestanding headers: the same sources build into kserv and into a
 * hosted program (make vmm-hosted).
 */
#ifndef VMM_TYPES_H
#define VMM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define VMM_PAGE_SHIFT 12
#define VMM_PAGE_SIZE  ((u64)1 << VMM_PAGE_SHIFT)

static inline u64 vmm_align_down(u64 x, u64 a)
{
	return x & ~(a - 1);
}

static inline u64 vmm_align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

#endif /* VMM_TYPES_H */
