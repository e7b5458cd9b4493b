// SPDX-License-Identifier: MIT
/*
 * The simulated MMU and TLB against page tables written by hand, descriptor
 * by descriptor, from the Arm ARM's formats: if these tests and the core's
 * encoder disagree, one of them misreads the architecture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/sim/sim.h"
#include "core/arch.h"

#define RAM   SIM_DEFAULT_RAM_BASE
#define GiB   (1ull << 30)
#define MiB   (1ull << 20)
#define KiB4  0x1000ull
#define VM    1u /* the VMID most tests use */
#define VM2   2u
#define IPA40 40u

/* ---- descriptors, encoded here independently ---------------------------- */

#define DESC_TABLE  3ull /* bits[1:0] of a table (levels 0..2) or page (level 3) */
#define DESC_BLOCK  1ull
#define AF	    (1ull << 10)
#define SH_INNER    (3ull << 8)
#define CONTIG	    (1ull << 52)
#define S2_XN	    (1ull << 54)
#define S2_XN0	    (1ull << 53)
#define S2AP_NONE   0ull
#define S2AP_RO	    1ull
#define S2AP_WO	    2ull
#define S2AP_RW	    3ull
#define MA_DEVICE   0x1ull /* Device-nGnRE */
#define MA_NORMALWB 0xfull
#define S1_AP1	    (1ull << 6) /* RES1 at EL2 */
#define S1_RO	    (1ull << 7)
#define S1_XN	    (1ull << 54)
#define APTABLE_RO  (1ull << 62)
#define APTABLE_0   (1ull << 61)
#define XNTABLE	    (1ull << 60)

static u64 table_desc(u64 next)
{
	return next | DESC_TABLE;
}

static u64 s2_desc(u64 oa, u32 level, u64 memattr, u64 s2ap)
{
	return oa | (memattr << 2) | (s2ap << 6) | SH_INNER | AF |
	       (level == 3 ? DESC_TABLE : DESC_BLOCK);
}

static u64 s2_rw(u64 oa, u32 level)
{
	return s2_desc(oa, level, MA_NORMALWB, S2AP_RW);
}

static u64 s1_desc(u64 oa, u32 level, u64 attrindx)
{
	return oa | (attrindx << 2) | S1_AP1 | SH_INNER | AF |
	       (level == 3 ? DESC_TABLE : DESC_BLOCK);
}

/* Table pages and data pages at fixed places in RAM. */
static u64 tp(u32 n)
{
	return RAM + 0x100000 + n * KiB4;
}

static void put(u64 table, u64 index, u64 desc)
{
	sim_write_u64(pa_init(table + index * 8), desc);
}

/*
 * The stage-2 most tests use, root tp(0):
 *   IPA 0x40005000 page     -> PA RAM + 8 MiB       (RW, Normal WB)
 *   IPA 0x40200000 2M block -> PA RAM + 16 MiB      (RW, Normal WB)
 *   IPA 0x80000000 1G block -> PA 0x40000000 (RAM)  (read-only)
 */
#define PAGE_IPA  0x40005000ull
#define PAGE_PA	  (RAM + 8 * MiB)
#define BLOCK_IPA 0x40200000ull
#define BLOCK_PA  (RAM + 16 * MiB)
#define GIG_IPA	  0x80000000ull
#define L3_TABLE  tp(3)

static paddr_t build_s2(void)
{
	put(tp(0), 0, table_desc(tp(1)));
	put(tp(1), 1, table_desc(tp(2)));
	put(tp(2), 0, table_desc(tp(3)));
	put(tp(3), 5, s2_rw(PAGE_PA, 3));
	put(tp(2), 1, s2_rw(BLOCK_PA, 2));
	put(tp(1), 2, s2_desc(RAM, 1, MA_NORMALWB, S2AP_RO));
	return pa_init(tp(0));
}

/* Walks, returning the status; the whole result goes to *x when x is not NULL. */
static enum sim_xlate_status s2(paddr_t root, u32 ipa_bits, u64 ipa, struct sim_xlate *x)
{
	struct sim_xlate tmp;

	return sim_s2_walk(root, ipa_bits, ipa_init(ipa), x ? x : &tmp);
}

static int setup(void **state)
{
	struct sim_config cfg = {.manual_roots = true};

	(void)state;
	sim_machine_reset(&cfg);
	return 0;
}

/* ---- stage-2 walks -------------------------------------------------------- */

static void test_s2_page(void **state)
{
	paddr_t root = build_s2();
	struct sim_xlate x;

	(void)state;
	s2(root, IPA40, PAGE_IPA + 0x123, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), PAGE_PA + 0x123);
	assert_int_equal(x.level, 3);
	assert_int_equal(x.leaf_size, KiB4);
	assert_true(x.readable && x.writable && x.executable);
	assert_false(x.device);
	assert_int_equal(x.attr, MA_NORMALWB);
	assert_int_equal(x.sh, 3);
	assert_int_equal(pa_addr(x.desc_pa), L3_TABLE + 5 * sizeof(u64));

	/* The neighbour page is not mapped: translation fault at level 3. */
	s2(root, IPA40, PAGE_IPA + KiB4, &x);
	assert_int_equal(x.status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(x.level, 3);
	/* Nothing under L0[1]: fault at level 0. */
	s2(root, IPA40, 1ull << 39, &x);
	assert_int_equal(x.status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(x.level, 0);
}

static void test_s2_blocks(void **state)
{
	paddr_t root = build_s2();
	struct sim_xlate x;

	(void)state;
	s2(root, IPA40, BLOCK_IPA + 0x1234c, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), BLOCK_PA + 0x1234c);
	assert_int_equal(x.level, 2);
	assert_int_equal(x.leaf_size, 2 * MiB);

	s2(root, IPA40, GIG_IPA + 0x3ffffff8, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), RAM + 0x3ffffff8);
	assert_int_equal(x.level, 1);
	assert_int_equal(x.leaf_size, GiB);
	assert_true(x.readable);
	assert_false(x.writable);
}

static void test_s2ap_values(void **state)
{
	static const struct {
		u64 s2ap;
		bool r, w;
	} cases[] = {
	    {S2AP_NONE, false, false},
	    {S2AP_RO, true, false},
	    {S2AP_WO, false, true},
	    {S2AP_RW, true, true},
	};

	(void)state;
	build_s2();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sim_xlate x;

		put(L3_TABLE, 5, s2_desc(PAGE_PA, 3, MA_NORMALWB, cases[i].s2ap));
		s2(pa_init(tp(0)), IPA40, PAGE_IPA, &x);
		assert_int_equal(x.status, SIM_XLATE_OK);
		assert_int_equal(x.readable, cases[i].r);
		assert_int_equal(x.writable, cases[i].w);
		assert_int_equal(sim_xlate_check(&x, false),
				 cases[i].r ? SIM_XLATE_OK : SIM_XLATE_PERMISSION_FAULT);
		assert_int_equal(sim_xlate_check(&x, true),
				 cases[i].w ? SIM_XLATE_OK : SIM_XLATE_PERMISSION_FAULT);
	}
}

static void test_s2_access_flag(void **state)
{
	struct sim_xlate x;

	(void)state;
	build_s2();
	put(L3_TABLE, 5, s2_rw(PAGE_PA, 3) & ~AF);
	s2(pa_init(tp(0)), IPA40, PAGE_IPA + 8, &x);
	assert_int_equal(x.status, SIM_XLATE_ACCESS_FLAG_FAULT);
	assert_int_equal(x.level, 3);
	/* The translation is still reported. */
	assert_int_equal(pa_addr(x.pa), PAGE_PA + 8);
	/* The access flag fault wins over a permission fault. */
	assert_int_equal(sim_xlate_check(&x, true), SIM_XLATE_ACCESS_FLAG_FAULT);
}

static void test_s2_execute_never(void **state)
{
	struct sim_xlate x;

	(void)state;
	build_s2();
	put(L3_TABLE, 5, s2_rw(PAGE_PA, 3) | S2_XN);
	s2(pa_init(tp(0)), IPA40, PAGE_IPA, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_false(x.executable);
	assert_true(x.readable && x.writable);

	/* XN[0] alone (FEAT_XNX: no execution at EL1) also counts as no-execute. */
	put(L3_TABLE, 5, s2_rw(PAGE_PA, 3) | S2_XN0);
	s2(pa_init(tp(0)), IPA40, PAGE_IPA, &x);
	assert_false(x.executable);
}

static void test_s2_memattr(void **state)
{
	struct sim_xlate x;

	(void)state;
	build_s2();
	put(L3_TABLE, 5, s2_desc(0x09000000, 3, MA_DEVICE, S2AP_RW));
	s2(pa_init(tp(0)), IPA40, PAGE_IPA, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_true(x.device);
	assert_int_equal(x.attr, MA_DEVICE);

	s2(pa_init(tp(0)), IPA40, BLOCK_IPA, &x);
	assert_false(x.device);
	assert_int_equal(x.attr, MA_NORMALWB);

	/* Normal with inner "0b00" is reserved. */
	put(L3_TABLE, 5, s2_desc(PAGE_PA, 3, 0xc, S2AP_RW));
	assert_int_equal(s2(pa_init(tp(0)), IPA40, PAGE_IPA, NULL), SIM_XLATE_MALFORMED);
	/* SH = 0b01 is reserved. */
	put(L3_TABLE, 5, (s2_rw(PAGE_PA, 3) & ~SH_INNER) | (1ull << 8));
	assert_int_equal(s2(pa_init(tp(0)), IPA40, PAGE_IPA, NULL), SIM_XLATE_MALFORMED);
}

static void test_s2_ipa_range(void **state)
{
	paddr_t root = pa_init(tp(10));
	u64 top40 = (1ull << 39) | (511ull << 30);
	u64 top48 = (511ull << 39) | (511ull << 30);
	struct sim_xlate x;

	(void)state;
	put(tp(10), 1, table_desc(tp(11)));
	put(tp(11), 511, s2_rw(RAM, 1));
	put(tp(10), 511, table_desc(tp(12)));
	put(tp(12), 511, s2_rw(RAM, 1));

	s2(root, 40, (1ull << 40) - 8, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), RAM + GiB - 8);
	assert_int_equal(s2(root, 40, top40, NULL), SIM_XLATE_OK);
	s2(root, 40, 1ull << 40, &x);
	assert_int_equal(x.status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(x.level, 0);
	/* L0[511] exists but lies beyond a 40-bit IPA space. */
	assert_int_equal(s2(root, 40, top48, NULL), SIM_XLATE_TRANSLATION_FAULT);

	assert_int_equal(s2(root, 48, top48, NULL), SIM_XLATE_OK);
	assert_int_equal(s2(root, 48, (1ull << 48) - 8, NULL), SIM_XLATE_OK);
	assert_int_equal(s2(root, 48, 1ull << 48, NULL), SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(s2(root, 48, ~0ull, NULL), SIM_XLATE_TRANSLATION_FAULT);

	/* Outside 40..48 is not a VTCR_EL2 kcore can set. */
	assert_int_equal(s2(root, 39, 0, NULL), SIM_XLATE_MALFORMED);
}

static void test_s2_reserved_encodings(void **state)
{
	struct sim_xlate x;

	(void)state;
	build_s2();
	/* A block at level 0 does not exist with the 4 KiB granule. */
	put(tp(0), 0, s2_rw(0, 1));
	s2(pa_init(tp(0)), IPA40, PAGE_IPA, &x);
	assert_int_equal(x.status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(x.level, 0);

	/* Nor does a "block" at level 3. */
	build_s2();
	put(L3_TABLE, 5, s2_rw(PAGE_PA, 3) & ~2ull);
	s2(pa_init(tp(0)), IPA40, PAGE_IPA, &x);
	assert_int_equal(x.status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(x.level, 3);
}

static void test_s2_misaligned_block(void **state)
{
	struct sim_xlate x;

	(void)state;
	build_s2();
	put(tp(2), 1, s2_rw(BLOCK_PA + KiB4, 2));
	s2(pa_init(tp(0)), IPA40, BLOCK_IPA, &x);
	assert_int_equal(x.status, SIM_XLATE_MALFORMED);
	assert_int_equal(x.level, 2);

	put(tp(1), 2, s2_rw(RAM + 2 * MiB, 1));
	s2(pa_init(tp(0)), IPA40, GIG_IPA, &x);
	assert_int_equal(x.status, SIM_XLATE_MALFORMED);
	assert_int_equal(x.level, 1);
}

static void test_s2_bad_tables(void **state)
{
	struct sim_xlate x;

	(void)state;
	build_s2();
	/* A level-2 table at PA 0x1000: not RAM. */
	put(tp(1), 4, table_desc(0x1000));
	s2(pa_init(tp(0)), IPA40, 4 * GiB, &x);
	assert_int_equal(x.status, SIM_XLATE_WALK_ABORT);
	assert_int_equal(x.level, 2);
	/* A root outside RAM. */
	s2(pa_init(0x2000), IPA40, PAGE_IPA, &x);
	assert_int_equal(x.status, SIM_XLATE_WALK_ABORT);
	assert_int_equal(x.level, 0);
	/* Stage-2 tables have no hierarchical attributes: bits[63:59] are RES0. */
	put(tp(1), 1, table_desc(tp(2)) | XNTABLE);
	assert_int_equal(s2(pa_init(tp(0)), IPA40, PAGE_IPA, NULL), SIM_XLATE_MALFORMED);
	/* Bits[58:52] of a table descriptor are ignored. */
	put(tp(1), 1, table_desc(tp(2)) | (0x7full << 52));
	assert_int_equal(s2(pa_init(tp(0)), IPA40, PAGE_IPA, NULL), SIM_XLATE_OK);
	/* An output address beyond 48 bits. */
	put(L3_TABLE, 5, s2_rw(PAGE_PA, 3) | (1ull << 48));
	assert_int_equal(s2(pa_init(tp(0)), IPA40, PAGE_IPA, NULL), SIM_XLATE_ADDR_SIZE_FAULT);
}

static void test_s2_contiguous(void **state)
{
	u64 base_ipa = 0x40600000ull; /* L2[3] */
	u64 base_pa = RAM + 32 * MiB;

	(void)state;
	build_s2();
	put(tp(2), 3, table_desc(tp(4)));
	for (u64 i = 0; i < 32; i++)
		put(tp(4), i, s2_rw(base_pa + i * KiB4, 3) | CONTIG);
	assert_int_equal(s2(pa_init(tp(0)), IPA40, base_ipa + 7 * KiB4, NULL), SIM_XLATE_OK);
	/* One entry of the second group points elsewhere. */
	put(tp(4), 20, s2_rw(base_pa + 40 * KiB4, 3) | CONTIG);
	assert_int_equal(s2(pa_init(tp(0)), IPA40, base_ipa + 7 * KiB4, NULL), SIM_XLATE_OK);
	assert_int_equal(s2(pa_init(tp(0)), IPA40, base_ipa + 16 * KiB4, NULL),
			 SIM_XLATE_MALFORMED);
}

struct leaf_tally {
	u32 ok;
	u32 bad;
	u64 last_ipa;
};

static int count_s2_leaf(void *ctx, ipaddr_t ipa, const struct sim_xlate *x)
{
	struct leaf_tally *t = ctx;

	if (x->status == SIM_XLATE_OK)
		t->ok++;
	else
		t->bad++;
	t->last_ipa = ipa_addr(ipa);
	return 0;
}

static void test_s2_for_each_leaf(void **state)
{
	struct leaf_tally t = {0};

	(void)state;
	build_s2();
	assert_int_equal(sim_s2_for_each_leaf(pa_init(tp(0)), IPA40, count_s2_leaf, &t), 0);
	assert_int_equal(t.ok, 3);
	assert_int_equal(t.bad, 0);
	assert_int_equal(t.last_ipa, GIG_IPA);

	/* Bad descriptors are reported, plain invalid ones are not. */
	put(tp(1), 4, table_desc(0x1000));
	put(tp(2), 2, s2_rw(BLOCK_PA + KiB4, 2));
	put(tp(0), 1, s2_rw(0, 1));
	memset(&t, 0, sizeof(t));
	sim_s2_for_each_leaf(pa_init(tp(0)), IPA40, count_s2_leaf, &t);
	assert_int_equal(t.ok, 3);
	assert_int_equal(t.bad, 3);
}

/* ---- kcore's EL2 stage-1 -------------------------------------------------- */

/*
 * Root tp(20):
 *   VA 0x40000000 page RW, AttrIndx 1; 0x40001000 AP[2] read-only; 0x40002000 XN
 *   VA 0x80000000 2M block under a table with APTable[1] and XNTable
 *   VA 0xc0000000 2M block under a table with APTable[0] (ignored at EL2)
 */
#define KVA	 0x40000000ull
#define KVA_PA	 (RAM + 8 * MiB)
#define KVA_HIER 0x80000000ull
#define KVA_AP0	 0xc0000000ull

static paddr_t build_s1(void)
{
	put(tp(20), 0, table_desc(tp(21)));
	put(tp(21), 1, table_desc(tp(22)));
	put(tp(22), 0, table_desc(tp(23)));
	put(tp(23), 0, s1_desc(KVA_PA, 3, 1));
	put(tp(23), 1, s1_desc(KVA_PA + KiB4, 3, 0) | S1_RO);
	put(tp(23), 2, s1_desc(KVA_PA + 2 * KiB4, 3, 0) | S1_XN);
	put(tp(21), 2, table_desc(tp(24)) | APTABLE_RO | XNTABLE);
	put(tp(24), 0, s1_desc(RAM + 16 * MiB, 2, 0));
	put(tp(21), 3, table_desc(tp(25)) | APTABLE_0);
	put(tp(25), 0, s1_desc(RAM + 16 * MiB, 2, 0));
	return pa_init(tp(20));
}

static enum sim_xlate_status s1(u64 va, struct sim_xlate *x)
{
	struct sim_xlate tmp;

	return sim_s1_walk(pa_init(tp(20)), va_init(va), x ? x : &tmp);
}

static void test_s1_permissions(void **state)
{
	struct sim_xlate x;

	(void)state;
	build_s1();
	s1(KVA + 0x10, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), KVA_PA + 0x10);
	assert_int_equal(x.attr, 1);
	assert_true(x.readable && x.writable && x.executable);

	s1(KVA + KiB4, &x);
	assert_true(x.readable);
	assert_false(x.writable);
	assert_true(x.executable);

	s1(KVA + 2 * KiB4, &x);
	assert_true(x.writable);
	assert_false(x.executable);

	s1(KVA_HIER + 0x40, &x);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(x.leaf_size, 2 * MiB);
	assert_false(x.writable);
	assert_false(x.executable);

	s1(KVA_AP0, &x);
	assert_true(x.writable && x.executable);

	/* Beyond the 48-bit VA range of TCR_EL2.T0SZ = 16. */
	s1(1ull << 48, &x);
	assert_int_equal(x.status, SIM_XLATE_TRANSLATION_FAULT);
	s1(0xffff000040000000ull, &x);
	assert_int_equal(x.status, SIM_XLATE_TRANSLATION_FAULT);

	put(tp(23), 0, s1_desc(KVA_PA, 3, 1) & ~AF);
	assert_int_equal(s1(KVA, NULL), SIM_XLATE_ACCESS_FLAG_FAULT);
}

static int count_s1_leaf(void *ctx, vaddr_t va, const struct sim_xlate *x)
{
	struct leaf_tally *t = ctx;

	(void)va;
	if (x->status == SIM_XLATE_OK && !x->writable)
		t->bad++; /* here: read-only leaves, APTable included */
	t->ok++;
	return 0;
}

static void test_s1_for_each_leaf(void **state)
{
	struct leaf_tally t = {0};

	(void)state;
	sim_s1_for_each_leaf(build_s1(), count_s1_leaf, &t);
	assert_int_equal(t.ok, 5);
	assert_int_equal(t.bad, 2);
}

/* ---- TLB ------------------------------------------------------------------- */

static size_t stale(struct sim_stale *s, size_t max)
{
	return sim_tlb_stale(s, max);
}

static void test_tlb_fill_and_lookup(void **state)
{
	struct sim_tlb_entry e;

	(void)state;
	sim_tlb_fill_from(build_s2(), VM, IPA40);
	assert_int_equal(sim_tlb_count(), 3);
	assert_int_equal(sim_tlb_count_regime(VM), 3);
	assert_true(sim_tlb_lookup(VM, PAGE_IPA + 0x123, &e));
	assert_int_equal(e.in, PAGE_IPA);
	assert_int_equal(e.size, KiB4);
	assert_int_equal(pa_addr(e.pa), PAGE_PA);
	assert_true(sim_tlb_lookup(VM, BLOCK_IPA + MiB, &e));
	assert_int_equal(e.in, BLOCK_IPA);
	assert_int_equal(e.size, 2 * MiB);
	assert_true(sim_tlb_lookup(VM, GIG_IPA + 5 * MiB, &e));
	assert_false(e.writable);
	assert_false(sim_tlb_lookup(VM, PAGE_IPA + KiB4, NULL));
	assert_false(sim_tlb_lookup(VM2, PAGE_IPA, NULL));
	assert_int_equal(stale(NULL, 0), 0);

	/* Filling again refreshes, it does not duplicate. */
	sim_tlb_fill_all();
	assert_int_equal(sim_tlb_count(), 3);
	sim_tlb_flush_all();
	assert_int_equal(sim_tlb_count(), 0);

	/* AF clear: never cached. */
	put(L3_TABLE, 5, s2_rw(PAGE_PA, 3) & ~AF);
	sim_tlb_fill_all();
	assert_int_equal(sim_tlb_count(), 2);
}

static void test_tlb_stale_unmap(void **state)
{
	struct sim_stale s[4];
	u64 val = 0;

	(void)state;
	sim_tlb_fill_from(build_s2(), VM, IPA40);
	put(L3_TABLE, 5, 0);

	assert_int_equal(stale(s, 4), 1);
	assert_int_equal(s[0].reason, SIM_STALE_UNMAPPED);
	assert_int_equal(s[0].entry.regime, VM);
	assert_int_equal(s[0].entry.in, PAGE_IPA);
	assert_int_equal(s[0].now.status, SIM_XLATE_TRANSLATION_FAULT);
	/* Like the CPU, the VM still reaches the page through the stale entry. */
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA), false, &val), SIM_OK);

	arch_tlbi_s2_ipa(VM, ipa_init(PAGE_IPA + 8));
	assert_int_equal(stale(s, 4), 0);
	assert_int_equal(sim_tlb_count(), 2);
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA), false, &val), SIM_S2_FAULT);

	/* The hook was logged. */
	assert_int_equal(sim_tlbi_count(), 1);
	assert_int_equal(sim_tlbi_count_type(SIM_TLBI_S2_IPA), 1);
	{
		struct sim_tlbi_rec r;

		assert_true(sim_tlbi_get(0, &r));
		assert_int_equal(r.type, SIM_TLBI_S2_IPA);
		assert_int_equal(r.vmid, VM);
		assert_int_equal(r.addr, PAGE_IPA + 8);
		assert_false(sim_tlbi_get(1, &r));
	}
	assert_true(sim_tlbi_s2_covered_since(0, VM, ipa_init(PAGE_IPA)));
	assert_false(sim_tlbi_s2_covered_since(0, VM2, ipa_init(PAGE_IPA)));
	assert_false(sim_tlbi_s2_covered_since(1, VM, ipa_init(PAGE_IPA)));
}

static void test_tlb_stale_changes(void **state)
{
	struct sim_stale s[4];

	(void)state;
	sim_tlb_fill_from(build_s2(), VM, IPA40);

	put(tp(2), 1, s2_rw(BLOCK_PA + 2 * MiB, 2));
	assert_int_equal(stale(s, 4), 1);
	assert_int_equal(s[0].reason, SIM_STALE_OUTPUT);
	/* Invalidating any IPA inside the block drops the block entry. */
	arch_tlbi_s2_ipa(VM, ipa_init(BLOCK_IPA + 0x34000));
	assert_false(sim_tlb_lookup(VM, BLOCK_IPA, NULL));
	assert_int_equal(stale(s, 4), 0);

	put(tp(1), 2, s2_rw(RAM, 1));
	assert_int_equal(stale(s, 4), 1);
	assert_int_equal(s[0].reason, SIM_STALE_PERMS);
	arch_tlbi_s2_ipa(VM, ipa_init(GIG_IPA));

	put(L3_TABLE, 5, s2_desc(PAGE_PA, 3, MA_DEVICE, S2AP_RW));
	assert_int_equal(stale(s, 4), 1);
	assert_int_equal(s[0].reason, SIM_STALE_ATTRS);
	arch_tlbi_s2_ipa(VM, ipa_init(PAGE_IPA));

	/* A page entry where a block now maps the same range. */
	sim_tlb_fill_all();
	put(tp(2), 0, s2_rw(RAM, 2));
	assert_int_equal(stale(s, 4), 1);
	assert_int_equal(s[0].reason, SIM_STALE_SIZE);
	assert_int_equal(stale(NULL, 0), 1);
}

static void test_tlb_vmid_invalidation(void **state)
{
	struct sim_stale s[8];
	paddr_t root = build_s2();

	(void)state;
	sim_tlb_fill_from(root, VM, IPA40);
	sim_tlb_fill_from(root, VM2, IPA40);
	assert_int_equal(sim_tlb_count(), 6);
	put(L3_TABLE, 5, 0);
	assert_int_equal(stale(s, 8), 2);

	arch_tlbi_s2_vmid(VM);
	assert_int_equal(sim_tlb_count_regime(VM), 0);
	assert_int_equal(sim_tlb_count_regime(VM2), 3);
	assert_int_equal(stale(s, 8), 1);
	assert_int_equal(s[0].entry.regime, VM2);
	assert_int_equal(sim_tlbi_count_type(SIM_TLBI_S2_VMID), 1);
	assert_true(sim_tlbi_s2_covered_since(0, VM, ipa_init(0x1234000)));

	/* The VM's tables go away: every entry it still has is stale. */
	sim_forget_s2_root(VM2);
	assert_int_equal(stale(s, 8), 3);
	assert_int_equal(s[0].reason, SIM_STALE_NO_TABLES);
	arch_tlbi_s2_vmid(VM2);
	assert_int_equal(stale(s, 8), 0);
	assert_int_equal(sim_tlb_count(), 0);

	/* A VMID beyond the model is logged and drops nothing (not even kcore's). */
	sim_tlb_fill_s1_from(build_s1());
	arch_tlbi_s2_vmid(SIM_REGIME_EL2);
	assert_int_equal(sim_tlb_count_regime(SIM_REGIME_EL2), 5);
}

static void test_tlb_el2_invalidation(void **state)
{
	struct sim_stale s[4];
	const u8 *p;

	(void)state;
	sim_tlb_fill_s1_from(build_s1());
	assert_int_equal(sim_tlb_count_regime(SIM_REGIME_EL2), 5);
	sim_write_u64(pa_init(KVA_PA), 0x1111);
	sim_write_u64(pa_init(KVA_PA + 4 * KiB4), 0x2222);

	put(tp(23), 0, s1_desc(KVA_PA + 4 * KiB4, 3, 1));
	assert_int_equal(stale(s, 4), 1);
	assert_int_equal(s[0].reason, SIM_STALE_OUTPUT);
	assert_int_equal(s[0].entry.regime, SIM_REGIME_EL2);
	/* kcore still reads the old page through its TLB... */
	p = arch_kva_to_ptr(va_init(KVA));
	assert_ptr_equal(p, sim_ram_ptr(pa_init(KVA_PA)));
	/* ...until it invalidates. */
	arch_tlbi_el2_va(va_init(KVA + 0x80));
	assert_int_equal(stale(s, 4), 0);
	p = arch_kva_to_ptr(va_init(KVA + 8));
	assert_ptr_equal(p, sim_ram_ptr(pa_init(KVA_PA + 4 * KiB4 + 8)));
	assert_true(sim_tlbi_el2_covered_since(0, va_init(KVA)));
	assert_false(sim_tlbi_el2_covered_since(0, va_init(KVA + KiB4)));
	/* An EL2 TLBI leaves the stage-2 regimes alone. */
	sim_tlb_fill_from(build_s2(), VM, IPA40);
	arch_tlbi_el2_va(va_init(PAGE_IPA));
	assert_true(sim_tlb_lookup(VM, PAGE_IPA, NULL));
}

static void test_tlb_fill_all_registered(void **state)
{
	(void)state;
	sim_use_s2_root(0, build_s2(), IPA40);
	sim_use_s2_root(SIM_NR_VMIDS - 1, pa_init(tp(0)), IPA40);
	sim_use_s1_root(build_s1());
	sim_tlb_fill_all();
	assert_int_equal(sim_tlb_count_regime(0), 3);
	assert_int_equal(sim_tlb_count_regime(SIM_NR_VMIDS - 1), 3);
	assert_int_equal(sim_tlb_count_regime(SIM_REGIME_EL2), 5);
	assert_int_equal(sim_tlb_count(), 11);
}

/* 32768 pages in 64 level-3 tables: the hash table must grow and stay exact. */
static void test_tlb_many_entries(void **state)
{
	const u64 base_ipa = 4 * GiB, n = 32768;
	struct sim_tlb_entry e;
	struct sim_tlb_stats st;

	(void)state;
	put(tp(30), 0, table_desc(tp(31)));
	put(tp(31), 4, table_desc(tp(32)));
	for (u64 t = 0; t < n / 512; t++) {
		put(tp(32), t, table_desc(tp(100 + (u32)t)));
		for (u64 i = 0; i < 512; i++)
			put(tp(100 + (u32)t), i, s2_rw(RAM + ((t * 512 + i) % 8192) * KiB4, 3));
	}
	sim_tlb_fill_from(pa_init(tp(30)), VM, IPA40);
	assert_int_equal(sim_tlb_count(), n);
	for (u64 i = 0; i < n; i++) {
		assert_true(sim_tlb_lookup(VM, base_ipa + i * KiB4 + 8, &e));
		assert_int_equal(pa_addr(e.pa), RAM + (i % 8192) * KiB4);
	}
	assert_int_equal(stale(NULL, 0), 0);
	for (u64 i = 0; i < n; i += 2)
		arch_tlbi_s2_ipa(VM, ipa_init(base_ipa + i * KiB4));
	assert_int_equal(sim_tlb_count(), n / 2);
	assert_false(sim_tlb_lookup(VM, base_ipa, NULL));
	assert_true(sim_tlb_lookup(VM, base_ipa + KiB4, NULL));
	arch_tlbi_s2_vmid(VM);
	assert_int_equal(sim_tlb_count(), 0);
	sim_tlb_get_stats(&st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.dropped, n);
	assert_int_equal(st.conflicts, 0);
	assert_int_equal(sim_tlbi_count(), n / 2 + 1);
}

/* ---- accesses -------------------------------------------------------------- */

static void test_vm_access(void **state)
{
	u64 val = 0x1122334455667788ull;

	(void)state;
	sim_use_s2_root(VM, build_s2(), IPA40);
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + 0x10), true, &val), SIM_OK);
	assert_int_equal(sim_read_u64(pa_init(PAGE_PA + 0x10)), 0x1122334455667788ull);
	val = 0;
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + 0x10), false, &val), SIM_OK);
	assert_int_equal(val, 0x1122334455667788ull);
	/* The walk filled the TLB. */
	assert_true(sim_tlb_lookup(VM, PAGE_IPA, NULL));

	/* Read-only block. */
	assert_int_equal(sim_vm_access(VM, ipa_init(GIG_IPA + 8 * MiB), true, &val),
			 SIM_PERM_FAULT);
	assert_int_equal(sim_vm_access(VM, ipa_init(GIG_IPA + 8 * MiB), false, &val), SIM_OK);
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + 4), false, &val), SIM_UNALIGNED);
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + KiB4), false, &val), SIM_S2_FAULT);
	assert_int_equal(sim_vm_access(VM2, ipa_init(PAGE_IPA), false, &val), SIM_S2_FAULT);
	assert_int_equal(sim_vm_access(SIM_REGIME_EL2, ipa_init(PAGE_IPA), false, &val),
			 SIM_S2_FAULT);

	/* Write-only page. */
	put(L3_TABLE, 6, s2_desc(PAGE_PA + KiB4, 3, MA_NORMALWB, S2AP_WO));
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + KiB4), false, &val), SIM_PERM_FAULT);
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + KiB4), true, &val), SIM_OK);

	/* AF clear: a fault, and nothing cached. */
	put(L3_TABLE, 7, s2_rw(PAGE_PA + 2 * KiB4, 3) & ~AF);
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + 2 * KiB4), false, &val),
			 SIM_AF_FAULT);
	assert_false(sim_tlb_lookup(VM, PAGE_IPA + 2 * KiB4, NULL));

	/* Mapped, but not to RAM. */
	put(L3_TABLE, 8, s2_desc(0x09000000, 3, MA_DEVICE, S2AP_RW));
	assert_int_equal(sim_vm_access(VM, ipa_init(PAGE_IPA + 3 * KiB4), false, &val),
			 SIM_NOT_RAM);

	/* Core bugs surface as their own results. */
	put(tp(1), 4, table_desc(0x1000));
	assert_int_equal(sim_vm_access(VM, ipa_init(4 * GiB), false, &val), SIM_WALK_ABORT);
	put(tp(2), 2, s2_rw(BLOCK_PA + KiB4, 2));
	assert_int_equal(sim_vm_access(VM, ipa_init(BLOCK_IPA + 2 * MiB), false, &val),
			 SIM_MALFORMED);
}

static void test_can_access(void **state)
{
	(void)state;
	sim_use_s2_root(VM, build_s2(), IPA40);
	assert_true(sim_can_access(VM, ipa_init(PAGE_IPA), true));
	assert_true(sim_can_access(VM, ipa_init(GIG_IPA), false));
	assert_false(sim_can_access(VM, ipa_init(GIG_IPA), true));
	assert_false(sim_can_access(VM, ipa_init(PAGE_IPA + KiB4), false));
	assert_false(sim_can_access(VM2, ipa_init(PAGE_IPA), false));
	/* No side effect on the TLB. */
	assert_int_equal(sim_tlb_count(), 0);

	/* But it sees what the TLB holds, stale or not. */
	sim_tlb_fill_all();
	put(L3_TABLE, 5, 0);
	assert_true(sim_can_access(VM, ipa_init(PAGE_IPA), true));
	arch_tlbi_s2_ipa(VM, ipa_init(PAGE_IPA));
	assert_false(sim_can_access(VM, ipa_init(PAGE_IPA), true));
}

static void test_host_access_manual(void **state)
{
	u64 val = 42;

	(void)state;
	sim_use_s2_root(0, build_s2(), IPA40);
	assert_int_equal(sim_host_access(ipa_init(PAGE_IPA), true, &val), SIM_OK);
	assert_int_equal(sim_read_u64(pa_init(PAGE_PA)), 42);
	/* In manual mode the core is never called: the fault is returned as is. */
	assert_int_equal(sim_host_access(ipa_init(PAGE_IPA + KiB4), false, &val), SIM_S2_FAULT);
	assert_int_equal(sim_host_access(ipa_init(PAGE_IPA + 1), false, &val), SIM_UNALIGNED);
	assert_int_equal(sim_host_abort_count(), 0);
	assert_false(sim_can_access(0, ipa_init(PAGE_IPA + KiB4), false));
}

static void test_access_bytes(void **state)
{
	u8 out[3 * 4096], in[3 * 4096];

	(void)state;
	sim_use_s2_root(VM, build_s2(), IPA40);
	sim_use_s2_root(0, pa_init(tp(0)), IPA40);
	/* Three adjacent IPA pages on scattered PAs: 0x40005000, 6000, 7000. */
	put(L3_TABLE, 6, s2_rw(PAGE_PA + 5 * KiB4, 3));
	put(L3_TABLE, 7, s2_rw(PAGE_PA + 2 * KiB4, 3));
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (u8)(i * 7 + 3);

	assert_int_equal(sim_vm_write_bytes(VM, ipa_init(PAGE_IPA + 100), out, sizeof(out) - 200),
			 SIM_OK);
	assert_memory_equal(sim_ram_ptr(pa_init(PAGE_PA + 100)), out, KiB4 - 100);
	assert_memory_equal(sim_ram_ptr(pa_init(PAGE_PA + 5 * KiB4)), out + KiB4 - 100, KiB4);
	assert_memory_equal(sim_ram_ptr(pa_init(PAGE_PA + 2 * KiB4)), out + 2 * KiB4 - 100,
			    KiB4 - 100);
	memset(in, 0, sizeof(in));
	assert_int_equal(sim_vm_read_bytes(VM, ipa_init(PAGE_IPA + 100), in, sizeof(in) - 200),
			 SIM_OK);
	assert_memory_equal(in, out, sizeof(in) - 200);
	memset(in, 0, sizeof(in));
	assert_int_equal(
	    sim_host_access_bytes(ipa_init(PAGE_IPA + 100), in, sizeof(in) - 200, false), SIM_OK);
	assert_memory_equal(in, out, sizeof(in) - 200);
	/* Running into an unmapped page stops there. */
	assert_int_equal(sim_vm_read_bytes(VM, ipa_init(PAGE_IPA + 100), in, sizeof(in)),
			 SIM_S2_FAULT);
}

/* ---- hooks and recorders --------------------------------------------------- */

/* Run fn in a child with stderr silenced; return its wait status. */
static int in_child(void (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(1);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void bad_pa(void)
{
	(void)arch_pa_to_ptr(pa_init(0x1000));
}

static void bad_kva(void)
{
	(void)arch_kva_to_ptr(va_init(0x12345000));
}

static void halt(void)
{
	arch_halt_all();
}

static void test_pa_to_ptr(void **state)
{
	int status;

	(void)state;
	assert_ptr_equal(arch_pa_to_ptr(pa_init(RAM + 0x1234)), sim_ram_ptr(pa_init(RAM + 0x1234)));
	assert_non_null(arch_pa_to_ptr(pa_init(RAM + SIM_DEFAULT_RAM_SIZE - 1)));
	assert_null(sim_ram_ptr(pa_init(RAM + SIM_DEFAULT_RAM_SIZE)));
	assert_null(sim_ram_ptr(pa_init(RAM - 1)));

	status = in_child(bad_pa);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_kva_to_ptr(void **state)
{
	int status;

	(void)state;
	sim_use_s1_root(build_s1());
	assert_ptr_equal(arch_kva_to_ptr(va_init(KVA + 0x18)), sim_ram_ptr(pa_init(KVA_PA + 0x18)));
	assert_true(sim_tlb_lookup(SIM_REGIME_EL2, KVA, NULL));

	status = in_child(bad_kva);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_halt(void **state)
{
	int status;

	(void)state;
	status = in_child(halt);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), SIM_HALT_EXIT_CODE);
}

static void test_console(void **state)
{
	(void)state;
	assert_string_equal(sim_console_text(), "");
	arch_console_write("hello ", 6);
	arch_console_write("world\n", 6);
	assert_string_equal(sim_console_text(), "hello world\n");
	assert_int_equal(sim_console_len(), 12);
	for (int i = 0; i < 1000; i++)
		arch_console_write("0123456789", 10);
	assert_int_equal(sim_console_len(), 10012);
	sim_console_clear();
	assert_int_equal(sim_console_len(), 0);
	assert_string_equal(sim_console_text(), "");
}

static void test_host_abort_log(void **state)
{
	ipaddr_t ipa;

	(void)state;
	assert_int_equal(sim_host_abort_count(), 0);
	for (u64 i = 0; i < SIM_ABORT_LOG_SIZE + 3; i++)
		arch_host_inject_abort(ipa_init(0x1000 * i));
	assert_int_equal(sim_host_abort_count(), SIM_ABORT_LOG_SIZE + 3);
	assert_int_equal(ipa_addr(sim_host_abort_last()), 0x1000 * (SIM_ABORT_LOG_SIZE + 2));
	assert_false(sim_host_abort_get(2, &ipa));
	assert_true(sim_host_abort_get(3, &ipa));
	assert_int_equal(ipa_addr(ipa), 0x3000);
	assert_false(sim_host_abort_get(SIM_ABORT_LOG_SIZE + 3, &ipa));
}

static void test_ram_banks(void **state)
{
	struct sim_config cfg = {
	    .ram = {{.base = {0x80000000ull}, .size = 8 * MiB},
		    {.base = {0x40000000ull}, .size = 16 * MiB}},
	    .nr_ram = 2,
	    .manual_roots = true,
	};

	(void)state;
	sim_machine_reset(&cfg);
	assert_int_equal(sim_ram_nr_banks(), 2);
	assert_int_equal(pa_addr(sim_ram_base()), 0x40000000ull);
	assert_int_equal(sim_ram_size(), 16 * MiB);
	assert_int_equal(pa_addr(sim_ram_bank(1).base), 0x80000000ull);
	assert_true(sim_is_ram(pa_init(0x80000000ull + 8 * MiB - 1)));
	assert_false(sim_is_ram(pa_init(0x80000000ull + 8 * MiB)));
	assert_false(sim_is_ram(pa_init(0x40000000ull + 16 * MiB)));
	assert_true(sim_is_ram_range(pa_init(0x40000000ull + 16 * MiB - 8), 8));
	assert_false(sim_is_ram_range(pa_init(0x40000000ull + 16 * MiB - 8), 16));
	sim_write_u64(pa_init(0x80000000ull), 7);
	assert_int_equal(sim_read_u64(pa_init(0x80000000ull)), 7);

	/* Reset zeroes memory. */
	sim_machine_reset(&cfg);
	assert_int_equal(sim_read_u64(pa_init(0x80000000ull)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_s2_page, setup),
	    cmocka_unit_test_setup(test_s2_blocks, setup),
	    cmocka_unit_test_setup(test_s2ap_values, setup),
	    cmocka_unit_test_setup(test_s2_access_flag, setup),
	    cmocka_unit_test_setup(test_s2_execute_never, setup),
	    cmocka_unit_test_setup(test_s2_memattr, setup),
	    cmocka_unit_test_setup(test_s2_ipa_range, setup),
	    cmocka_unit_test_setup(test_s2_reserved_encodings, setup),
	    cmocka_unit_test_setup(test_s2_misaligned_block, setup),
	    cmocka_unit_test_setup(test_s2_bad_tables, setup),
	    cmocka_unit_test_setup(test_s2_contiguous, setup),
	    cmocka_unit_test_setup(test_s2_for_each_leaf, setup),
	    cmocka_unit_test_setup(test_s1_permissions, setup),
	    cmocka_unit_test_setup(test_s1_for_each_leaf, setup),
	    cmocka_unit_test_setup(test_tlb_fill_and_lookup, setup),
	    cmocka_unit_test_setup(test_tlb_stale_unmap, setup),
	    cmocka_unit_test_setup(test_tlb_stale_changes, setup),
	    cmocka_unit_test_setup(test_tlb_vmid_invalidation, setup),
	    cmocka_unit_test_setup(test_tlb_el2_invalidation, setup),
	    cmocka_unit_test_setup(test_tlb_fill_all_registered, setup),
	    cmocka_unit_test_setup(test_tlb_many_entries, setup),
	    cmocka_unit_test_setup(test_vm_access, setup),
	    cmocka_unit_test_setup(test_can_access, setup),
	    cmocka_unit_test_setup(test_host_access_manual, setup),
	    cmocka_unit_test_setup(test_access_bytes, setup),
	    cmocka_unit_test_setup(test_pa_to_ptr, setup),
	    cmocka_unit_test_setup(test_kva_to_ptr, setup),
	    cmocka_unit_test_setup(test_halt, setup),
	    cmocka_unit_test_setup(test_console, setup),
	    cmocka_unit_test_setup(test_host_abort_log, setup),
	    cmocka_unit_test_setup(test_ram_banks, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
