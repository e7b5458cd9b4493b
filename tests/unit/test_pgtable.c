/* SPDX-License-Identifier: MIT */
/*
 * The mm layer on its own: translation tables (pgtable), page-table pools,
 * kcore's write-once own map (kmap) and the page ownership table (pgowner).
 *
 * Tables built here live in a small pool carved from host pages; what they
 * map is read back with the simulated machine's independent walker
 * (sim_s2_walk, sim_s1_walk), so an encoding slip in core/mm shows up as a
 * disagreement with a second reading of the architecture. Pool exhaustion is
 * also driven through the host calls, where the prepare step (cost against
 * the pool) must refuse before anything changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/mem/mem.h"
#include "core/memops/host_mem.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "core/mm/pgtable.h"
#include "core/mm/pool.h"
#include "core/mm/pt_desc.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"

#define KiB4	  0x1000ull
#define MiB2	  (2ull << 20)
#define GiB1	  (1ull << 30)
#define GiB512	  (1ull << 39)
/* A stage-2 VMID for the tables built here: beyond every VM slot, inside the sim's range. */
#define TEST_VMID 50u
#define IPA40	  40u
/* A kcore VA away from the image window (which starts at 0x1000_0000_0000). */
#define KVA	  0x0000200000000000ull

/* ---- a private pool and table ---------------------------------------------- */

struct test_pool {
	struct pt_pool pool;
	u32 *stack;
};

static void tpool_init(struct test_pool *tp, u32 nr_pages)
{
	u64 base = fx_host_alloc((u64)nr_pages * KiB4, KiB4);

	/* Garbage first: pool_init must hand out zeroed pages whatever was there. */
	memset(sim_ram_ptr(pa_init(base)), 0xa5, (size_t)nr_pages * KiB4);
	tp->stack = malloc((size_t)pool_meta_bytes(nr_pages));
	assert_non_null(tp->stack);
	pool_init(&tp->pool, pa_init(base), nr_pages, tp->stack);
	assert_int_equal(pool_nr_free(&tp->pool), nr_pages);
}

static void tpool_fini(struct test_pool *tp)
{
	free(tp->stack);
	tp->stack = NULL;
}

static void s2_init(struct pgtable *pt, struct test_pool *tp, u32 nr_pages, u32 ia_bits)
{
	tpool_init(tp, nr_pages);
	assert_int_equal(pgt_init(pt, &tp->pool, PT_STAGE2, ia_bits, TEST_VMID), KCORE_OK);
}

static void s1_init(struct pgtable *pt, struct test_pool *tp, u32 nr_pages)
{
	tpool_init(tp, nr_pages);
	assert_int_equal(pgt_init(pt, &tp->pool, PT_EL2_STAGE1, 48, 0), KCORE_OK);
}

/* The prepare step every caller makes, then the map; asserts the cost was exact. */
static void map_checked(struct pgtable *pt, u64 ia, u64 pa, u64 size, u32 prot)
{
	u32 cost = pgt_map_cost(pt, ia, size, size);
	u32 before = pool_nr_free(pt->pool);

	assert_true(pgt_range_unmapped(pt, ia, size));
	assert_true(cost <= before);
	pgt_map_leaf(pt, ia, pa_init(pa), size, prot);
	assert_int_equal(before - pool_nr_free(pt->pool), cost);
}

static struct sim_xlate walk_s2(const struct pgtable *pt, u64 ipa)
{
	struct sim_xlate x;

	sim_s2_walk(pt->root, pt->ia_bits, ipa_init(ipa), &x);
	return x;
}

static struct sim_xlate walk_s1(paddr_t root, u64 va)
{
	struct sim_xlate x;

	sim_s1_walk(root, va_init(va), &x);
	return x;
}

static void expect_leaf(const struct sim_xlate *x, u64 pa, u64 size, bool r, bool w, bool xn_off,
			bool device)
{
	if (x->status != SIM_XLATE_OK)
		print_error("walk: %s (%s)\n", sim_xlate_status_name(x->status),
			    x->why ? x->why : "");
	assert_int_equal(x->status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x->pa), pa);
	assert_int_equal(x->leaf_size, size);
	assert_int_equal(x->level, size == KiB4 ? 3 : 2);
	assert_int_equal(x->readable, r);
	assert_int_equal(x->writable, w);
	assert_int_equal(x->executable, xn_off);
	assert_int_equal(x->device, device);
}

static size_t stale_count(void)
{
	return sim_tlb_stale(NULL, 0);
}

static int setup(void **state)
{
	(void)state;
	fx_boot(NULL);
	return 0;
}

/* ---- stage-2 encodings, read back by the independent walker ------------------ */

static void test_s2_pages_read_back(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	const struct {
		u64 ipa;
		u64 pa;
		u32 prot;
	} maps[] = {
	    {0x12345000, 0x40200000, PT_PROT_RWX},
	    {0x12346000, 0x40201000, PT_PROT_R},
	    {0x12347000, 0x40202000, PT_PROT_RW},
	    {0x12348000, 0x40203000, PT_PROT_R | PT_PROT_X},
	    {0x7ffff000, 0x09000000, PT_PROT_RW | PT_PROT_DEVICE},
	    {0xfffffff000, 0xfffffff000, PT_PROT_RW}, /* the last page of a 40-bit space */
	};

	(void)state;
	s2_init(&pt, &tp, 16, IPA40);
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++)
		map_checked(&pt, maps[i].ipa, maps[i].pa, KiB4, maps[i].prot);
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
		u32 p = maps[i].prot;
		struct sim_xlate x = walk_s2(&pt, maps[i].ipa + 0x9a8);
		struct pt_leaf leaf;

		expect_leaf(&x, maps[i].pa + 0x9a8, KiB4, (p & PT_PROT_R) != 0,
			    (p & PT_PROT_W) != 0, (p & PT_PROT_X) != 0, (p & PT_PROT_DEVICE) != 0);
		/* Normal memory is inner shareable; Device leaves it to the architecture. */
		assert_int_equal(x.sh, (p & PT_PROT_DEVICE) ? 0 : 3);
		/* The core's own reading agrees with the walker's. */
		assert_true(pgt_lookup(&pt, maps[i].ipa + 0x9a8, &leaf));
		assert_int_equal(leaf.ia, maps[i].ipa);
		assert_int_equal(pa_addr(leaf.pa), maps[i].pa);
		assert_int_equal(leaf.size, KiB4);
		assert_int_equal(leaf.level, 3);
		assert_int_equal(leaf.prot, p);
	}
	/* Neighbours stay unmapped: a page maps one page. */
	assert_int_equal(walk_s2(&pt, 0x12344000).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(walk_s2(&pt, 0x12349000).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(walk_s2(&pt, 0x7fffe000).status, SIM_XLATE_TRANSLATION_FAULT);
	tpool_fini(&tp);
}

static void test_s2_blocks_read_back(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	struct pt_leaf leaf;

	(void)state;
	s2_init(&pt, &tp, 16, IPA40);
	map_checked(&pt, 0x80200000, 0x40400000, MiB2, PT_PROT_RWX);
	map_checked(&pt, 0x80400000, 0x08000000, MiB2, PT_PROT_RW | PT_PROT_DEVICE);
	map_checked(&pt, 0x3fe00000, 0x40600000, MiB2, PT_PROT_R);

	for (u64 off = 0; off < MiB2; off += 0x7f008) {
		struct sim_xlate x = walk_s2(&pt, 0x80200000 + off);

		expect_leaf(&x, 0x40400000 + off, MiB2, true, true, true, false);
		x = walk_s2(&pt, 0x80400000 + off);
		expect_leaf(&x, 0x08000000 + off, MiB2, true, true, false, true);
		x = walk_s2(&pt, 0x3fe00000 + off);
		expect_leaf(&x, 0x40600000 + off, MiB2, true, false, false, false);
	}
	assert_true(pgt_lookup(&pt, 0x80400000 + 0x1234, &leaf));
	assert_int_equal(leaf.ia, 0x80400000);
	assert_int_equal(leaf.size, MiB2);
	assert_int_equal(leaf.level, 2);
	assert_int_equal(leaf.prot, PT_PROT_RW | PT_PROT_DEVICE);
	assert_int_equal(walk_s2(&pt, 0x80600000).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(walk_s2(&pt, 0x801ff000).status, SIM_XLATE_TRANSLATION_FAULT);
	tpool_fini(&tp);
}

static void test_s2_48bit_space(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	const u64 top = (1ull << 48) - KiB4;
	struct sim_xlate x;

	(void)state;
	s2_init(&pt, &tp, 16, 48);
	map_checked(&pt, top, 0x40800000, KiB4, PT_PROT_RW);
	map_checked(&pt, 0x0000800000000000ull, 0x40a00000, MiB2, PT_PROT_R);
	x = walk_s2(&pt, top + 8);
	expect_leaf(&x, 0x40800008, KiB4, true, true, false, false);
	x = walk_s2(&pt, 0x0000800000000000ull + 0x100000);
	expect_leaf(&x, 0x40b00000, MiB2, true, false, false, false);
	assert_false(pgt_ia_valid(&pt, 1ull << 48));
	assert_true(pgt_ia_valid(&pt, top));
	tpool_fini(&tp);
}

/* ---- kcore's EL2 stage-1 regime -------------------------------------------- */

static void test_el2_stage1_read_back(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	struct sim_xlate x;

	(void)state;
	s1_init(&pt, &tp, 16);
	map_checked(&pt, KVA, 0x40200000, KiB4, PT_PROT_R);
	map_checked(&pt, KVA + KiB4, 0x40201000, KiB4, PT_PROT_RW);
	map_checked(&pt, KVA + 2 * KiB4, 0x40202000, KiB4, PT_PROT_R | PT_PROT_X);
	map_checked(&pt, KVA + 3 * KiB4, 0x09000000, KiB4, PT_PROT_RW | PT_PROT_DEVICE);
	map_checked(&pt, KVA + MiB2, 0x40400000, MiB2, PT_PROT_R);

	/* Read-only and execute-never: what the image windows need. */
	x = walk_s1(pt.root, KVA + 0x10);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), 0x40200010);
	assert_int_equal(x.leaf_size, KiB4);
	assert_true(x.readable);
	assert_false(x.writable);
	assert_false(x.executable);
	assert_int_equal(x.attr, 0); /* MAIR_EL2 Attr0: Normal */
	assert_int_equal(sim_xlate_check(&x, true), SIM_XLATE_PERMISSION_FAULT);

	x = walk_s1(pt.root, KVA + KiB4);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_true(x.writable);
	assert_false(x.executable);

	x = walk_s1(pt.root, KVA + 2 * KiB4);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_false(x.writable);
	assert_true(x.executable);

	x = walk_s1(pt.root, KVA + 3 * KiB4);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(x.attr, 1); /* MAIR_EL2 Attr1: Device-nGnRE */
	assert_false(x.executable);

	x = walk_s1(pt.root, KVA + MiB2 + 0x12345);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), 0x40412345);
	assert_int_equal(x.leaf_size, MiB2);
	assert_false(x.writable);
	assert_false(x.executable);

	assert_int_equal(walk_s1(pt.root, KVA + 4 * KiB4).status, SIM_XLATE_TRANSLATION_FAULT);
	tpool_fini(&tp);
}

/* ---- pgt_map_cost: exact, boundary by boundary ------------------------------ */

/* Maps every leaf of [ia, ia + size); checks the pool paid exactly the predicted cost. */
static void map_range_checked(struct pgtable *pt, u64 ia, u64 size, u64 leaf, u32 expect_cost)
{
	u32 cost = pgt_map_cost(pt, ia, size, leaf);
	u32 before = pool_nr_free(pt->pool);

	if (cost != expect_cost)
		print_error("cost of [%llx, +%llx) in %llx leaves: %u, expected %u\n",
			    (unsigned long long)ia, (unsigned long long)size,
			    (unsigned long long)leaf, cost, expect_cost);
	assert_int_equal(cost, expect_cost);
	assert_true(cost <= before);
	for (u64 off = 0; off < size; off += leaf)
		pgt_map_leaf(pt, ia + off, pa_init(0x40000000 + (off & (GiB1 - 1))), leaf,
			     PT_PROT_RW);
	assert_int_equal(before - pool_nr_free(pt->pool), cost);
	/* Everything is there now: mapping it again would cost nothing. */
	assert_int_equal(pgt_map_cost(pt, ia, size, leaf), 0);
}

static void test_map_cost_fresh_table(void **state)
{
	struct test_pool tp;
	struct pgtable pt;

	(void)state;
	s2_init(&pt, &tp, 64, IPA40);
	assert_int_equal(pgt_map_cost(&pt, 0x12345000, KiB4, KiB4), 3);
	assert_int_equal(pgt_map_cost(&pt, 0x12200000, MiB2, MiB2), 2);
	assert_int_equal(pgt_map_cost(&pt, 0x12345000, 0, KiB4), 0);
	/* Several pages inside one 2 MiB region: still one table per level. */
	assert_int_equal(pgt_map_cost(&pt, 0x12200000, MiB2, KiB4), 3);
	/* The very top of the IPA space. */
	assert_int_equal(pgt_map_cost(&pt, (1ull << IPA40) - KiB4, KiB4, KiB4), 3);
	/* Asking changed nothing. */
	assert_int_equal(pool_nr_free(&tp.pool), 63);
	map_range_checked(&pt, 0x12345000, KiB4, KiB4, 3);
	tpool_fini(&tp);
}

static void test_map_cost_neighbours(void **state)
{
	struct test_pool tp;
	struct pgtable pt;

	(void)state;
	s2_init(&pt, &tp, 64, IPA40);
	map_range_checked(&pt, 0x40000000, KiB4, KiB4, 3);
	/* Same 2 MiB: the level-3 table exists. */
	map_range_checked(&pt, 0x40001000, KiB4, KiB4, 0);
	map_range_checked(&pt, 0x401ff000, KiB4, KiB4, 0);
	/* Next 2 MiB: one new level-3 table. */
	map_range_checked(&pt, 0x40200000, KiB4, KiB4, 1);
	/* A block in the same 1 GiB: the level-2 table exists. */
	map_range_checked(&pt, 0x40400000, MiB2, MiB2, 0);
	/* Next 1 GiB: a level-2 and a level-3 table; a block there needs only the level-2. */
	map_range_checked(&pt, 0x80000000, KiB4, KiB4, 2);
	map_range_checked(&pt, 0xc0000000, MiB2, MiB2, 1);
	/* Next 512 GiB: level 1, 2 and 3. */
	map_range_checked(&pt, GiB512 + 0x1000, KiB4, KiB4, 3);
	map_range_checked(&pt, GiB512 + GiB1, MiB2, MiB2, 1);
	tpool_fini(&tp);
}

/* Throws the table away and starts a fresh one in the same pool. */
static void s2_reset(struct pgtable *pt, struct test_pool *tp)
{
	pgt_destroy(pt);
	assert_int_equal(pool_nr_free(&tp->pool), tp->pool.nr_pages);
	assert_int_equal(pgt_init(pt, &tp->pool, PT_STAGE2, IPA40, TEST_VMID), KCORE_OK);
}

static void test_map_cost_crossing_boundaries(void **state)
{
	struct test_pool tp;
	struct pgtable pt;

	(void)state;
	s2_init(&pt, &tp, 64, IPA40);
	/* Two pages either side of a 2 MiB boundary: one more level-3 table. */
	map_range_checked(&pt, 0x40200000 - KiB4, 2 * KiB4, KiB4, 4);
	/* 3 MiB of pages from the middle of a 2 MiB region: two level-3 tables. */
	s2_reset(&pt, &tp);
	map_range_checked(&pt, 0x40100000, 3ull << 20, KiB4, 4);
	/* Across 1 GiB: one level-1, two level-2 and two level-3 tables. */
	s2_reset(&pt, &tp);
	map_range_checked(&pt, GiB1 - KiB4, 2 * KiB4, KiB4, 5);
	/* Blocks across 1 GiB: no level-3 tables. */
	s2_reset(&pt, &tp);
	map_range_checked(&pt, 3 * GiB1 - MiB2, 2 * MiB2, MiB2, 3);
	/* Across 512 GiB (the only level-0 boundary of a 40-bit space): two of everything. */
	s2_reset(&pt, &tp);
	map_range_checked(&pt, GiB512 - KiB4, 2 * KiB4, KiB4, 6);
	s2_reset(&pt, &tp);
	map_range_checked(&pt, GiB512 - MiB2, 2 * MiB2, MiB2, 4);
	/* Partly built already: only what is missing counts. */
	map_range_checked(&pt, GiB512 - 3 * MiB2, 2 * MiB2, MiB2, 0);
	map_range_checked(&pt, GiB512 + MiB2, 2 * MiB2, KiB4, 2);
	map_range_checked(&pt, GiB512 - GiB1 - MiB2, 2 * MiB2, MiB2, 1);
	tpool_fini(&tp);
}

/* ---- pgt_range_unmapped ------------------------------------------------------ */

static void test_range_unmapped(void **state)
{
	struct test_pool tp;
	struct pgtable pt;

	(void)state;
	s2_init(&pt, &tp, 16, IPA40);
	assert_true(pgt_range_unmapped(&pt, 0, 1ull << IPA40));
	map_checked(&pt, 0x40005000, 0x40005000, KiB4, PT_PROT_RW);
	map_checked(&pt, 0x80200000, 0x40200000, MiB2, PT_PROT_RW);

	assert_false(pgt_range_unmapped(&pt, 0, 1ull << IPA40));
	assert_false(pgt_range_unmapped(&pt, 0x40005000, KiB4));
	assert_true(pgt_range_unmapped(&pt, 0x40004000, KiB4));
	assert_true(pgt_range_unmapped(&pt, 0x40006000, KiB4));
	assert_false(pgt_range_unmapped(&pt, 0x40004000, 2 * KiB4));
	assert_false(pgt_range_unmapped(&pt, 0x40000000, MiB2));
	/* Inside a block, at its edges, and just outside it. */
	assert_false(pgt_range_unmapped(&pt, 0x80300000, KiB4));
	assert_false(pgt_range_unmapped(&pt, 0x803ff000, KiB4));
	assert_false(pgt_range_unmapped(&pt, 0x801ff000, 2 * KiB4));
	assert_true(pgt_range_unmapped(&pt, 0x801ff000, KiB4));
	assert_true(pgt_range_unmapped(&pt, 0x80400000, MiB2));
	assert_true(pgt_range_unmapped(&pt, 0x40006000, 0x80200000 - 0x40006000));
	tpool_fini(&tp);
}

/*
 * One range over entries of every kind the walk meets: an empty level-1 slot
 * (below 1 GiB), a table entry whose page is mapped or not, the empty level-2
 * slots after it, and a block. The answer is the same as the leaves' one by
 * one: any leaf in the range makes it mapped, however deep and wherever in it.
 */
static void test_range_unmapped_mixed(void **state)
{
	struct test_pool tp;
	struct pgtable pt;

	(void)state;
	s2_init(&pt, &tp, 16, IPA40);
	map_checked(&pt, 0x40005000, 0x40005000, KiB4, PT_PROT_RW);
	map_checked(&pt, 0x80200000, 0x40200000, MiB2, PT_PROT_RW);

	/* Empty level-1 slot, then the table up to (not including) its page. */
	assert_true(pgt_range_unmapped(&pt, 0, 0x40005000));
	/* ... and one page further: the page in the table. */
	assert_false(pgt_range_unmapped(&pt, 0, 0x40006000));
	/* The table after its page, the empty slots, up to the block and into it. */
	assert_true(pgt_range_unmapped(&pt, 0x40006000, 0x80200000 - 0x40006000));
	assert_false(pgt_range_unmapped(&pt, 0x40006000, 0x80200000 - 0x40006000 + KiB4));
	/* Starting inside the block's last page, past it into empty slots. */
	assert_false(pgt_range_unmapped(&pt, 0x803ff000, GiB1));
	/* Every kind at once. */
	assert_false(pgt_range_unmapped(&pt, 0, 0x80400000));

	/* The table's page gone: the table stays, empty, and no longer counts. */
	assert_int_equal(pgt_unmap_leaf(&pt, 0x40005000), KiB4);
	assert_true(pgt_range_unmapped(&pt, 0, 0x80200000));
	assert_false(pgt_range_unmapped(&pt, 0, 0x80200000 + KiB4));
	/* The block gone too: nothing maps anything. */
	assert_int_equal(pgt_unmap_leaf(&pt, 0x80200000), MiB2);
	assert_true(pgt_range_unmapped(&pt, 0, 1ull << IPA40));
	tpool_fini(&tp);
}

/* ---- unmap and permission changes invalidate -------------------------------- */

static void test_unmap_leaf_invalidates(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	u64 seq;

	(void)state;
	s2_init(&pt, &tp, 16, IPA40);
	map_checked(&pt, 0x40005000, 0x40005000, KiB4, PT_PROT_RWX);
	map_checked(&pt, 0x40006000, 0x40006000, KiB4, PT_PROT_RWX);
	map_checked(&pt, 0x80200000, 0x40200000, MiB2, PT_PROT_RW);
	sim_tlb_fill_from(pt.root, TEST_VMID, IPA40);
	assert_int_equal(sim_tlb_count_regime(TEST_VMID), 3);

	seq = sim_tlbi_count();
	assert_int_equal(pgt_unmap_leaf(&pt, 0x40005000), KiB4);
	assert_true(sim_tlbi_s2_covered_since(seq, TEST_VMID, ipa_init(0x40005000)));
	/* By this table's VMID, not another's. */
	assert_false(sim_tlbi_s2_covered_since(seq, KCORE_HOST_VMID, ipa_init(0x40005000)));
	assert_int_equal(walk_s2(&pt, 0x40005000).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(walk_s2(&pt, 0x40006000).status, SIM_XLATE_OK);
	assert_int_equal(stale_count(), 0);

	/* A block, unmapped through an address inside it: the whole block goes. */
	seq = sim_tlbi_count();
	assert_int_equal(pgt_unmap_leaf(&pt, 0x80234000), MiB2);
	assert_true(sim_tlbi_s2_covered_since(seq, TEST_VMID, ipa_init(0x80200000)));
	assert_int_equal(walk_s2(&pt, 0x80200000).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(walk_s2(&pt, 0x803ff000).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(stale_count(), 0);
	assert_int_equal(sim_tlb_count_regime(TEST_VMID), 1);

	/* Nothing there: nothing to remove. */
	assert_int_equal(pgt_unmap_leaf(&pt, 0x40005000), 0);
	assert_int_equal(pgt_unmap_leaf(&pt, 0x12345000), 0);
	assert_true(pgt_range_unmapped(&pt, 0x80200000, MiB2));
	tpool_fini(&tp);
}

/*
 * An IO table for an SMMU with stage 1 only (PT_IO_S1): the same tables, its
 * leaves in the stage-1 format of an EL1&0-style regime. The table walk is
 * stage-2's (the sim's walker still finds the leaf); the leaf's bits are what
 * an SMMU's stage-1 reads: RW is AP[2:1] = 01 (AP[1]: a device's unprivileged
 * transactions too), read-only AP[2:1] = 11, nG so the entry is the domain's
 * (ASID) alone, both execute-nevers, AttrIndx 0 (Normal WB), inner shareable.
 */
static void test_io_stage1_leaves(void **state)
{
	const u64 ap1 = 1ull << 6, ap2 = 1ull << 7, ng = 1ull << 11, pxn = 1ull << 53,
		  uxn = 1ull << 54, af = 1ull << 10, sh_inner = 3ull << 8;
	struct test_pool tp;
	struct pgtable pt;
	struct pt_leaf leaf;
	struct sim_xlate x;
	u64 seq;

	(void)state;
	tpool_init(&tp, 16);
	assert_int_equal(pgt_init(&pt, &tp.pool, PT_IO_S1, IPA40, 3), KCORE_OK);
	map_checked(&pt, 0x5000, 0x40005000, KiB4, PT_PROT_RW);
	map_checked(&pt, 0x6000, 0x40006000, KiB4, PT_PROT_R);

	x = walk_s2(&pt, 0x5000);
	assert_int_equal(x.level, 3);
	assert_int_equal(x.desc, 0x40005000ull | 3 | af | sh_inner | ap1 | ng | pxn | uxn);
	x = walk_s2(&pt, 0x6000);
	assert_int_equal(x.desc, 0x40006000ull | 3 | af | sh_inner | ap1 | ap2 | ng | pxn | uxn);

	/* The core reads its own encoding back. */
	assert_true(pgt_lookup(&pt, 0x5000, &leaf));
	assert_int_equal(leaf.prot, PT_PROT_RW);
	assert_true(pgt_lookup(&pt, 0x6000, &leaf));
	assert_int_equal(leaf.prot, PT_PROT_R);

	/* An unmap invalidates the SMMU's TLB for this domain and IOVA, as PT_IO does. */
	seq = sim_tlbi_count();
	assert_int_equal(pgt_unmap_leaf(&pt, 0x5000), KiB4);
	assert_true(sim_tlbi_smmu_covered_since(seq, 3, 0x5000));
	assert_false(sim_tlbi_smmu_covered_since(seq, 4, 0x5000));
	tpool_fini(&tp);
}

static void test_unmap_leaf_el2_invalidates(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	u64 seq;

	(void)state;
	s1_init(&pt, &tp, 16);
	map_checked(&pt, KVA, 0x40200000, KiB4, PT_PROT_R);
	map_checked(&pt, KVA + KiB4, 0x40201000, KiB4, PT_PROT_R);
	seq = sim_tlbi_count();
	assert_int_equal(pgt_unmap_leaf(&pt, KVA + KiB4), KiB4);
	assert_true(sim_tlbi_el2_covered_since(seq, va_init(KVA + KiB4)));
	assert_false(sim_tlbi_el2_covered_since(seq, va_init(KVA)));
	/* kcore's own regime is invalidated by VA, never by a stage-2 VMID. */
	for (u64 i = seq; i < sim_tlbi_count(); i++) {
		struct sim_tlbi_rec r;

		assert_true(sim_tlbi_get(i, &r));
		assert_int_equal(r.type, SIM_TLBI_EL2_VA);
	}
	assert_int_equal(walk_s1(pt.root, KVA + KiB4).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(walk_s1(pt.root, KVA).status, SIM_XLATE_OK);
	tpool_fini(&tp);
}

static void test_set_prot_invalidates(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	struct sim_xlate x;
	u64 seq;

	(void)state;
	s2_init(&pt, &tp, 16, IPA40);
	map_checked(&pt, 0x40005000, 0x40005000, KiB4, PT_PROT_RWX);
	map_checked(&pt, 0x80200000, 0x40200000, MiB2, PT_PROT_RW);
	map_checked(&pt, 0x09000000, 0x09000000, KiB4, PT_PROT_RW | PT_PROT_DEVICE);
	sim_tlb_fill_from(pt.root, TEST_VMID, IPA40);

	seq = sim_tlbi_count();
	assert_int_equal(pgt_set_prot(&pt, 0x40005000, PT_PROT_R), KCORE_OK);
	assert_true(sim_tlbi_s2_covered_since(seq, TEST_VMID, ipa_init(0x40005000)));
	x = walk_s2(&pt, 0x40005000);
	expect_leaf(&x, 0x40005000, KiB4, true, false, false, false);
	assert_int_equal(stale_count(), 0);

	/* A block keeps its size and output; only the permissions change. */
	seq = sim_tlbi_count();
	assert_int_equal(pgt_set_prot(&pt, 0x80300000, PT_PROT_R | PT_PROT_X), KCORE_OK);
	assert_true(sim_tlbi_s2_covered_since(seq, TEST_VMID, ipa_init(0x80200000)));
	x = walk_s2(&pt, 0x80300008);
	expect_leaf(&x, 0x40300008, MiB2, true, false, true, false);
	assert_int_equal(stale_count(), 0);

	/* The memory type is not a permission: device stays device, normal stays normal. */
	assert_int_equal(pgt_set_prot(&pt, 0x09000000, PT_PROT_R), KCORE_OK);
	x = walk_s2(&pt, 0x09000000);
	expect_leaf(&x, 0x09000000, KiB4, true, false, false, true);
	assert_int_equal(pgt_set_prot(&pt, 0x40005000, PT_PROT_RW | PT_PROT_DEVICE), KCORE_OK);
	x = walk_s2(&pt, 0x40005000);
	expect_leaf(&x, 0x40005000, KiB4, true, true, false, false);
	assert_int_equal(stale_count(), 0);

	/* Nothing mapped: NOENT, and nothing appears. */
	assert_int_equal(pgt_set_prot(&pt, 0x40006000, PT_PROT_RW), KCORE_E_NOENT);
	assert_true(pgt_range_unmapped(&pt, 0x40006000, KiB4));
	tpool_fini(&tp);
}

static void test_set_prot_el2_invalidates(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	struct sim_xlate x;
	u64 seq;

	(void)state;
	s1_init(&pt, &tp, 16);
	map_checked(&pt, KVA, 0x40200000, KiB4, PT_PROT_RW);
	sim_tlb_fill_s1_from(pt.root);
	seq = sim_tlbi_count();
	assert_int_equal(pgt_set_prot(&pt, KVA, PT_PROT_R), KCORE_OK);
	assert_true(sim_tlbi_el2_covered_since(seq, va_init(KVA)));
	x = walk_s1(pt.root, KVA);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_false(x.writable);
	assert_int_equal(stale_count(), 0);
	/* Give the sim kcore's own stage-1 back. */
	sim_use_s1_root(kcore_s1_root());
	sim_tlb_flush_all();
	tpool_fini(&tp);
}

/* ---- pgt_for_each_leaf -------------------------------------------------------- */

struct visit_log {
	u64 ia[16];
	u64 size[16];
	u32 n;
	u32 stop_after; /* 0: never stop */
};

static bool log_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct visit_log *v = ctx;

	assert_true(v->n < ARRAY_SIZE(v->ia));
	v->ia[v->n] = leaf->ia;
	v->size[v->n] = leaf->size;
	v->n++;
	return v->stop_after == 0 || v->n < v->stop_after;
}

static void expect_visits(const struct pgtable *pt, u64 start, u64 end, const u64 *ia, u32 n)
{
	struct visit_log v = {.n = 0};

	pgt_for_each_leaf(pt, start, end, log_leaf, &v);
	if (v.n != n)
		print_error("[%llx, %llx): %u leaves visited, expected %u\n",
			    (unsigned long long)start, (unsigned long long)end, v.n, n);
	assert_int_equal(v.n, n);
	for (u32 i = 0; i < n; i++)
		assert_int_equal(v.ia[i], ia[i]);
}

static void test_for_each_leaf(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	/* Mapped out of order, across every level's boundaries. */
	const u64 pages[] = {GiB512 + 0x3000, 0x40003000, 0x1000,
			     0x40001000,      0x40200000, GiB1 - KiB4};
	const u64 block = 0x80200000;
	const u64 all[] = {0x1000,     GiB1 - KiB4, 0x40001000,	    0x40003000,
			   0x40200000, block,	    GiB512 + 0x3000};
	struct visit_log v = {.n = 0, .stop_after = 3};

	(void)state;
	s2_init(&pt, &tp, 32, IPA40);
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++)
		map_checked(&pt, pages[i], 0x40000000 + i * KiB4, KiB4, PT_PROT_RW);
	map_checked(&pt, block, 0x40400000, MiB2, PT_PROT_RW);

	expect_visits(&pt, 0, 1ull << IPA40, all, 7);
	/* Boundaries exactly on leaves: start inclusive, end exclusive. */
	expect_visits(&pt, 0x40001000, 0x40200000, &all[2], 2);
	expect_visits(&pt, 0x40001000, 0x40200001, &all[2], 3);
	expect_visits(&pt, 0x40002000, 0x40003000, NULL, 0);
	expect_visits(&pt, 0x2000, GiB1 - KiB4, NULL, 0);
	/* A range starting inside a block still sees the block (it overlaps). */
	expect_visits(&pt, block + 0x100000, block + 0x101000, &all[5], 1);
	expect_visits(&pt, block + MiB2, 1ull << IPA40, &all[6], 1);
	/* An end beyond the IPA space is clamped to it. */
	expect_visits(&pt, GiB512, ~0ull, &all[6], 1);
	/* The callback stops the walk. */
	pgt_for_each_leaf(&pt, 0, 1ull << IPA40, log_leaf, &v);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.ia[2], all[2]);
	assert_int_equal(v.size[2], KiB4);
	tpool_fini(&tp);
}

/* ---- the one walker: the count of a map is what the map takes ------------------ */

static u64 rnd_state;

static u64 rnd(void)
{
	u64 z = (rnd_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void count_table(void *ctx, paddr_t table, u32 level)
{
	(void)table;
	(void)level;
	(*(u32 *)ctx)++;
}

/* An address near one of the boundaries that make a map cost more (or the space's top). */
static u64 random_ia(u32 ia_bits, u64 leaf)
{
	const u64 top = 1ull << ia_bits;
	const u64 near[] = {0, MiB2, GiB1, 3 * GiB1, GiB512, top / 2, top - 8 * MiB2};
	u64 ia = near[rnd() % ARRAY_SIZE(near)];
	s64 off = (s64)(rnd() % 16) - 8;

	ia = off < 0 && ia < (u64)-off * leaf ? 0 : ia + (u64)off * leaf;
	return ia & ~(leaf - 1);
}

/* Whether any page was ever mapped in the 2 MiB region of ia (its level-3 table stays). */
static bool region_had_pages(const u64 *regions, u32 n, u64 ia)
{
	for (u32 i = 0; i < n; i++) {
		if (regions[i] == (ia & ~(MiB2 - 1)))
			return true;
	}
	return false;
}

/*
 * Random maps of 1 to 4 leaves, pages or blocks, in every regime, with unmaps
 * in between: the map cost (the counting walk) is exactly what the map takes
 * from the pool, the one-page prepare (pgt_page_unmapped) agrees with
 * pgt_range_unmapped and pgt_map_cost, a mapped range costs nothing more, every
 * leaf reads back, and the table pages the walk lists are the pool's.
 */
static void test_walker_cost_is_what_map_takes(void **state)
{
	const enum pt_regime regimes[] = {PT_STAGE2, PT_EL2_STAGE1, PT_IO, PT_IO_S1};
	const u32 bits[] = {IPA40, 48, 44, 48};
	const u32 nr_pages = 160;

	(void)state;
	rnd_state = 15;
	for (size_t r = 0; r < ARRAY_SIZE(regimes); r++) {
		struct test_pool tp;
		struct pgtable pt;
		u64 regions[256], mapped[256];
		u32 nr_regions = 0, nr_mapped = 0, tables = 0, maps = 0;

		tpool_init(&tp, nr_pages);
		assert_int_equal(pgt_init(&pt, &tp.pool, regimes[r], bits[r], 7), KCORE_OK);
		for (u32 step = 0; step < 400; step++) {
			u64 leaf = rnd() % 4 == 0 ? MiB2 : KiB4;
			u64 n = 1 + rnd() % 4;
			u64 ia = random_ia(bits[r], leaf);
			u64 size = n * leaf;
			u32 before = pool_nr_free(&tp.pool), cost, one;
			bool unmapped;
			struct pt_leaf got;

			if (nr_mapped > 0 && rnd() % 5 == 0) {
				u32 i = (u32)(rnd() % nr_mapped);

				assert_int_equal(pgt_unmap_leaf(&pt, mapped[i]), KiB4);
				assert_false(pgt_lookup(&pt, mapped[i], &got));
				mapped[i] = mapped[--nr_mapped];
				assert_int_equal(pool_nr_free(&tp.pool), before); /* tables stay */
			}
			if (ia + size > 1ull << bits[r])
				continue;
			unmapped = pgt_range_unmapped(&pt, ia, size);
			cost = pgt_map_cost(&pt, ia, size, leaf);
			if (leaf == KiB4) {
				bool page_free = pgt_page_unmapped(&pt, ia, &one);

				assert_int_equal(page_free, pgt_range_unmapped(&pt, ia, KiB4));
				if (page_free)
					assert_int_equal(one, pgt_map_cost(&pt, ia, KiB4, KiB4));
			}
			if (!unmapped || cost > before || nr_mapped + n > ARRAY_SIZE(mapped) ||
			    nr_regions + n > ARRAY_SIZE(regions))
				continue;
			/* A block needs its level-2 entry empty: no page table left behind there.
			 */
			if (leaf == MiB2 && (region_had_pages(regions, nr_regions, ia) ||
					     region_had_pages(regions, nr_regions, ia + size - 1)))
				continue;
			for (u64 off = 0; off < size; off += leaf) {
				pgt_map_leaf(&pt, ia + off, pa_init(0x40000000 + off), leaf,
					     PT_PROT_RW);
				if (leaf == KiB4) {
					mapped[nr_mapped++] = ia + off;
					if (!region_had_pages(regions, nr_regions, ia + off))
						regions[nr_regions++] = (ia + off) & ~(MiB2 - 1);
				}
			}
			maps++;
			assert_int_equal(before - pool_nr_free(&tp.pool), cost);
			assert_int_equal(pgt_map_cost(&pt, ia, size, leaf), 0);
			assert_false(pgt_range_unmapped(&pt, ia, size));
			for (u64 off = 0; off < size; off += leaf) {
				assert_true(pgt_lookup(&pt, ia + off + leaf / 2, &got));
				assert_int_equal(got.ia, ia + off);
				assert_int_equal(pa_addr(got.pa), 0x40000000 + off);
				assert_int_equal(got.size, leaf);
				assert_int_equal(got.prot, PT_PROT_RW);
			}
		}
		assert_true(maps > 20);
		pgt_for_each_table(&pt, count_table, &tables);
		assert_int_equal(tables, nr_pages - pool_nr_free(&tp.pool));
		pgt_destroy(&pt);
		assert_int_equal(pool_nr_free(&tp.pool), nr_pages);
		tpool_fini(&tp);
	}
}

/* ---- pools and pgt_destroy ------------------------------------------------------ */

static void test_destroy_returns_every_page(void **state)
{
	struct test_pool tp;
	struct pgtable pt;
	paddr_t got[24];

	(void)state;
	s2_init(&pt, &tp, 24, IPA40);
	map_checked(&pt, 0x1000, 0x40000000, KiB4, PT_PROT_RW);
	map_checked(&pt, 0x40200000, 0x40200000, KiB4, PT_PROT_RW);
	map_checked(&pt, 0x80000000, 0x40400000, MiB2, PT_PROT_RW);
	map_checked(&pt, GiB512 + 0x5000, 0x40001000, KiB4, PT_PROT_RW);
	map_checked(&pt, (1ull << IPA40) - KiB4, 0x40002000, KiB4, PT_PROT_RW);
	assert_true(pool_nr_free(&tp.pool) < 24 - 8);
	pgt_destroy(&pt);
	assert_int_equal(pool_nr_free(&tp.pool), 24);
	assert_true(pool_free_pages_zeroed(&tp.pool));
	assert_int_equal(pa_addr(pt.root), 0);

	/* The free stack holds every page exactly once: allocate them all back. */
	for (u32 i = 0; i < 24; i++) {
		got[i] = pool_alloc(&tp.pool);
		assert_true(pool_contains(&tp.pool, got[i]));
		for (u32 j = 0; j < i; j++)
			assert_int_not_equal(pa_addr(got[i]), pa_addr(got[j]));
	}
	assert_int_equal(pool_nr_free(&tp.pool), 0);
	for (u32 i = 0; i < 24; i++)
		pool_free(&tp.pool, got[i]);
	assert_true(pool_free_pages_zeroed(&tp.pool));
	tpool_fini(&tp);
}

static void test_pool_pages_zeroed(void **state)
{
	struct test_pool tp;
	paddr_t a, b;
	u8 *p;

	(void)state;
	tpool_init(&tp, 4); /* started dirty (0xa5): pool_init zeroed them */
	assert_true(pool_free_pages_zeroed(&tp.pool));
	a = pool_alloc(&tp.pool);
	b = pool_alloc(&tp.pool);
	assert_int_not_equal(pa_addr(a), pa_addr(b));
	p = sim_ram_ptr(a);
	for (size_t i = 0; i < KiB4; i++)
		assert_int_equal(p[i], 0);
	/* A table page comes back dirty: the pool scrubs it. */
	memset(p, 0x5a, KiB4);
	pool_free(&tp.pool, a);
	assert_true(pool_free_pages_zeroed(&tp.pool));
	for (size_t i = 0; i < KiB4; i++)
		assert_int_equal(p[i], 0);
	/* The check can fail: dirty a free page behind the pool's back. */
	p[100] = 1;
	assert_false(pool_free_pages_zeroed(&tp.pool));
	p[100] = 0;
	/* pool_contains: only page-aligned addresses of the pool. */
	assert_true(pool_contains(&tp.pool, tp.pool.base));
	assert_true(pool_contains(&tp.pool, pa_add(tp.pool.base, 3 * KiB4)));
	assert_false(pool_contains(&tp.pool, pa_add(tp.pool.base, 4 * KiB4)));
	assert_false(pool_contains(&tp.pool, pa_add(tp.pool.base, 8)));
	assert_false(pool_contains(&tp.pool, pa_init(pa_addr(tp.pool.base) - KiB4)));
	tpool_fini(&tp);
}

static void test_pgt_init_empty_pool(void **state)
{
	struct test_pool tp;
	struct pgtable pt, pt2;

	(void)state;
	tpool_init(&tp, 1);
	assert_int_equal(pgt_init(&pt, &tp.pool, PT_STAGE2, IPA40, TEST_VMID), KCORE_OK);
	assert_int_equal(pool_nr_free(&tp.pool), 0);
	assert_int_equal(pgt_init(&pt2, &tp.pool, PT_STAGE2, IPA40, TEST_VMID), KCORE_E_NOMEM);
	assert_int_equal(pool_nr_free(&tp.pool), 0);
	/* A one-page table can map nothing: the prepare step says so. */
	assert_true(pgt_map_cost(&pt, 0x1000, KiB4, KiB4) > pool_nr_free(&tp.pool));
	pgt_destroy(&pt);
	assert_int_equal(pool_nr_free(&tp.pool), 1);
	tpool_fini(&tp);
}

/* ---- pool exhaustion through the host calls: refused, nothing changed ----------- */

static int setup_small_vm_pool(void **state)
{
	struct fx_config c = fx_default_config();

	(void)state;
	c.vm_pool_pages = 4; /* a root and one path of three tables */
	fx_boot(&c);
	return 0;
}

static void test_donate_nomem_changes_nothing(void **state)
{
	u64 vmid, pa1 = fx_host_page(), pa2 = fx_host_page(), pa3 = fx_host_page();
	u64 block = fx_host_alloc(MiB2, MiB2);
	u64 v = 0x1122334455667788ull;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	assert_int_equal(pool_nr_free(&vm_from_id(vmid)->pool), 3);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, 0x10000000, pa1, KiB4, NULL), KCORE_OK);
	assert_int_equal(pool_nr_free(&vm_from_id(vmid)->pool), 0);
	/* The host uses pa2, so it is mapped and cached when the donation is refused. */
	assert_int_equal(sim_host_access(ipa_init(pa2), true, &v), SIM_OK);
	fx_check();

	/* Another 1 GiB region (a level-2 and a level-3 table), another 512 GiB: no room. */
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_VM_DONATE, vmid, 0x80000000, pa2, KiB4);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_VM_DONATE, vmid, GiB512, pa2, KiB4);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_VM_DONATE, vmid, 0x80000000, block, MiB2);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_VM_MAP_IO, vmid, 0x80000000, FX_DEVICE_BASE, 0);
	assert_int_equal(fx_owner(pa2), OWNER_HOST);
	assert_int_equal(fx_owner(block), OWNER_HOST);
	assert_true(pgt_range_unmapped(&vm_from_id(vmid)->s2, 0x80000000, MiB2));
	v = 0;
	assert_int_equal(sim_host_access(ipa_init(pa2), false, &v), SIM_OK);
	assert_int_equal(v, 0x1122334455667788ull);

	/* The check is the exact cost, not a blanket refusal: next to pa1 costs nothing. */
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, 0x10001000, pa3, KiB4, NULL), KCORE_OK);
	assert_int_equal(fx_owner(pa3), vmid);
	fx_check();
}

static void test_verify_nomem_changes_nothing(void **state)
{
	static const u8 payload[300] = {1, 2, 3};
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 vmid, pa, pc = 0;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, 0x10000000, fx_host_page(), KiB4, NULL),
			 KCORE_OK);
	assert_int_equal(fx_load_image((u32)vmid, FX_LOAD_IPA, img, size, &pa), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	fx_check();
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_VERIFY_VM, vmid, 0, 0, 0);
	/* Not failed verification: the VM is still READY, its image still kcore's. */
	assert_int_equal(vm_from_id(vmid)->state, VM_READY);
	assert_int_equal(fx_owner(pa), OWNER_KCORE);
	assert_int_not_equal(vcpu_activate((u32)vmid, 0, &pc), KCORE_OK);
	free(img);
}

static int setup_small_kcore_pool(void **state)
{
	struct fx_config c = fx_default_config();

	(void)state;
	c.kcore_pool_pages = 4;
	fx_boot(&c);
	return 0;
}

static void test_remap_nomem_kcore_pool(void **state)
{
	u64 vmid, idx0, idx1, pa1 = fx_host_page(), pa2 = fx_host_page();
	u64 v = 0x55aa55aa55aa55aaull;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	/* Image 0 takes window pages 0..511 (one level-3 table); image 1 starts the next. */
	assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA, MiB2, 0, &idx0), KCORE_OK);
	assert_int_equal(
	    fx_hc(KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + 2 * MiB2, 2 * KiB4, 0, &idx1), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REMAP_VM_IMAGE, vmid, pa1 >> 12, idx0, 0, NULL), KCORE_OK);
	assert_int_equal(pool_nr_free(kmap_pool()), 0);
	assert_int_equal(sim_host_access(ipa_init(pa2), true, &v), SIM_OK);
	fx_check();

	fx_expect_refused(KCORE_E_NOMEM, KC_HC_REMAP_VM_IMAGE, vmid, pa2 >> 12, idx1, 0);
	assert_int_equal(fx_owner(pa2), OWNER_HOST);
	v = 0;
	assert_int_equal(sim_host_access(ipa_init(pa2), false, &v), SIM_OK);
	assert_int_equal(v, 0x55aa55aa55aa55aaull);
	/* Inside the existing level-3 table the same page is accepted. */
	assert_int_equal(fx_hc(KC_HC_REMAP_VM_IMAGE, vmid, pa2 >> 12, idx0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_owner(pa2), OWNER_KCORE);
	fx_check();
}

static void test_kmap_map_page_nomem(void **state)
{
	u64 pa = fx_host_page();
	paddr_t got;

	(void)state;
	assert_int_equal(pool_nr_free(kmap_pool()), 3);
	struct mem_locked locked = mem_lock();

	assert_int_equal(kmap_map_page(locked, va_init(KVA), pa_init(pa), PT_PROT_R), KCORE_OK);
	assert_int_equal(pool_nr_free(kmap_pool()), 0);
	/* Another 512 GiB of VA: three tables needed, none left. */
	assert_int_equal(kmap_map_page(locked, va_init(KVA + GiB512), pa_init(pa), PT_PROT_R),
			 KCORE_E_NOMEM);
	/* Another 2 MiB: one table needed, none left. */
	assert_int_equal(kmap_map_page(locked, va_init(KVA + MiB2), pa_init(pa), PT_PROT_R),
			 KCORE_E_NOMEM);
	assert_false(kmap_lookup(va_init(KVA + GiB512), &got));
	assert_false(kmap_lookup(va_init(KVA + MiB2), &got));
	assert_int_equal(pool_nr_free(kmap_pool()), 0);
	/* The neighbour costs nothing and is accepted. */
	assert_int_equal(kmap_map_page(locked, va_init(KVA + KiB4), pa_init(pa), PT_PROT_R),
			 KCORE_OK);
	mem_unlock(locked);
	assert_true(kmap_lookup(va_init(KVA), &got));
	assert_int_equal(pa_addr(got), pa);
	assert_int_equal(walk_s1(kcore_s1_root(), KVA + MiB2).status, SIM_XLATE_TRANSLATION_FAULT);
	fx_check();
}

static int setup_small_window(void **state)
{
	struct fx_config c = fx_default_config();

	(void)state;
	c.window_pages = 16;
	fx_boot(&c);
	return 0;
}

static void test_set_boot_info_window_exhausted(void **state)
{
	u64 vmid, idx;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA, 12 * KiB4, 0, &idx),
			 KCORE_OK);
	/* Five pages do not fit in the four left; nothing is reserved. */
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + MiB2,
			  4 * KiB4 + 1, 0);
	assert_int_equal(kmap_window_reserved(), 12);
	assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + MiB2, 4 * KiB4, 0, &idx),
			 KCORE_OK);
	assert_int_equal(kmap_window_reserved(), 16);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + 2 * MiB2, 300, 0);
}

/* ---- kmap: write-once, and windows that never overlap ---------------------------- */

static void test_kmap_write_once(void **state)
{
	u64 pa1 = fx_host_page(), pa2 = fx_host_page();
	u32 free_before;
	struct sim_xlate x;
	paddr_t got;

	(void)state;
	struct mem_locked locked = mem_lock();

	assert_int_equal(kmap_map_page(locked, va_init(KVA), pa_init(pa1), PT_PROT_R), KCORE_OK);
	free_before = pool_nr_free(kmap_pool());
	assert_int_equal(kmap_map_page(locked, va_init(KVA), pa_init(pa2), PT_PROT_RW),
			 KCORE_E_EXIST);
	assert_int_equal(kmap_map_page(locked, va_init(KVA), pa_init(pa1), PT_PROT_R),
			 KCORE_E_EXIST);
	/* Malformed requests are refused, not rounded. */
	assert_int_equal(kmap_map_page(locked, va_init(KVA + 0x800), pa_init(pa2), PT_PROT_R),
			 KCORE_E_INVAL);
	assert_int_equal(kmap_map_page(locked, va_init(KVA + KiB4), pa_init(pa2 + 8), PT_PROT_R),
			 KCORE_E_INVAL);
	assert_int_equal(kmap_map_page(locked, va_init(1ull << 48), pa_init(pa2), PT_PROT_R),
			 KCORE_E_INVAL);
	mem_unlock(locked);
	assert_int_equal(pool_nr_free(kmap_pool()), free_before);
	assert_true(kmap_lookup(va_init(KVA + 0x123), &got));
	assert_int_equal(pa_addr(got), pa1 + 0x123);
	x = walk_s1(kcore_s1_root(), KVA);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), pa1);
	assert_false(x.writable);
	assert_false(kmap_lookup(va_init(KVA + KiB4), &got));
	fx_check();
}

static void test_kmap_window_alloc_never_overlaps(void **state)
{
	const u64 sizes[] = {1, 3, 2, 5};
	vaddr_t va[ARRAY_SIZE(sizes)];
	u64 base = va_addr(kmap_window_base());
	vaddr_t none = va_init(0xdead000);

	(void)state;
	assert_int_equal(kmap_window_limit(), 16);
	struct mem_locked locked = mem_lock();

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		assert_int_equal(kmap_window_alloc(locked, sizes[i], &va[i]), KCORE_OK);
	/* 11 used, 5 left: 6 do not fit, nothing is reserved, *va is untouched. */
	assert_int_equal(kmap_window_alloc(locked, 6, &none), KCORE_E_NOMEM);
	assert_int_equal(kmap_window_alloc(locked, 0, &none), KCORE_E_NOMEM);
	assert_int_equal(kmap_window_alloc(locked, ~0ull, &none), KCORE_E_NOMEM);
	assert_int_equal(kmap_window_alloc(locked, 1ull << 52, &none), KCORE_E_NOMEM);
	assert_int_equal(va_addr(none), 0xdead000);
	assert_int_equal(kmap_window_reserved(), 11);
	assert_int_equal(kmap_window_alloc(locked, 5, &none), KCORE_OK);
	assert_int_equal(kmap_window_alloc(locked, 1, &none), KCORE_E_NOMEM);
	mem_unlock(locked);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 s1 = va_addr(va[i]), e1 = s1 + sizes[i] * KiB4;

		assert_true(s1 >= base && e1 <= base + 16 * KiB4);
		assert_true((s1 & (KiB4 - 1)) == 0);
		for (size_t j = 0; j < i; j++) {
			u64 s2 = va_addr(va[j]), e2 = s2 + sizes[j] * KiB4;

			assert_false(s1 < e2 && s2 < e1);
		}
	}
	assert_int_equal(va_addr(none), base + 11 * KiB4);
	fx_check();
}

static void test_kmap_window_map_once(void **state)
{
	u64 pa1 = fx_host_page(), pa2 = fx_host_page();
	vaddr_t va;
	paddr_t got;

	(void)state;
	struct mem_locked locked = mem_lock();

	assert_int_equal(kmap_window_alloc(locked, 2, &va), KCORE_OK);
	/* Beyond what was reserved, or not page aligned: not a window page. */
	assert_int_equal(kmap_window_map(locked, va_add(va, 2 * KiB4), pa_init(pa1)),
			 KCORE_E_INVAL);
	assert_int_equal(kmap_window_map(locked, va_add(va, 8), pa_init(pa1)), KCORE_E_INVAL);
	assert_int_equal(kmap_window_map(locked, va_init(va_addr(va) - KiB4), pa_init(pa1)),
			 KCORE_E_INVAL);
	assert_int_equal(kmap_window_map(locked, va, pa_init(pa1)), KCORE_OK);
	assert_int_equal(kmap_window_map(locked, va, pa_init(pa2)), KCORE_E_EXIST);
	mem_unlock(locked);
	assert_true(kmap_lookup(va, &got));
	assert_int_equal(pa_addr(got), pa1);
	assert_int_equal(kmap_window_logged(0), (pa1 >> 12) + 1);
	assert_int_equal(kmap_window_logged(1), 0);
	/* The window is read-only for kcore itself. */
	assert_false(walk_s1(kcore_s1_root(), va_addr(va)).writable);
	fx_check();
}

static void test_kmap_needs_mem_lock(void **state)
{
	pid_t pid;
	int status = 0;

	(void)state;
	assert_false(mem_lock_held());
	/* Nothing buffered may be written twice (by the child's exit too). */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/*
		 * Without mem_lock, with a forged token (only a test can make one:
		 * scripts/check_mem_rules.sh): the run-time check still halts.
		 */
		(void)kmap_map_page((struct mem_locked){}, va_init(KVA),
				    pa_init(FX_RAM_BASE + 0x200000), PT_PROT_R);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), SIM_HALT_EXIT_CODE);
}

/* ---- pgowner ---------------------------------------------------------------------- */

static void test_pgowner_bounds(void **state)
{
	const u64 last = FX_RAM_BASE + FX_RAM_SIZE - KiB4;
	const struct page_info *first_e, *last_e, *mid_e;
	u64 mid = fx_host_page();
	const u64 outside[] = {0,
			       FX_DEVICE_BASE,
			       FX_KCORE_DEVICE,
			       FX_RAM_BASE - KiB4,
			       FX_RAM_BASE - 1,
			       FX_RAM_BASE + FX_RAM_SIZE,
			       FX_RAM_BASE + FX_RAM_SIZE + KiB4,
			       FX_RAM_BASE | (1ull << 52), /* RAM's first page, with a high bit */
			       1ull << 48,
			       1ull << 63,
			       ~0ull};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
		assert_null(pgowner_get(pa_init(outside[i])));
		assert_false(pgowner_is_ram(pa_init(outside[i])));
	}
	first_e = pgowner_get(pa_init(FX_RAM_BASE));
	last_e = pgowner_get(pa_init(last));
	mid_e = pgowner_get(pa_init(mid));
	assert_non_null(first_e);
	assert_non_null(last_e);
	assert_non_null(mid_e);
	assert_true(first_e != last_e && first_e != mid_e && mid_e != last_e);
	/* One entry per page, whatever the offset inside it. */
	assert_ptr_equal(pgowner_get(pa_init(FX_RAM_BASE + 0xfff)), first_e);
	assert_ptr_equal(pgowner_get(pa_init(last + 0xfff)), last_e);
	assert_ptr_equal(pgowner_get(pa_init(FX_RAM_BASE + KiB4)), first_e + 1);
	assert_ptr_equal(pgowner_get(pa_init(last - KiB4)), last_e - 1);
	assert_true(pgowner_is_ram(pa_init(FX_RAM_BASE)));
	assert_true(pgowner_is_ram(pa_init(last)));

	assert_int_equal(pgowner_nr_pages(), FX_RAM_SIZE / KiB4);
	assert_int_equal(pa_addr(pgowner_page_at(0)), FX_RAM_BASE);
	assert_int_equal(pa_addr(pgowner_page_at(pgowner_nr_pages() - 1)), last);
	assert_ptr_equal(last_e, first_e + (pgowner_nr_pages() - 1));

	/* kcore's image at the bottom, its carve-out at the top, the host in between. */
	assert_int_equal(first_e->owner, OWNER_KCORE);
	assert_int_equal(last_e->owner, OWNER_KCORE);
	assert_int_equal(mid_e->owner, OWNER_HOST);
	assert_int_equal(mid_e->count, 0);
	assert_int_equal(mid_e->gfn, GFN_NONE);
	assert_int_equal(pgowner_get(pa_init(FX_RAM_BASE + FX_KCORE_IMAGE_SIZE - KiB4))->owner,
			 OWNER_KCORE);
	assert_int_equal(pgowner_get(pa_init(FX_RAM_BASE + FX_KCORE_IMAGE_SIZE))->owner,
			 OWNER_HOST);
}

static void test_pgowner_two_banks(void **state)
{
	/* Given high bank first: the table follows the order of the description. */
	const struct kcore_mem_range ram[2] = {
	    {pa_init(0x880000000ull), 8 * KiB4},
	    {pa_init(0x40000000ull), 16 * KiB4},
	};
	u64 bytes = pgowner_table_bytes(ram, 2);
	struct page_info *table = malloc((size_t)bytes);
	struct mem_locked locked;

	(void)state;
	assert_int_equal(bytes, 24 * sizeof(struct page_info));
	assert_non_null(table);
	locked = mem_lock();
	pgowner_init(table, ram, 2);
	mem_owners_init(locked, NULL, 0); /* core/mem writes the entries: all the host's */
	mem_unlock(locked);
	assert_int_equal(pgowner_nr_pages(), 24);
	assert_ptr_equal(pgowner_get(pa_init(0x880000000ull)), &table[0]);
	assert_ptr_equal(pgowner_get(pa_init(0x880000000ull + 7 * KiB4)), &table[7]);
	assert_null(pgowner_get(pa_init(0x880000000ull + 8 * KiB4)));
	assert_ptr_equal(pgowner_get(pa_init(0x40000000ull)), &table[8]);
	assert_ptr_equal(pgowner_get(pa_init(0x40000000ull + 15 * KiB4)), &table[23]);
	assert_null(pgowner_get(pa_init(0x40000000ull + 16 * KiB4)));
	assert_null(pgowner_get(pa_init(0x40000000ull - KiB4)));
	assert_null(pgowner_get(pa_init(0x880000000ull - KiB4)));
	assert_int_equal(pa_addr(pgowner_page_at(7)), 0x880000000ull + 7 * KiB4);
	assert_int_equal(pa_addr(pgowner_page_at(8)), 0x40000000ull);
	assert_int_equal(pa_addr(pgowner_page_at(23)), 0x40000000ull + 15 * KiB4);
	for (u32 i = 0; i < 24; i++) {
		assert_int_equal(table[i].owner, OWNER_HOST);
		assert_int_equal(table[i].gfn, GFN_NONE);
	}
	/* Put the booted machine's table back before the storage goes. */
	fx_boot(NULL);
	free(table);
}

/*
 * FEAT_S2FWB (arch/aarch64/el2ctl.c): once forced, the CPU's stage-2 Normal
 * leaves say "Write-Back whatever stage 1 says" (MemAttr 0b0110) and still
 * decode as Normal; Device leaves and IO tables are unchanged. Global and
 * one-way, so in a child process.
 */
static void test_s2_force_write_back_encoding(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		u64 before = desc_make_leaf(PT_STAGE2, 3, pa_init(0x40001000), PT_PROT_RW);
		u64 normal, device, io;
		bool ok;

		desc_s2_force_write_back();
		normal = desc_make_leaf(PT_STAGE2, 3, pa_init(0x40001000), PT_PROT_RW);
		device =
		    desc_make_leaf(PT_STAGE2, 3, pa_init(0x9000000), PT_PROT_RW | PT_PROT_DEVICE);
		io = desc_make_leaf(PT_IO, 3, pa_init(0x40001000), PT_PROT_RW);
		ok = (before & S2_MEMATTR_MASK) == S2_MEMATTR_NORMAL_WB &&
		     (normal & S2_MEMATTR_MASK) == S2_MEMATTR_FWB_NORMAL_WB &&
		     (normal & ~S2_MEMATTR_MASK) == (before & ~S2_MEMATTR_MASK) &&
		     desc_leaf_prot(PT_STAGE2, normal) == PT_PROT_RW &&
		     (device & S2_MEMATTR_MASK) == S2_MEMATTR_DEVICE_nGnRE &&
		     (desc_leaf_prot(PT_STAGE2, device) & PT_PROT_DEVICE) != 0 &&
		     (io & S2_MEMATTR_MASK) == S2_MEMATTR_NORMAL_WB &&
		     desc_leaf_prot(PT_IO, io) == PT_PROT_RW;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_s2_pages_read_back, setup),
	    cmocka_unit_test_setup(test_s2_blocks_read_back, setup),
	    cmocka_unit_test_setup(test_s2_48bit_space, setup),
	    cmocka_unit_test_setup(test_el2_stage1_read_back, setup),
	    cmocka_unit_test_setup(test_io_stage1_leaves, setup),
	    cmocka_unit_test_setup(test_map_cost_fresh_table, setup),
	    cmocka_unit_test_setup(test_map_cost_neighbours, setup),
	    cmocka_unit_test_setup(test_map_cost_crossing_boundaries, setup),
	    cmocka_unit_test_setup(test_range_unmapped, setup),
	    cmocka_unit_test_setup(test_range_unmapped_mixed, setup),
	    cmocka_unit_test_setup(test_unmap_leaf_invalidates, setup),
	    cmocka_unit_test_setup(test_unmap_leaf_el2_invalidates, setup),
	    cmocka_unit_test_setup(test_set_prot_invalidates, setup),
	    cmocka_unit_test_setup(test_set_prot_el2_invalidates, setup),
	    cmocka_unit_test_setup(test_for_each_leaf, setup),
	    cmocka_unit_test_setup(test_walker_cost_is_what_map_takes, setup),
	    cmocka_unit_test_setup(test_destroy_returns_every_page, setup),
	    cmocka_unit_test_setup(test_pool_pages_zeroed, setup),
	    cmocka_unit_test_setup(test_pgt_init_empty_pool, setup),
	    cmocka_unit_test_setup(test_donate_nomem_changes_nothing, setup_small_vm_pool),
	    cmocka_unit_test_setup(test_verify_nomem_changes_nothing, setup_small_vm_pool),
	    cmocka_unit_test_setup(test_remap_nomem_kcore_pool, setup_small_kcore_pool),
	    cmocka_unit_test_setup(test_kmap_map_page_nomem, setup_small_kcore_pool),
	    cmocka_unit_test_setup(test_set_boot_info_window_exhausted, setup_small_window),
	    cmocka_unit_test_setup(test_kmap_write_once, setup),
	    cmocka_unit_test_setup(test_kmap_window_alloc_never_overlaps, setup_small_window),
	    cmocka_unit_test_setup(test_kmap_window_map_once, setup),
	    cmocka_unit_test_setup(test_kmap_needs_mem_lock, setup),
	    cmocka_unit_test_setup(test_pgowner_bounds, setup),
	    cmocka_unit_test_setup(test_pgowner_two_banks, setup),
	    cmocka_unit_test(test_s2_force_write_back_encoding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
