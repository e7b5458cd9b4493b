// SPDX-License-Identifier: MIT
/*
 * Stale TLB entries: cached translations that the tables no longer give.
 * Each entry is compared with a fresh walk of its input address in its
 * regime's current tables; any difference means the core changed or removed
 * a mapping without the invalidation that hardware needs, so the CPU may go
 * on using the old one.
 */
#include <string.h>

#include "arch/sim/sim_internal.h"

struct stale_scan {
	struct sim_stale *out;
	size_t max;
	size_t found;
};

static bool same_perms(const struct sim_tlb_entry *e, const struct sim_xlate *x)
{
	return e->readable == x->readable && e->writable == x->writable &&
	       e->executable == x->executable;
}

static bool same_attrs(const struct sim_tlb_entry *e, const struct sim_xlate *x)
{
	return e->device == x->device && e->attr == x->attr && e->sh == x->sh;
}

/* Whether e is stale, and why. A walk of e->in gives the leaf's base output. */
static bool entry_stale(const struct sim_tlb_entry *e, enum sim_stale_reason *why,
			struct sim_xlate *now)
{
	memset(now, 0, sizeof(*now));
	if (!sim_regime_walk(e->regime, e->in, now))
		*why = SIM_STALE_NO_TABLES;
	else if (now->status != SIM_XLATE_OK)
		*why = SIM_STALE_UNMAPPED;
	else if (now->leaf_size != e->size)
		*why = SIM_STALE_SIZE;
	else if (pa_addr(now->pa) != pa_addr(e->pa))
		*why = SIM_STALE_OUTPUT;
	else if (!same_perms(e, now))
		*why = SIM_STALE_PERMS;
	else if (!same_attrs(e, now))
		*why = SIM_STALE_ATTRS;
	else
		return false;
	return true;
}

static void check_entry(void *ctx, const struct sim_tlb_entry *e)
{
	struct stale_scan *scan = ctx;
	enum sim_stale_reason why;
	struct sim_xlate now;

	if (!entry_stale(e, &why, &now))
		return;
	if (scan->found < scan->max)
		scan->out[scan->found] = (struct sim_stale){.entry = *e, .reason = why, .now = now};
	scan->found++;
}

size_t sim_tlb_stale(struct sim_stale *out, size_t max)
{
	struct stale_scan scan = {.out = out, .max = out ? max : 0, .found = 0};

	sim_tlb_for_each(check_entry, &scan);
	return scan.found;
}

const char *sim_stale_reason_name(enum sim_stale_reason r)
{
	switch (r) {
	case SIM_STALE_NO_TABLES:
		return "regime has no tables";
	case SIM_STALE_UNMAPPED:
		return "no longer mapped";
	case SIM_STALE_SIZE:
		return "leaf size changed";
	case SIM_STALE_OUTPUT:
		return "output address changed";
	case SIM_STALE_PERMS:
		return "permissions changed";
	case SIM_STALE_ATTRS:
		return "attributes changed";
	}
	return "?";
}
