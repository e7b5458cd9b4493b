/* SPDX-License-Identifier: MIT */
#include "mem_lock.h"

spinlock_t mem_lock_word = SPINLOCK_INIT(LOCK_RANK_MEM, 0);

bool mem_lock_held(void)
{
	return spin_is_locked(&mem_lock_word);
}
