/* SPDX-License-Identifier: MIT */
/*
 * Every operation on a table is one walk (pt_walk.h) and a visitor: lookup,
 * leaf and table iteration, map and the count of the table pages a map
 * allocates, unmap, permission change and free.
 */
#include "pgtable.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "pt_desc.h"
#include "pt_walk.h"

static inline u32 leaf_level(u64 leaf_size)
{
	KC_CHECK(leaf_size == PAGE_SIZE || leaf_size == BLOCK_SIZE);
	return leaf_size == PAGE_SIZE ? 3u : 2u;
}

int pgt_init(struct pgtable *pt, struct pt_pool *pool, enum pt_regime regime, u32 ia_bits, u32 vmid)
{
	if (pool_nr_free(pool) < 1)
		return KCORE_E_NOMEM;
	KC_CHECK(ia_bits >= 40 && ia_bits <= 48);
	pt->pool = pool;
	pt->regime = regime;
	pt->ia_bits = ia_bits;
	pt->vmid = vmid;
	pt->root = pool_alloc(pool);
	return KCORE_OK;
}

/* ---- lookup: down one address to its leaf ----------------------------------- */

struct find_leaf {
	u64 *slot; /* the leaf's descriptor, for a change; NULL when nothing maps */
	u64 desc;
	u64 ia;
	u32 level;
};

static inline __attribute__((always_inline)) enum pt_step find_leaf_visit(void *ctx,
									  struct pt_entry *e)
{
	struct find_leaf *f = ctx;

	if (pt_desc_is_leaf(e->desc, e->level)) {
		f->slot = e->slot;
		f->desc = e->desc;
		f->ia = e->ia;
		f->level = e->level;
		return PT_STOP;
	}
	return desc_is_table(e->desc, e->level) ? PT_DESCEND : PT_STOP;
}

/* The leaf that maps ia: f->slot NULL if none. */
static inline __attribute__((always_inline)) void find_leaf(const struct pgtable *pt, u64 ia,
							    struct find_leaf *f)
{
	f->slot = NULL;
	if (pgt_ia_valid(pt, ia))
		pt_walk_down(pt, ia, find_leaf_visit, f);
}

static void leaf_of(const struct pgtable *pt, const struct find_leaf *f, struct pt_leaf *leaf)
{
	leaf->size = pt_level_size(f->level);
	leaf->ia = f->ia;
	leaf->pa = desc_oa(f->desc);
	leaf->level = f->level;
	leaf->prot = desc_leaf_prot(pt->regime, f->desc);
}

bool pgt_lookup(const struct pgtable *pt, u64 ia, struct pt_leaf *leaf)
{
	struct find_leaf f;

	find_leaf(pt, ia, &f);
	if (f.slot == NULL)
		return false;
	leaf_of(pt, &f, leaf);
	return true;
}

/* ---- leaves of a range ------------------------------------------------------ */

struct each_leaf {
	const struct pgtable *pt;
	pgt_leaf_fn fn;
	void *ctx;
};

static inline __attribute__((always_inline)) enum pt_step each_leaf_visit(void *ctx,
									  struct pt_entry *e)
{
	struct each_leaf *w = ctx;

	if (pt_desc_is_leaf(e->desc, e->level)) {
		struct pt_leaf leaf = {.ia = e->ia,
				       .pa = desc_oa(e->desc),
				       .size = pt_level_size(e->level),
				       .level = e->level,
				       .prot = desc_leaf_prot(w->pt->regime, e->desc)};

		return w->fn(w->ctx, &leaf) ? PT_NEXT : PT_STOP;
	}
	return desc_is_table(e->desc, e->level) ? PT_DESCEND : PT_NEXT;
}

void pgt_for_each_leaf(const struct pgtable *pt, u64 start, u64 end, pgt_leaf_fn fn, void *ctx)
{
	struct each_leaf w = {.pt = pt, .fn = fn, .ctx = ctx};

	pt_walk(pt, start, end, each_leaf_visit, NULL, &w);
}

static inline __attribute__((always_inline)) enum pt_step any_leaf_visit(void *ctx,
									 struct pt_entry *e)
{
	(void)ctx;
	if (pt_desc_is_leaf(e->desc, e->level))
		return PT_STOP;
	return desc_is_table(e->desc, e->level) ? PT_DESCEND : PT_NEXT;
}

bool pgt_range_unmapped(const struct pgtable *pt, u64 ia, u64 size)
{
	KC_CHECK(ia + size >= ia); /* callers check ranges against the IPA size first */
	return pt_walk(pt, ia, ia + size, any_leaf_visit, NULL, NULL);
}

/* ---- map, and what it would allocate ------------------------------------------ */

enum map_mode {
	MAP_COUNT,   /* count the table pages the map allocates; change nothing */
	MAP_PREPARE, /* the same, and stop at anything already mapped in the way */
	MAP_COMMIT,  /* allocate those tables and write the leaf (one): cannot fail */
};

struct map_walk {
	const struct pgtable *pt;
	enum map_mode mode;
	u32 target; /* the leaves' level */
	paddr_t pa; /* what the one leaf maps (MAP_COMMIT) */
	u32 prot;
	u32 cost;      /* table pages allocated (MAP_COMMIT) or that would be */
	bool conflict; /* something maps part of the range (MAP_PREPARE stops there) */
};

/*
 * The counting modes see the same entries as the commit: where the commit
 * allocates a table, they count one and descend into the empty table the
 * commit would have found there, so they count the tables below it too.
 */
static inline __attribute__((always_inline)) enum pt_step map_visit(void *ctx, struct pt_entry *e)
{
	struct map_walk *m = ctx;

	if (e->level == m->target) {
		if (m->mode != MAP_COMMIT) {
			if (!desc_is_valid(e->desc))
				return PT_NEXT;
			m->conflict = true;
			return PT_STOP;
		}
		/* The caller checked the range is unmapped: anything here is a bug. */
		KC_CHECK(!desc_is_valid(e->desc));
		pt_write_desc(e->slot, desc_make_leaf(m->pt->regime, e->level, m->pa, m->prot));
		return PT_NEXT;
	}
	if (desc_is_table(e->desc, e->level)) {
		/* A count needs no look at the leaves' level; a prepare checks it is free. */
		return m->mode != MAP_COUNT || e->level + 1 < m->target ? PT_DESCEND : PT_NEXT;
	}
	m->cost++;
	if (m->mode == MAP_COMMIT) {
		/* The caller checked the range is unmapped: a leaf on the way is a bug. */
		KC_CHECK(!desc_is_valid(e->desc));
		e->desc = desc_make_table(pool_alloc(m->pt->pool)); /* the checked cost */
		pt_write_desc(e->slot, e->desc);
		return PT_DESCEND;
	}
	if (desc_is_valid(e->desc)) {
		m->conflict = true;
		if (m->mode == MAP_PREPARE)
			return PT_STOP;
	}
	/* Below the missing table: the tables of the deeper levels (none at the leaves'). */
	return e->level + 1 < m->target ? PT_DESCEND : PT_NEXT;
}

/* Inlined: each caller's mode and level are constants, the walk specialised for them. */
static inline __attribute__((always_inline)) u32 map_count(const struct pgtable *pt,
							   enum map_mode mode, u64 ia, u64 size,
							   u32 target, bool *conflict)
{
	struct map_walk m = {.pt = pt, .mode = mode, .target = target};

	if (size == PAGE_SIZE && is_aligned(ia, PAGE_SIZE) && pgt_ia_valid(pt, ia))
		pt_walk_down(pt, ia, map_visit, &m); /* one page: the walk straight down */
	else
		pt_walk(pt, ia, ia + size, map_visit, NULL, &m);
	*conflict = m.conflict;
	return m.cost;
}

u32 pgt_map_cost(const struct pgtable *pt, u64 ia, u64 size, u64 leaf_size)
{
	u32 target = leaf_level(leaf_size);
	bool conflict;

	if (size == 0)
		return 0;
	KC_CHECK(ia + size > ia);
	return map_count(pt, MAP_COUNT, ia, size, target, &conflict);
}

bool pgt_page_unmapped(const struct pgtable *pt, u64 ia, u32 *cost)
{
	bool conflict;
	u32 c;

	KC_CHECK(pgt_ia_valid(pt, ia) && is_aligned(ia, PAGE_SIZE));
	c = map_count(pt, MAP_PREPARE, ia, PAGE_SIZE, 3, &conflict);
	if (conflict)
		return false;
	*cost = c;
	return true;
}

static inline __attribute__((always_inline)) void map_commit(struct pgtable *pt, u64 ia, paddr_t pa,
							     u64 leaf_size, u32 prot)
{
	struct map_walk m = {
	    .pt = pt, .mode = MAP_COMMIT, .target = leaf_level(leaf_size), .pa = pa, .prot = prot};

	if (leaf_size == PAGE_SIZE)
		pt_walk_down(pt, ia, map_visit, &m); /* checked by the caller: valid, aligned */
	else
		pt_walk(pt, ia, ia + leaf_size, map_visit, NULL, &m);
}

void pgt_map_leaf(struct pgtable *pt, u64 ia, paddr_t pa, u64 leaf_size, u32 prot)
{
	KC_CHECK(pgt_ia_valid(pt, ia) && pgt_ia_valid(pt, ia + leaf_size - 1));
	KC_CHECK(is_aligned(ia, leaf_size) && is_aligned(pa_addr(pa), leaf_size));
	/* One walk per leaf size, each with its level a constant: the page map is a hot path. */
	if (leaf_size == PAGE_SIZE)
		map_commit(pt, ia, pa, PAGE_SIZE, prot);
	else
		map_commit(pt, ia, pa, BLOCK_SIZE, prot);
}

/* ---- changes to one leaf ------------------------------------------------------- */

static void tlb_invalidate(const struct pgtable *pt, u64 ia)
{
	switch (pt->regime) {
	case PT_STAGE2:
		arch_tlbi_s2_ipa(pt->vmid, ipa_init(ia));
		break;
	case PT_IO:
	case PT_IO_S1:
		/* The CPU never walks an IO table: only the SMMU's TLB can hold it. */
		arch_smmu_tlbi_iova(pt->vmid, ia);
		break;
	case PT_EL2_STAGE1:
		arch_tlbi_el2_va(va_init(ia));
		break;
	}
}

u64 pgt_unmap_leaf(struct pgtable *pt, u64 ia)
{
	struct find_leaf f;

	find_leaf(pt, ia, &f);
	if (f.slot == NULL)
		return 0;
	/* Break: the entry goes invalid and every TLB forgets it before we return. */
	pt_write_desc(f.slot, 0);
	tlb_invalidate(pt, f.ia);
	return pt_level_size(f.level);
}

int pgt_set_prot(struct pgtable *pt, u64 ia, u32 prot)
{
	struct find_leaf f;
	struct pt_leaf leaf;

	find_leaf(pt, ia, &f);
	if (f.slot == NULL)
		return KCORE_E_NOENT;
	leaf_of(pt, &f, &leaf);
	/*
	 * Only the permissions change, never the output address or memory type,
	 * so the architecture does not require break-before-make here.
	 */
	pt_write_desc(f.slot,
		      desc_make_leaf(pt->regime, leaf.level, leaf.pa,
				     (prot & ~PT_PROT_DEVICE) | (leaf.prot & PT_PROT_DEVICE)));
	tlb_invalidate(pt, leaf.ia);
	return KCORE_OK;
}

/* ---- every table page ------------------------------------------------------------- */

static inline __attribute__((always_inline)) enum pt_step each_table_visit(void *ctx,
									   struct pt_entry *e)
{
	(void)ctx;
	return desc_is_table(e->desc, e->level) ? PT_DESCEND : PT_NEXT;
}

struct each_table {
	pgt_table_fn fn;
	void *ctx;
};

static void each_table_leave(void *ctx, paddr_t table, u32 level)
{
	struct each_table *w = ctx;

	w->fn(w->ctx, table, level);
}

void pgt_for_each_table(const struct pgtable *pt, pgt_table_fn fn, void *ctx)
{
	struct each_table w = {.fn = fn, .ctx = ctx};

	pt_walk(pt, 0, 1ull << pt->ia_bits, each_table_visit, each_table_leave, &w);
}

static void free_table(void *ctx, paddr_t table, u32 level)
{
	(void)level;
	/* Children are visited before their parent, so nothing points at a freed page. */
	pool_free(((struct pgtable *)ctx)->pool, table);
}

void pgt_destroy(struct pgtable *pt)
{
	pgt_for_each_table(pt, free_table, pt);
	pt->root = pa_init(0);
}
