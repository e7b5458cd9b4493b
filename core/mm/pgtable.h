/* SPDX-License-Identifier: MIT */
/*
 * ARMv8-A translation tables with the 4 KiB granule (the seeds' NPTWalk and
 * NPTOps layers): four levels (0..3), 4 KiB pages and 2 MiB blocks, real
 * descriptor formats. One implementation serves three regimes: a stage-2 (the
 * host's or a VM's), an SMMU IO page table (an SMMUv3 stage-2 uses the same
 * VMSAv8-64 stage-2 format) and kcore's own EL2 stage-1; only the leaf
 * attribute encoding and the TLB invalidation differ (pt_desc.c, below).
 *
 * Every update is prepare-then-commit: the caller asks what a map costs
 * (pgt_map_cost) and checks its pool before changing anything, so a map that
 * starts cannot fail half way and no partial mapping is ever left behind.
 * Every operation below is one walk (pt_walk.h) with its own visitor, and the
 * cost is the map's own walk in a counting mode: the two cannot disagree.
 * Unmaps and permission changes invalidate the TLB through the arch before
 * they return. Locking: the caller holds the lock of the table's principal.
 */
#ifndef KCORE_MM_PGTABLE_H
#define KCORE_MM_PGTABLE_H

#include <kcore/abi.h>

#include "pool.h"

enum pt_regime {
	PT_STAGE2,     /* host or VM stage-2; tlbi by VMID and IPA */
	PT_EL2_STAGE1, /* kcore's own tables; tlbi by VA */
	PT_IO,	       /* an IO domain's table (stage-2 format); SMMU tlbi by domain and IOVA */
	PT_IO_S1,      /* the same in the stage-1 format, for an SMMU without stage 2 */
};

/* Leaf permissions and memory type. */
#define PT_PROT_R      (1u << 0)
#define PT_PROT_W      (1u << 1)
#define PT_PROT_X      (1u << 2)
#define PT_PROT_DEVICE (1u << 3) /* Device-nGnRE instead of Normal write-back */
#define PT_PROT_RW     (PT_PROT_R | PT_PROT_W)
#define PT_PROT_RWX    (PT_PROT_R | PT_PROT_W | PT_PROT_X)

#define PT_LEVELS  4u
#define PT_ENTRIES 512u

struct pgtable {
	paddr_t root;
	struct pt_pool *pool;
	enum pt_regime regime;
	u32 ia_bits; /* input address bits: IPA (stage-2), IOVA (IO), VA (stage-1) */
	u32 vmid;    /* the tag TLB invalidation names: the VMID (stage-2), the domain id (IO) */
};

/* A valid leaf: the block or page that maps an input address. */
struct pt_leaf {
	u64 ia; /* input address of the start of the leaf */
	paddr_t pa;
	u64 size; /* PAGE_SIZE or BLOCK_SIZE */
	u32 level;
	u32 prot;
};

/* Allocates the root table. KCORE_E_NOMEM when the pool is empty. */
int pgt_init(struct pgtable *pt, struct pt_pool *pool, enum pt_regime regime, u32 ia_bits,
	     u32 vmid);

/* Frees every table page back to the pool. The caller invalidates the TLB. */
void pgt_destroy(struct pgtable *pt);

static inline bool pgt_ia_valid(const struct pgtable *pt, u64 ia)
{
	return ia < (1ull << pt->ia_bits);
}

/* The leaf mapping ia, if any. */
bool pgt_lookup(const struct pgtable *pt, u64 ia, struct pt_leaf *leaf);

/* True when nothing in [ia, ia + size) is mapped. */
bool pgt_range_unmapped(const struct pgtable *pt, u64 ia, u64 size);

/*
 * Table pages a map of [ia, ia + size) with leaves of leaf_size would need to
 * allocate. Exact for one range.
 */
u32 pgt_map_cost(const struct pgtable *pt, u64 ia, u64 size, u64 leaf_size);

/*
 * pgt_range_unmapped and pgt_map_cost for one 4 KiB page at ia (page
 * aligned, inside the table's input size) in a single walk: true when
 * nothing maps the page, with the table pages a map of it would need in
 * *cost.
 */
bool pgt_page_unmapped(const struct pgtable *pt, u64 ia, u32 *cost);

/*
 * Maps one leaf (leaf_size PAGE_SIZE or BLOCK_SIZE, both addresses aligned to
 * it) that the caller has checked is unmapped and whose cost it has checked
 * against the pool. Cannot fail: a violated precondition is a kcore bug.
 */
void pgt_map_leaf(struct pgtable *pt, u64 ia, paddr_t pa, u64 leaf_size, u32 prot);

/* Removes the leaf mapping ia and invalidates it from the TLB. Returns its size, or 0. */
u64 pgt_unmap_leaf(struct pgtable *pt, u64 ia);

/* Changes the permissions of the leaf mapping ia, then invalidates. KCORE_E_NOENT if none. */
int pgt_set_prot(struct pgtable *pt, u64 ia, u32 prot);

/*
 * Calls fn on every valid leaf that overlaps [start, end), with the leaf's full
 * extent, in address order; stops when fn returns false. (A block that starts
 * before `start` is visited: range checks rely on seeing it.)
 */
typedef bool (*pgt_leaf_fn)(void *ctx, const struct pt_leaf *leaf);
void pgt_for_each_leaf(const struct pgtable *pt, u64 start, u64 end, pgt_leaf_fn fn, void *ctx);

/* Calls fn on every table page (root included): for the invariant checker. */
typedef void (*pgt_table_fn)(void *ctx, paddr_t table, u32 level);
void pgt_for_each_table(const struct pgtable *pt, pgt_table_fn fn, void *ctx);

#endif /* KCORE_MM_PGTABLE_H */
