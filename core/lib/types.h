/* SPDX-License-Identifier: MIT */
/* Basic fixed-width types for the portable core (freestanding-safe headers only). */
#ifndef KCORE_LIB_TYPES_H
#define KCORE_LIB_TYPES_H

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

#endif /* KCORE_LIB_TYPES_H */
