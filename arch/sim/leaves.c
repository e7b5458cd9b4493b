// SPDX-License-Identifier: MIT
/*
 * Every leaf of a regime's tables, by walking all of them depth-first: what
 * the invariant checks look at, and what a TLB could hold at worst.
 */
#include <string.h>

#include "arch/sim/sim_internal.h"

struct leaf_walk {
	enum sim_stage stage;
	u32 in_bits;
	sim_leaf_fn *cb;
	void *ctx;
};

/* A level-0 table only has entries for the input range T0SZ leaves. */
static u64 entries_at(const struct leaf_walk *w, u32 level)
{
	u32 bits = w->in_bits - sim_level_shift(0);

	if (level == 0 && bits < 9)
		return 1ull << bits;
	return SIM_DESC_PER_PAGE;
}

static int visit_table(const struct leaf_walk *w, paddr_t table, u32 level, u64 in_base,
		       struct sim_hier hier)
{
	u64 n = entries_at(w, level);

	if (!is_aligned(pa_addr(table), PAGE_SIZE) || !sim_is_ram_range(table, n * sizeof(u64))) {
		struct sim_xlate x;

		memset(&x, 0, sizeof(x));
		x.level = level;
		x.desc_pa = table;
		x.leaf_size = n << sim_level_shift(level);
		x.status = is_aligned(pa_addr(table), PAGE_SIZE) ? SIM_XLATE_WALK_ABORT
								 : SIM_XLATE_MALFORMED;
		x.why = x.status == SIM_XLATE_WALK_ABORT ? "translation table outside RAM"
							 : "root table not page aligned";
		return w->cb(w->ctx, in_base, &x);
	}

	for (u64 i = 0; i < n; i++) {
		u64 in = in_base + (i << sim_level_shift(level));
		struct sim_hier sub = hier;
		paddr_t next = pa_init(0);
		struct sim_xlate x;
		u64 desc = 0;
		int ret = 0;

		memset(&x, 0, sizeof(x));
		/* Cannot fail: the whole table was checked to be RAM above. */
		sim_read_desc(table, i, &desc);
		switch (sim_decode_desc(w->stage, desc, pa_add(table, i * sizeof(u64)), level, &sub,
					&next, &x)) {
		case SIM_DESC_TABLE:
			ret = visit_table(w, next, level + 1, in, sub);
			break;
		case SIM_DESC_LEAF:
			ret = w->cb(w->ctx, in, &x);
			break;
		case SIM_DESC_FAULT:
			/* Skip plain invalid entries; report valid-looking bad ones. */
			if (desc & 1u) {
				x.leaf_size = 1ull << sim_level_shift(level);
				ret = w->cb(w->ctx, in, &x);
			}
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

int sim_walk_leaves(enum sim_stage stage, paddr_t root, u32 in_bits, sim_leaf_fn *cb, void *ctx)
{
	struct leaf_walk w = {.stage = stage, .in_bits = in_bits, .cb = cb, .ctx = ctx};

	return visit_table(&w, root, 0, 0, (struct sim_hier){false, false});
}

/* Adapters from the generic u64 input address to the typed ones. */
struct s2_adapter {
	sim_s2_leaf_fn *cb;
	void *ctx;
};

static int s2_leaf(void *ctx, u64 in, const struct sim_xlate *x)
{
	const struct s2_adapter *a = ctx;

	return a->cb(a->ctx, ipa_init(in), x);
}

int sim_s2_for_each_leaf(paddr_t root, u32 ipa_bits, sim_s2_leaf_fn *cb, void *ctx)
{
	struct s2_adapter a = {.cb = cb, .ctx = ctx};

	if (ipa_bits < 40 || ipa_bits > 48) {
		struct sim_xlate x;

		memset(&x, 0, sizeof(x));
		x.status = SIM_XLATE_MALFORMED;
		x.why = "VTCR_EL2 IPA size outside 40..48 bits";
		return cb(ctx, ipa_init(0), &x);
	}
	return sim_walk_leaves(SIM_STAGE2, root, ipa_bits, s2_leaf, &a);
}

struct s1_adapter {
	sim_s1_leaf_fn *cb;
	void *ctx;
};

static int s1_leaf(void *ctx, u64 in, const struct sim_xlate *x)
{
	const struct s1_adapter *a = ctx;

	return a->cb(a->ctx, va_init(in), x);
}

int sim_s1_for_each_leaf(paddr_t root, sim_s1_leaf_fn *cb, void *ctx)
{
	struct s1_adapter a = {.cb = cb, .ctx = ctx};

	return sim_walk_leaves(SIM_EL2_STAGE1, root, SIM_S1_VA_BITS, s1_leaf, &a);
}
