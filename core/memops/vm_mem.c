/* SPDX-License-Identifier: MIT */
#include "vm_mem.h"

#include "core/lib/mem.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "host_mem.h"
#include "platform.h"

static bool ipa_range_ok(u64 ipa, u64 size)
{
	u64 limit = 1ull << vm_ipa_bits();

	return ipa < limit && size <= limit - ipa;
}

static bool vm_accepts_memory(const struct vm *vm)
{
	return vm->state == VM_READY || vm->state == VM_VERIFIED;
}

/*
 * Checks every page of [pa, pa + size) is the host's, unshared and out of
 * every host IO domain (a device could still write it): the donation precondition.
 */
static int check_host_pages(paddr_t pa, u64 size)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		const struct page_info *page = pgowner_get(pa_add(pa, off));

		if (page == NULL)
			return KCORE_E_INVAL;
		if (page->owner != OWNER_HOST)
			return KCORE_E_PERM;
		if (page->count != 0 || page->dma_count != 0)
			return KCORE_E_BUSY;
	}
	return KCORE_OK;
}

/*
 * Whether [ipa, ipa + size) is free in the VM's stage-2 and its table pool
 * can map it: KCORE_E_EXIST, KCORE_E_NOMEM or KCORE_OK.
 */
static int vm_range_mappable(struct vm_locked locked, u64 ipa, u64 size)
{
	struct vm *vm = locked.vm;
	u32 cost;

	if (vm_ipa_in_image(vm, ipa, size))
		return KCORE_E_EXIST;
	if (size == PAGE_SIZE) {
		/* The common case (a first touch): both questions in one walk. */
		if (!pgt_page_unmapped(&vm->s2, ipa, &cost))
			return KCORE_E_EXIST;
	} else {
		if (!pgt_range_unmapped(&vm->s2, ipa, size))
			return KCORE_E_EXIST;
		cost = pgt_map_cost(&vm->s2, ipa, size, size);
	}
	return cost > pool_nr_free(&vm->pool) ? KCORE_E_NOMEM : KCORE_OK;
}

int vm_donate(u64 vmid, u64 ipa, u64 pa_raw, u64 size)
{
	struct vm *vm = vm_from_id(vmid);
	paddr_t pa = pa_init(pa_raw);
	struct vm_locked locked;
	int err = KCORE_OK;

	if (vm == NULL || (size != PAGE_SIZE && size != BLOCK_SIZE) || !is_aligned(ipa, size) ||
	    !is_aligned(pa_raw, size) || !ipa_range_ok(ipa, size) || pa_raw >= (1ull << 48))
		return KCORE_E_INVAL;

	locked = vm_lock(vm);
	err = vm_accepts_memory(vm) ? vm_range_mappable(locked, ipa, size) : KCORE_E_STATE;
	if (err != KCORE_OK)
		goto out;

	mem_lock();
	err = check_host_pages(pa, size);
	if (err == KCORE_OK) {
		for (u64 off = 0; off < size; off += PAGE_SIZE) {
			struct page_info *page = pgowner_get(pa_add(pa, off));

			page->owner = vm->vmid;
			page->gfn = ipa_gfn(ipa_init(ipa + off));
			host_unmap_page(pa_add(pa, off));
		}
		arch_dcache_hand_over(pa, size);
		arch_sync_icache(); /* no stale instruction of an earlier owner's at these PAs */
		/* Only now, with the host's mappings gone and invalidated, may the VM see it. */
		pgt_map_leaf(&vm->s2, ipa, pa, size, PT_PROT_RWX);
	}
	mem_unlock();
out:
	vm_unlock(&locked);
	return err;
}

int vm_map_io(u64 vmid, u64 ipa, u64 pa_raw)
{
	struct vm *vm = vm_from_id(vmid);
	paddr_t pa = pa_init(pa_raw);
	struct vm_locked locked;
	int err = KCORE_OK;

	if (vm == NULL || !is_aligned(ipa, PAGE_SIZE) || !is_aligned(pa_raw, PAGE_SIZE) ||
	    !ipa_range_ok(ipa, PAGE_SIZE) || pa_raw >= (1ull << 48))
		return KCORE_E_INVAL;
	/* Device pages only: RAM reaches a VM by donation, which moves ownership. */
	if (pgowner_is_ram(pa))
		return KCORE_E_INVAL;
	/* The platform policy: never kcore's, a mediated or a denied (or unknown) device. */
	if (!platform_vm_may_map_class(platform_class(pa)))
		return KCORE_E_PERM;

	locked = vm_lock(vm);
	err = vm_accepts_memory(vm) ? vm_range_mappable(locked, ipa, PAGE_SIZE) : KCORE_E_STATE;
	if (err == KCORE_OK)
		pgt_map_leaf(&vm->s2, ipa, pa, PAGE_SIZE, PT_PROT_RW | PT_PROT_DEVICE);
	vm_unlock(&locked);
	return err;
}

/* The VM's RAM page at ipa, or NULL. Caller holds mem_lock. */
static struct page_info *vm_ram_page(struct vm_locked locked, u64 ipa, paddr_t *pa)
{
	const struct vm *vm = locked.vm;
	struct pt_leaf leaf;
	struct page_info *page;

	if (!pgt_lookup(&vm->s2, ipa, &leaf))
		return NULL;
	*pa = pa_add(leaf.pa, (ipa & ~(PAGE_SIZE - 1)) - leaf.ia);
	page = pgowner_get(*pa);
	/* vm_iso: whatever RAM the VM maps, it owns, at that gfn. */
	if (page != NULL)
		KC_CHECK(page->owner == vm->vmid && page->gfn == ipa >> PAGE_SHIFT);
	return page;
}

int vm_share_page(u32 vmid, u64 ipa)
{
	struct vm *vm = vm_from_id(vmid);
	struct page_info *page;
	paddr_t pa;
	struct vm_locked locked;
	int err = KCORE_OK;

	KC_CHECK(vm != NULL);
	if (!is_aligned(ipa, PAGE_SIZE) || !ipa_range_ok(ipa, PAGE_SIZE))
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	mem_lock();
	page = vm_ram_page(locked, ipa, &pa);
	if (page == NULL)
		err = KCORE_E_NOENT;
	else if (page->count != 0)
		err = KCORE_E_EXIST;
	else
		page->count = 1; /* the host maps it on its next fault there */
	mem_unlock();
	vm_unlock(&locked);
	return err;
}

int vm_unshare_page(u32 vmid, u64 ipa)
{
	struct vm *vm = vm_from_id(vmid);
	struct page_info *page;
	paddr_t pa;
	struct vm_locked locked;
	int err = KCORE_OK;

	KC_CHECK(vm != NULL);
	if (!is_aligned(ipa, PAGE_SIZE) || !ipa_range_ok(ipa, PAGE_SIZE))
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	mem_lock();
	page = vm_ram_page(locked, ipa, &pa);
	if (page == NULL) {
		err = KCORE_E_NOENT;
	} else if (page->count == 0) {
		err = KCORE_E_STATE;
	} else if (page->dma_count != 0) {
		/* A device (any IO domain) can still reach it: taking it back would be a lie. */
		err = KCORE_E_BUSY;
	} else {
		host_unmap_page(pa);
		page->count = 0;
	}
	mem_unlock();
	vm_unlock(&locked);
	return err;
}

/* Zeroes a page and hands it to the host; it was unmapped from the VM first. */
static void scrub_to_host(paddr_t pa)
{
	struct page_info *page = pgowner_get(pa);

	memset(arch_pa_to_ptr(pa), 0, PAGE_SIZE);
	/* The zeros to memory, the VM's lines gone: a host reading uncached sees zeros too. */
	arch_clean_dcache_range(pa, PAGE_SIZE);
	page->owner = OWNER_HOST;
	page->count = 0;
	page->gfn = GFN_NONE;
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

struct clear_ctx {
	struct vm *vm;
	u64 cleared;
};

static bool clear_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct clear_ctx *cc = ctx;
	struct pt_leaf copy = *leaf;

	/*
	 * Unmap (and invalidate) before scrubbing: SeKVM cleared pages the VM could
	 * still reach (brief, defect 6). Then zero each page before the host owns it.
	 */
	pgt_unmap_leaf(&cc->vm->s2, copy.ia);
	for (u64 off = 0; off < copy.size; off += PAGE_SIZE) {
		if (pgowner_is_ram(pa_add(copy.pa, off)))
			scrub_to_host(pa_add(copy.pa, off));
	}
	cc->cleared++;
	return true;
}

int vm_clear_range(u64 vmid, u64 ipa, u64 size)
{
	struct vm *vm = vm_from_id(vmid);
	struct range_check rc = {ipa, ipa + size, false};
	struct clear_ctx cc;
	int err = KCORE_OK;

	if (vm == NULL || size == 0 || !is_aligned(ipa, PAGE_SIZE) ||
	    !is_aligned(size, PAGE_SIZE) || !ipa_range_ok(ipa, size))
		return KCORE_E_INVAL;
	spin_lock(&vm->lock);
	if (vm->state != VM_POWEROFF) {
		err = KCORE_E_STATE;
	} else if (vm_any_vcpu_active(vm)) {
		err = KCORE_E_BUSY;
	} else {
		/* A block cut by the range would leave a half-reclaimed block: refuse up front. */
		pgt_for_each_leaf(&vm->s2, ipa, ipa + size, check_leaf_inside, &rc);
		if (rc.straddles)
			err = KCORE_E_INVAL;
	}
	if (err == KCORE_OK) {
		cc = (struct clear_ctx){vm, 0};
		mem_lock();
		pgt_for_each_leaf(&vm->s2, ipa, ipa + size, clear_leaf, &cc);
		/* Before the host can map a page: none of the VM's instructions stays cached. */
		if (cc.cleared != 0)
			arch_sync_icache();
		mem_unlock();
	}
	spin_unlock(&vm->lock);
	return err;
}

void vm_release_image_pages(struct vm_locked locked)
{
	const struct vm *vm = locked.vm;

	KC_CHECK(mem_lock_held());
	for (u32 i = 0; i < vm->nr_images; i++) {
		const struct vm_image *img = &vm->images[i];

		/*
		 * A loaded image's pages became the VM's and went back to the host
		 * through clear_range; the old window must not be followed any more,
		 * the page may belong to someone else by now.
		 */
		if (img->loaded)
			continue;
		for (u64 p = 0; p < img->nr_remapped; p++) {
			struct page_info *page;
			paddr_t pa;

			KC_CHECK(kmap_lookup(va_add(img->window, p * PAGE_SIZE), &pa));
			page = pgowner_get(pa);
			KC_CHECK(page != NULL && page->owner == OWNER_KCORE);
			scrub_to_host(pa);
		}
	}
}
