/* SPDX-License-Identifier: MIT */
/*
 * The one walk of a translation table (core/mm/pgtable.c, the seeds' NPTWalk):
 * every operation on a table (lookup, map and its cost, unmap, permission
 * change, leaf and table iteration, free) is this walk with a visitor that
 * decides, entry by entry, what to do. So the levels, the index arithmetic,
 * the bounds of the input address space and the descriptor reads are written
 * once, and a map and the count of what it will allocate walk the same
 * entries in the same way.
 *
 * The walk visits, in address order, every entry of every level it enters
 * whose span overlaps [start, end) (clipped to the table's input size). The
 * visitor answers with a step: go to the next entry, descend into this one,
 * or stop. Descending into a table descriptor enters that table; descending
 * into anything else enters an empty table that does not exist (slot NULL,
 * every descriptor 0): what a map would find below a table it has yet to
 * allocate, which is how the counting walk counts without allocating. An
 * optional leave callback sees every real table after all of its entries
 * (children before their parent). Visitors descend only above level 3 and
 * never into a leaf.
 *
 * It is always inlined with constant visitors, so each operation compiles to
 * its own loop, with no indirect call per entry on the hot paths.
 */
#ifndef KCORE_MM_PT_WALK_H
#define KCORE_MM_PT_WALK_H

#include "core/arch.h"
#include "core/lib/log.h"
#include "pgtable.h"
#include "pt_desc.h"

static inline u32 pt_level_shift(u32 level)
{
	return PAGE_SHIFT + 9u * (3u - level);
}
static inline u64 pt_level_size(u32 level)
{
	return 1ull << pt_level_shift(level);
}
static inline u32 pt_index_at(u64 ia, u32 level)
{
	return (u32)((ia >> pt_level_shift(level)) & (PT_ENTRIES - 1));
}

/*
 * The MMU reads descriptors concurrently with us: single-copy atomic 64-bit
 * accesses, and a release store so a new table's zeroed contents are visible
 * before the descriptor that points at it.
 */
static inline u64 pt_read_desc(const u64 *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}
static inline void pt_write_desc(u64 *slot, u64 d)
{
	__atomic_store_n(slot, d, __ATOMIC_RELEASE);
}

static inline bool pt_desc_is_leaf(u64 d, u32 level)
{
	if (!desc_is_valid(d))
		return false;
	if (level == 3)
		return (d & DESC_TYPE_MASK) == DESC_TYPE_TABLE_OR_PAGE;
	return (d & DESC_TYPE_MASK) == DESC_TYPE_BLOCK && level >= 1;
}

/* One entry as the visitor sees it. */
struct pt_entry {
	u64 *slot; /* NULL inside a table that does not exist yet */
	u64 desc;  /* its descriptor (0 when slot is NULL); a visitor that writes updates it */
	u64 ia;	   /* the first input address the entry spans */
	u32 level;
};

enum pt_step {
	PT_NEXT,    /* on to the next entry */
	PT_DESCEND, /* into the table this entry points at (or an empty one) */
	PT_STOP,    /* end the walk: pt_walk returns false */
};

typedef enum pt_step (*pt_visit_fn)(void *ctx, struct pt_entry *e);
typedef void (*pt_leave_fn)(void *ctx, paddr_t table, u32 level);

/*
 * The walk of a range inside one 4 KiB page at ia (inside the table's input
 * size): one entry per level, straight down. The same visits as pt_walk
 * would make, without its bookkeeping for the way back up; pt_walk takes it
 * for such a range, and the hot paths (one address: lookup, unmap, a page's
 * prepare and map) call it directly.
 */
static inline __attribute__((always_inline)) bool pt_walk_down(const struct pgtable *pt, u64 ia,
							       pt_visit_fn visit, void *ctx)
{
	u64 *cur = arch_pa_to_ptr(pt->root);

	for (u32 l = 0;; l++) {
		struct pt_entry e = {.level = l, .ia = ia & ~(pt_level_size(l) - 1)};
		enum pt_step step;

		e.slot = cur != NULL ? &cur[pt_index_at(ia, l)] : NULL;
		e.desc = cur != NULL ? pt_read_desc(e.slot) : 0;
		step = visit(ctx, &e);
		if (step != PT_DESCEND)
			return step != PT_STOP;
		cur = desc_is_table(e.desc, l) ? arch_pa_to_ptr(desc_oa(e.desc)) : NULL;
	}
}

/*
 * False when a visitor stopped the walk. The walk keeps one address, ia: the
 * next one to look at (start, then the end of each entry passed). The entry at
 * a level is the one holding ia; passing the last entry of a table puts ia at
 * a boundary of the level above, whose entry is then the next one there.
 */
static inline __attribute__((always_inline)) bool pt_walk(const struct pgtable *pt, u64 start,
							  u64 end, pt_visit_fn visit,
							  pt_leave_fn leave, void *ctx)
{
	u64 *tab[PT_LEVELS]; /* the tables entered, for the way back up */
	paddr_t tab_pa[PT_LEVELS];
	u64 lim = 1ull << pt->ia_bits;
	u64 ia = start;
	u64 *cur; /* tab[l] */
	u32 l = 0;

	if (end < lim)
		lim = end;
	if (start >= lim)
		return true;
	if (leave == NULL && ((start ^ (lim - 1)) >> PAGE_SHIFT) == 0)
		return pt_walk_down(pt, start, visit, ctx);
	if (leave != NULL)
		tab_pa[0] = pt->root;
	tab[0] = cur = arch_pa_to_ptr(pt->root);
	for (;;) {
		u64 size = pt_level_size(l);
		struct pt_entry e = {.level = l, .ia = ia & ~(size - 1)};

		e.slot = cur != NULL ? &cur[pt_index_at(ia, l)] : NULL;
		e.desc = cur != NULL ? pt_read_desc(e.slot) : 0;
		switch (visit(ctx, &e)) {
		case PT_STOP:
			return false;
		case PT_DESCEND:
			cur = desc_is_table(e.desc, l) ? arch_pa_to_ptr(desc_oa(e.desc)) : NULL;
			if (leave != NULL)
				tab_pa[l + 1] = desc_oa(e.desc);
			tab[++l] = cur;
			break;
		case PT_NEXT:
			ia = e.ia + size;
			if (ia >= lim) {
				/* Nothing after this entry is in range: leave every table entered.
				 */
				for (; leave != NULL; l--) {
					if (tab[l] != NULL)
						leave(ctx, tab_pa[l], l);
					if (l == 0)
						break;
				}
				return true;
			}
			/* Past a table's last entry: on to the next entry of its parent. */
			for (; l > 0 && pt_index_at(ia, l) == 0; l--) {
				if (leave != NULL && tab[l] != NULL)
					leave(ctx, tab_pa[l], l);
			}
			cur = tab[l];
			break;
		}
	}
}

#endif /* KCORE_MM_PT_WALK_H */
