/* SPDX-License-Identifier: MIT */
/*
 * mem_lock guards everything shared between principals: the page ownership
 * table, the host's stage-2 and its pool, and kcore's own stage-1 with its
 * pool and image windows. See core/lock_order.h for where it sits.
 */
#ifndef KCORE_MM_MEM_LOCK_H
#define KCORE_MM_MEM_LOCK_H

#include "core/lib/types.h"

void mem_lock(void);
void mem_unlock(void);
bool mem_lock_held(void);

#endif /* KCORE_MM_MEM_LOCK_H */
