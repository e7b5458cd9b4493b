/* SPDX-License-Identifier: MIT */
#include "mem_lock.h"

#include "core/lib/spinlock.h"

static spinlock_t lock;

void mem_lock(void)
{
	spin_lock(&lock);
}
void mem_unlock(void)
{
	spin_unlock(&lock);
}
bool mem_lock_held(void)
{
	return spin_is_locked(&lock);
}
