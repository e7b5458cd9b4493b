// SPDX-License-Identifier: MIT
/*
 * The lock-order check of core/lock_order.h on the simulated machine. Each
 * simulated CPU is a thread (the race harness; a single-threaded test is CPU
 * 0), so the locks a CPU holds are thread-local. spin_lock calls
 * lock_check_acquire before it takes its ticket: a lock taken out of order is
 * reported at once, not left to deadlock one run in a thousand. A violation
 * halts the machine like kc_panic, without kc_panic's console lock (the
 * violation may be about that very lock).
 */
#include <stdarg.h>
#include <stdio.h>

#include "arch/sim/sim_internal.h"
#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/lib/spinlock.h"

/* Every vm->lock (the checker) plus the ranks above it, with room to spare. */
#define MAX_HELD (KCORE_MAX_VMS + 8u)

static _Thread_local struct {
	const spinlock_t *lock[MAX_HELD];
	u32 nr;
} held;

static const char *rank_name(u32 rank)
{
	switch ((enum lock_rank)rank) {
	case LOCK_RANK_NONE:
		return "unranked";
	case LOCK_RANK_VM_REGISTRY:
		return "vm_registry_lock";
	case LOCK_RANK_VM:
		return "vm->lock";
	case LOCK_RANK_MEM:
		return "mem_lock";
	case LOCK_RANK_CONSOLE:
		return "console lock";
	}
	return "bad rank";
}

static _Noreturn __attribute__((format(printf, 1, 2))) void violation(const char *fmt, ...)
{
	char line[256];
	size_t n = kc_snprintf(line, sizeof(line) - 1, "kcore: PANIC: lock order: ");
	va_list ap;

	va_start(ap, fmt);
	n += kc_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	/* Forget what this CPU held: nothing on the way down may trip over it again. */
	held.nr = 0;
	fwrite(line, 1, n, stderr);
	arch_console_write(line, n);
	arch_halt_all();
}

void lock_check_acquire(const spinlock_t *l)
{
	if (l->rank == LOCK_RANK_NONE || l->rank > LOCK_RANK_CONSOLE)
		violation("taking a lock with no rank (%p, rank %u)", (const void *)l, l->rank);
	for (u32 i = 0; i < held.nr; i++) {
		const spinlock_t *h = held.lock[i];

		if (h == l)
			violation("taking %s (order %u), which this CPU already holds",
				  rank_name(l->rank), l->order);
		if (h->rank < l->rank)
			continue;
		if (h->rank == l->rank && LOCK_RANK_NESTS_ASCENDING(l->rank) && h->order < l->order)
			continue;
		violation("taking %s (order %u) while holding %s (order %u)", rank_name(l->rank),
			  l->order, rank_name(h->rank), h->order);
	}
	if (held.nr == MAX_HELD)
		violation("more than %u locks held", MAX_HELD);
	held.lock[held.nr++] = l;
}

void lock_check_release(const spinlock_t *l)
{
	for (u32 i = held.nr; i-- > 0;) {
		if (held.lock[i] == l) {
			for (; i + 1 < held.nr; i++)
				held.lock[i] = held.lock[i + 1];
			held.nr--;
			return;
		}
	}
	violation("releasing %s (order %u), which this CPU does not hold", rank_name(l->rank),
		  l->order);
}

u32 lock_check_nr_held(void)
{
	return held.nr;
}
