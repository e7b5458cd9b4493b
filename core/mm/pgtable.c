/* SPDX-License-Identifier: MIT */
#include "pgtable.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "pt_desc.h"

static u32 level_shift(u32 level)
{
	return PAGE_SHIFT + 9u * (3u - level);
}
static u64 level_size(u32 level)
{
	return 1ull << level_shift(level);
}
static u32 index_at(u64 ia, u32 level)
{
	return (u32)((ia >> level_shift(level)) & (PT_ENTRIES - 1));
}

static u32 leaf_level(u64 leaf_size)
{
	KC_CHECK(leaf_size == PAGE_SIZE || leaf_size == BLOCK_SIZE);
	return leaf_size == PAGE_SIZE ? 3u : 2u;
}

static u64 *table_ptr(paddr_t table)
{
	return arch_pa_to_ptr(table);
}

/*
 * The MMU reads descriptors concurrently with us: single-copy atomic 64-bit
 * accesses, and a release store so a new table's zeroed contents are visible
 * before the descriptor that points at it.
 */
static u64 read_desc(const u64 *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}
static void write_desc(u64 *slot, u64 d)
{
	__atomic_store_n(slot, d, __ATOMIC_RELEASE);
}

static bool desc_is_leaf(u64 d, u32 level)
{
	if (!desc_is_valid(d))
		return false;
	if (level == 3)
		return (d & DESC_TYPE_MASK) == DESC_TYPE_TABLE_OR_PAGE;
	return (d & DESC_TYPE_MASK) == DESC_TYPE_BLOCK && level >= 1;
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

/*
 * Walks toward ia and returns the slot at `level` (NULL when a table on the
 * way is missing or a leaf above `level` maps ia).
 */
static u64 *slot_at(const struct pgtable *pt, u64 ia, u32 level)
{
	paddr_t table = pt->root;

	for (u32 l = 0;; l++) {
		u64 *slot = &table_ptr(table)[index_at(ia, l)];
		u64 d;

		if (l == level)
			return slot;
		d = read_desc(slot);
		if (!desc_is_table(d, l))
			return NULL;
		table = desc_oa(d);
	}
}

bool pgt_lookup(const struct pgtable *pt, u64 ia, struct pt_leaf *leaf)
{
	paddr_t table = pt->root;

	if (!pgt_ia_valid(pt, ia))
		return false;
	for (u32 l = 0; l < PT_LEVELS; l++) {
		u64 d = read_desc(&table_ptr(table)[index_at(ia, l)]);

		if (desc_is_leaf(d, l)) {
			leaf->size = level_size(l);
			leaf->ia = ia & ~(leaf->size - 1);
			leaf->pa = desc_oa(d);
			leaf->level = l;
			leaf->prot = desc_leaf_prot(pt->regime, d);
			return true;
		}
		if (!desc_is_table(d, l))
			return false;
		table = desc_oa(d);
	}
	return false;
}

struct unmapped_ctx {
	bool found;
};

static bool note_leaf(void *ctx, const struct pt_leaf *leaf)
{
	(void)leaf;
	((struct unmapped_ctx *)ctx)->found = true;
	return false;
}

bool pgt_range_unmapped(const struct pgtable *pt, u64 ia, u64 size)
{
	struct unmapped_ctx ctx = {false};

	KC_CHECK(ia + size >= ia); /* callers check ranges against the IPA size first */
	pgt_for_each_leaf(pt, ia, ia + size, note_leaf, &ctx);
	return !ctx.found;
}

u32 pgt_map_cost(const struct pgtable *pt, u64 ia, u64 size, u64 leaf_size)
{
	u32 target = leaf_level(leaf_size);
	u32 cost = 0;

	if (size == 0)
		return 0;
	KC_CHECK(ia + size > ia);
	/* A table at level l is needed under each level l-1 entry the range crosses. */
	for (u32 l = 1; l <= target; l++) {
		u64 region = level_size(l - 1);
		u64 first = ia & ~(region - 1);

		for (u64 r = first; r < ia + size; r += region) {
			u64 *slot = slot_at(pt, r, l - 1);

			if (slot == NULL || !desc_is_table(read_desc(slot), l - 1))
				cost++;
			if (r + region < r)
				break; /* the last region of the address space */
		}
	}
	return cost;
}

bool pgt_page_unmapped(const struct pgtable *pt, u64 ia, u32 *cost)
{
	paddr_t table = pt->root;

	KC_CHECK(pgt_ia_valid(pt, ia) && is_aligned(ia, PAGE_SIZE));
	for (u32 l = 0; l < PT_LEVELS; l++) {
		u64 d = read_desc(&table_ptr(table)[index_at(ia, l)]);

		if (desc_is_leaf(d, l))
			return false;
		if (!desc_is_table(d, l)) {
			/* Nothing from here down: a table for each level below this one. */
			*cost = PT_LEVELS - 1 - l;
			return true;
		}
		table = desc_oa(d);
	}
	return false; /* a table at the last level: not a state kcore creates */
}

void pgt_map_leaf(struct pgtable *pt, u64 ia, paddr_t pa, u64 leaf_size, u32 prot)
{
	u32 target = leaf_level(leaf_size);
	paddr_t table = pt->root;

	KC_CHECK(pgt_ia_valid(pt, ia) && pgt_ia_valid(pt, ia + leaf_size - 1));
	KC_CHECK(is_aligned(ia, leaf_size) && is_aligned(pa_addr(pa), leaf_size));
	for (u32 l = 0; l < target; l++) {
		u64 *slot = &table_ptr(table)[index_at(ia, l)];
		u64 d = read_desc(slot);

		if (!desc_is_valid(d)) {
			paddr_t next = pool_alloc(pt->pool);

			d = desc_make_table(next);
			write_desc(slot, d);
		}
		/* The caller checked the range is unmapped: a leaf on the way is a bug. */
		KC_CHECK(desc_is_table(d, l));
		table = desc_oa(d);
	}
	u64 *slot = &table_ptr(table)[index_at(ia, target)];

	KC_CHECK(!desc_is_valid(read_desc(slot)));
	write_desc(slot, desc_make_leaf(pt->regime, target, pa, prot));
}

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

/* The slot of the leaf that maps ia and its level, or NULL (pgt_lookup, for a change). */
static u64 *leaf_slot(const struct pgtable *pt, u64 ia, u32 *level)
{
	paddr_t table = pt->root;

	if (!pgt_ia_valid(pt, ia))
		return NULL;
	for (u32 l = 0; l < PT_LEVELS; l++) {
		u64 *slot = &table_ptr(table)[index_at(ia, l)];
		u64 d = read_desc(slot);

		if (desc_is_leaf(d, l)) {
			*level = l;
			return slot;
		}
		if (!desc_is_table(d, l))
			return NULL;
		table = desc_oa(d);
	}
	return NULL;
}

u64 pgt_unmap_leaf(struct pgtable *pt, u64 ia)
{
	u32 level = 0;
	u64 *slot = leaf_slot(pt, ia, &level);
	u64 size;

	if (slot == NULL)
		return 0;
	size = level_size(level);
	/* Break: the entry goes invalid and every TLB forgets it before we return. */
	write_desc(slot, 0);
	tlb_invalidate(pt, ia & ~(size - 1));
	return size;
}

int pgt_set_prot(struct pgtable *pt, u64 ia, u32 prot)
{
	struct pt_leaf leaf;
	u64 *slot;

	if (!pgt_lookup(pt, ia, &leaf))
		return KCORE_E_NOENT;
	slot = slot_at(pt, leaf.ia, leaf.level);
	KC_CHECK(slot != NULL);
	/*
	 * Only the permissions change, never the output address or memory type,
	 * so the architecture does not require break-before-make here.
	 */
	write_desc(slot, desc_make_leaf(pt->regime, leaf.level, leaf.pa,
					(prot & ~PT_PROT_DEVICE) | (leaf.prot & PT_PROT_DEVICE)));
	tlb_invalidate(pt, leaf.ia);
	return KCORE_OK;
}

static bool walk_leaves(const struct pgtable *pt, paddr_t table, u32 level, u64 base, u64 start,
			u64 end, pgt_leaf_fn fn, void *ctx)
{
	u64 size = level_size(level);
	const u64 *entries = table_ptr(table);
	/* Start at the entry that holds `start`, not at the table's first (a 4 KiB check
	 * near the end of a table would otherwise read hundreds of entries per level). */
	u32 first = start > base ? (u32)((start - base) / size) : 0;

	for (u32 i = first; i < PT_ENTRIES; i++) {
		u64 ia = base + (u64)i * size;
		u64 d;

		if (ia >= end || !pgt_ia_valid(pt, ia))
			break;
		d = read_desc(&entries[i]);
		if (desc_is_leaf(d, level)) {
			struct pt_leaf leaf = {.ia = ia,
					       .pa = desc_oa(d),
					       .size = size,
					       .level = level,
					       .prot = desc_leaf_prot(pt->regime, d)};

			if (!fn(ctx, &leaf))
				return false;
		} else if (desc_is_table(d, level)) {
			if (!walk_leaves(pt, desc_oa(d), level + 1, ia, start, end, fn, ctx))
				return false;
		}
	}
	return true;
}

void pgt_for_each_leaf(const struct pgtable *pt, u64 start, u64 end, pgt_leaf_fn fn, void *ctx)
{
	walk_leaves(pt, pt->root, 0, 0, start, end, fn, ctx);
}

static void walk_tables(const struct pgtable *pt, paddr_t table, u32 level, pgt_table_fn fn,
			void *ctx)
{
	const u64 *entries = table_ptr(table);

	if (level < 3) {
		for (u32 i = 0; i < PT_ENTRIES; i++) {
			u64 d = read_desc(&entries[i]);

			if (desc_is_table(d, level))
				walk_tables(pt, desc_oa(d), level + 1, fn, ctx);
		}
	}
	fn(ctx, table, level);
}

void pgt_for_each_table(const struct pgtable *pt, pgt_table_fn fn, void *ctx)
{
	walk_tables(pt, pt->root, 0, fn, ctx);
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
