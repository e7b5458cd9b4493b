/* SPDX-License-Identifier: MIT */
/* kserv's basic types: the EL1 library's (el1/types.h), and kserv's page size and ranges. */
#ifndef KSERV_TYPES_H
#define KSERV_TYPES_H

#include "el1/types.h"

#define KSERV_PAGE_SHIFT 12
#define KSERV_PAGE_SIZE	 ((u64)1 << KSERV_PAGE_SHIFT)

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
