/* SPDX-License-Identifier: MIT */
/*
 * The transitions that move a page from one owner to another: the host's
 * donations to a VM and to kcore (images), kcore's to a VM (a verified
 * image) and back to the host (an unverified one), and a powered-off VM's
 * pages back to the host. The table is in mem.h.
 */
#include "core/arch.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/mm/kmap.h"
#include "core/mm/pgowner_write.h"
#include "core/mm/pool.h"
#include "host_s2.h"
#include "mem.h"

void mem_owners_init(struct mem_locked locked, const struct kcore_mem_range *kcore_ranges,
		     u32 nr_ranges)
{
	(void)locked;
	dma_mirror_forget(); /* the host asks for one after boot, if it has no IOMMU driver */
	/* nothing -> HOST, unshared, no DMA, no gfn: the host starts with all of RAM. */
	pgowner_fill((struct page_info){.owner = OWNER_HOST, .gfn = GFN_NONE});
	/* HOST -> KCORE: kcore's image and carve-out, before the host ever runs. */
	for (u32 r = 0; r < nr_ranges; r++) {
		for (u64 off = 0; off < kcore_ranges[r].size; off += PAGE_SIZE)
			pgowner_get_mut(pa_add(kcore_ranges[r].base, off))->owner = OWNER_KCORE;
	}
}

/*
 * The precondition of a page leaving the host (to a VM or to kcore): every
 * page of [pa, pa + size) is RAM (else INVAL), the host's (else PERM),
 * unshared and out of every IO domain, where a device the host programs
 * could still write it (else BUSY). Changes nothing; *first is pa's entry,
 * for the commit. Inlined, and one lookup fewer: donation is on the path of
 * every first touch of a VM's page.
 */
static inline __attribute__((always_inline)) int host_pages_leave_check(paddr_t pa, u64 size,
									struct page_info **first)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		struct page_info *page = pgowner_get_mut(pa_add(pa, off));

		if (page == NULL)
			return KCORE_E_INVAL;
		if (page->owner != OWNER_HOST)
			return KCORE_E_PERM;
		if (page->count != 0 || page->dma_count != 0)
			return KCORE_E_BUSY;
		if (off == 0)
			*first = page;
	}
	return KCORE_OK;
}

/*
 * host_donate_vm's commit: each page goes from owner HOST (unshared, no DMA)
 * to owner vmid at its gfn (unshared), leaving the host's stage-2 first.
 */
static void host_donate_vm_commit(struct mem_locked locked, u32 vmid, struct pgtable *vm_s2,
				  u64 ipa, paddr_t pa, u64 size, struct page_info *first)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		struct page_info *page = off == 0 ? first : pgowner_get_mut(pa_add(pa, off));

		page->owner = vmid;
		page->gfn = ipa_gfn(ipa_init(ipa + off));
		host_unmap_page(locked, pa_add(pa, off));
		dma_mirror_leave(locked, pa_add(pa, off));
	}
	arch_dcache_hand_over(pa, size);
	arch_sync_icache(); /* no stale instruction of an earlier owner's at these PAs */
	/* Only now, with the host's mappings gone and invalidated, may the VM see it. */
	pgt_map_leaf(vm_s2, ipa, pa, size, PT_PROT_RWX);
}

int host_donate_vm(struct mem_locked locked, u32 vmid, struct pgtable *vm_s2, u64 ipa, paddr_t pa,
		   u64 size)
{
	struct page_info *first = NULL;
	int err = host_pages_leave_check(pa, size, &first);

	if (err == KCORE_OK)
		host_donate_vm_commit(locked, vmid, vm_s2, ipa, pa, size, first);
	return err;
}

static int host_donate_kcore_check(paddr_t pa, vaddr_t va)
{
	struct page_info *first;
	int err = host_pages_leave_check(pa, PAGE_SIZE, &first);

	if (err == KCORE_OK && kmap_window_map_cost(va) > pool_nr_free(kmap_pool()))
		err = KCORE_E_NOMEM;
	return err;
}

/*
 * host_donate_kcore's commit: owner HOST (unshared, no DMA) -> KCORE. The
 * page leaves the host's reach (owner, stage-2, TLB) before kcore maps it:
 * nothing the host does afterwards can change what gets hashed.
 */
static void host_donate_kcore_commit(struct mem_locked locked, paddr_t pa, vaddr_t va,
				     u64 image_bytes)
{
	struct page_info *page = pgowner_get_mut(pa);
	int err;

	page->owner = OWNER_KCORE;
	page->gfn = GFN_NONE;
	host_unmap_page(locked, pa);
	dma_mirror_leave(locked, pa);
	/* The VM's view of the whole page: either signed or zero. */
	if (image_bytes < PAGE_SIZE)
		memset((u8 *)arch_pa_to_ptr(pa) + image_bytes, 0, PAGE_SIZE - image_bytes);
	/*
	 * Whatever the host left in the cache or wrote around it reaches memory
	 * now, once: the bytes hashed are the bytes the VM reads, with its
	 * caches on or off.
	 */
	arch_clean_dcache_range(pa, PAGE_SIZE);
	err = kmap_window_map(locked, va, pa);
	KC_CHECK(err == KCORE_OK);
}

int host_donate_kcore(struct mem_locked locked, paddr_t pa, vaddr_t va, u64 image_bytes)
{
	int err = host_donate_kcore_check(pa, va);

	if (err == KCORE_OK)
		host_donate_kcore_commit(locked, pa, va, image_bytes);
	return err;
}

/* The precondition of a page leaving kcore: an invariant here, so the callers halt on it. */
static int kcore_page_leave_check(paddr_t pa)
{
	const struct page_info *page = pgowner_get(pa);

	if (page == NULL)
		return KCORE_E_INVAL;
	return page->owner == OWNER_KCORE ? KCORE_OK : KCORE_E_PERM;
}

/* KCORE -> owner vmid at ipa's gfn, unshared; then mapped in the VM's stage-2. */
void kcore_donate_vm(struct mem_locked locked, u32 vmid, struct pgtable *vm_s2, ipaddr_t ipa,
		     paddr_t pa)
{
	struct page_info *page;

	(void)locked;
	KC_CHECK(kcore_page_leave_check(pa) == KCORE_OK);
	page = pgowner_get_mut(pa);
	page->owner = vmid;
	page->gfn = ipa_gfn(ipa);
	page->count = 0;
	pgt_map_leaf(vm_s2, ipa_addr(ipa), pa, PAGE_SIZE, PT_PROT_RWX);
}

/*
 * Zeroes a page and hands it to the host: owner (a VM or KCORE) -> HOST,
 * unshared, no gfn. Whoever mapped it unmapped it first.
 */
static void scrub_to_host(struct mem_locked locked, paddr_t pa)
{
	struct page_info *page = pgowner_get_mut(pa);

	memset(arch_pa_to_ptr(pa), 0, PAGE_SIZE);
	/* The zeros to memory, the VM's lines gone: a host reading uncached sees zeros too. */
	arch_clean_dcache_range(pa, PAGE_SIZE);
	page->owner = OWNER_HOST;
	page->count = 0;
	page->gfn = GFN_NONE;
	/* Only the zeros can reach a device. */
	dma_mirror_return(locked, pa);
}

/*
 * KCORE -> HOST, zeroed. The page's window stays mapped (windows are
 * write-once) but is never followed again: its image did not load.
 */
void kcore_donate_host(struct mem_locked locked, paddr_t pa)
{
	(void)locked;
	KC_CHECK(kcore_page_leave_check(pa) == KCORE_OK);
	scrub_to_host(locked, pa);
}

struct range_check {
	u64 start;
	u64 end;
	bool straddles;
};

static bool check_leaf_inside(void *ctx, const struct pt_leaf *leaf)
{
	struct range_check *rc = ctx;

	if (leaf->ia < rc->start || leaf->ia + leaf->size > rc->end) {
		rc->straddles = true;
		return false;
	}
	return true;
}

int vm_reclaim_host_check(const struct pgtable *vm_s2, u64 ipa, u64 size)
{
	struct range_check rc = {ipa, ipa + size, false};

	/* A block cut by the range would leave a half-reclaimed block: refuse up front. */
	pgt_for_each_leaf(vm_s2, ipa, ipa + size, check_leaf_inside, &rc);
	return rc.straddles ? KCORE_E_INVAL : KCORE_OK;
}

struct reclaim_ctx {
	const struct mem_locked *locked;
	struct pgtable *vm_s2;
	u64 cleared;
};

static bool reclaim_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct reclaim_ctx *rc = ctx;
	struct pt_leaf copy = *leaf;

	/*
	 * Unmap (and invalidate) before scrubbing: SeKVM cleared pages the VM could
	 * still reach (brief, defect 6). Then zero each page before the host owns it.
	 */
	pgt_unmap_leaf(rc->vm_s2, copy.ia);
	for (u64 off = 0; off < copy.size; off += PAGE_SIZE) {
		if (pgowner_is_ram(pa_add(copy.pa, off)))
			scrub_to_host(*rc->locked, pa_add(copy.pa, off));
	}
	rc->cleared++;
	return true;
}

/* vm_reclaim_host's commit: each RAM page of the range, owner VM n -> HOST, zeroed. */
void vm_reclaim_host(struct mem_locked locked, struct pgtable *vm_s2, u64 ipa, u64 size)
{
	struct reclaim_ctx rc = {&locked, vm_s2, 0};

	pgt_for_each_leaf(vm_s2, ipa, ipa + size, reclaim_leaf, &rc);
	/* Before the host can map a page: none of the VM's instructions stays cached. */
	if (rc.cleared != 0)
		arch_sync_icache();
}
