/* SPDX-License-Identifier: MIT */
#include "boot.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/memops/host_mem.h"
#include "core/memops/teardown.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "verify.h"

static u64 pages_of(u64 size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

int vm_set_boot_info(u64 vmid, u64 load_ipa, u64 size, u32 *load_idx)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_image *img;
	vaddr_t window;
	int err;

	if (vm == NULL)
		return KCORE_E_INVAL;
	if (size <= KCORE_IMG_TRAILER_SIZE || size > KCORE_MAX_IMAGE_SIZE ||
	    !is_aligned(load_ipa, PAGE_SIZE) || load_ipa >= (1ull << vm_ipa_bits()) ||
	    pages_of(size) * PAGE_SIZE > (1ull << vm_ipa_bits()) - load_ipa)
		return KCORE_E_INVAL;

	spin_lock(&vm->lock);
	if (vm->state != VM_READY) {
		err = KCORE_E_STATE;
	} else if (vm->nr_images >= KCORE_MAX_LOAD_IMAGES) {
		err = KCORE_E_NOMEM;
	} else if (vm_ipa_in_image(vm, load_ipa, pages_of(size) * PAGE_SIZE) ||
		   !pgt_range_unmapped(&vm->s2, load_ipa, pages_of(size) * PAGE_SIZE)) {
		err = KCORE_E_EXIST;
	} else {
		mem_lock();
		err = kmap_window_alloc(pages_of(size), &window);
		mem_unlock();
	}
	if (err == KCORE_OK) {
		*load_idx = vm->nr_images;
		img = &vm->images[vm->nr_images++];
		*img = (struct vm_image){.load_ipa = ipa_init(load_ipa),
					 .size = size,
					 .nr_pages = pages_of(size),
					 .window = window};
	}
	spin_unlock(&vm->lock);
	return err;
}

/*
 * The last page of an image holds more than the image: the bytes after its
 * end (the trailer's) are the host's choice, not signed, and the page is
 * mapped executable into the VM. Zeroed here, once the page has left the
 * host and before anything is hashed, so the VM's view of the whole page is
 * either signed or zero.
 */
static void clear_after_image(const struct vm_image *img, paddr_t pa)
{
	u64 used = img->size - img->nr_remapped * PAGE_SIZE; /* bytes of the image in this page */

	if (img->nr_remapped + 1 == img->nr_pages && used < PAGE_SIZE)
		memset((u8 *)arch_pa_to_ptr(pa) + used, 0, PAGE_SIZE - used);
}

int vm_remap_image_page(u64 vmid, u64 pfn, u64 load_idx)
{
	struct vm *vm = vm_from_id(vmid);
	struct page_info *page;
	struct vm_image *img;
	paddr_t pa;
	vaddr_t va;
	int err = KCORE_OK;

	if (vm == NULL || pfn >= (1ull << (48 - PAGE_SHIFT)))
		return KCORE_E_INVAL;
	pa = pa_from_pfn(pfn);

	spin_lock(&vm->lock);
	if (vm->state != VM_READY) {
		spin_unlock(&vm->lock);
		return KCORE_E_STATE;
	}
	if (load_idx >= vm->nr_images) {
		spin_unlock(&vm->lock);
		return KCORE_E_INVAL;
	}
	img = &vm->images[load_idx];
	if (img->nr_remapped == img->nr_pages) {
		spin_unlock(&vm->lock);
		return KCORE_E_EXIST;
	}
	va = va_add(img->window, img->nr_remapped * PAGE_SIZE);

	mem_lock();
	page = pgowner_get(pa);
	if (page == NULL)
		err = KCORE_E_INVAL;
	else if (page->owner != OWNER_HOST)
		err = KCORE_E_PERM;
	else if (page->count != 0 || page->dma_count != 0)
		err = KCORE_E_BUSY; /* a device the host programs could still write it */
	else if (kmap_window_map_cost(va) > pool_nr_free(kmap_pool()))
		err = KCORE_E_NOMEM;
	if (err == KCORE_OK) {
		/*
		 * The page leaves the host's reach (owner, stage-2, TLB) before kcore
		 * maps it: nothing the host does afterwards can change what gets hashed.
		 */
		page->owner = OWNER_KCORE;
		page->gfn = GFN_NONE;
		host_unmap_page(pa);
		clear_after_image(img, pa);
		/*
		 * Whatever the host left in the cache or wrote around it reaches
		 * memory now, once: the bytes hashed are the bytes the VM reads,
		 * with its caches on or off.
		 */
		arch_clean_dcache_range(pa, PAGE_SIZE);
		err = kmap_window_map(va, pa);
		KC_CHECK(err == KCORE_OK);
		img->nr_remapped++;
	}
	mem_unlock();
	spin_unlock(&vm->lock);
	return err;
}

static u32 images_map_cost(const struct vm *vm)
{
	u32 cost = 0;

	/* Summed per image: exact for one image, an upper bound for several. */
	for (u32 i = 0; i < vm->nr_images; i++)
		cost += pgt_map_cost(&vm->s2, ipa_addr(vm->images[i].load_ipa),
				     vm->images[i].nr_pages * PAGE_SIZE, PAGE_SIZE);
	return cost;
}

static void load_image(struct vm *vm, struct vm_image *img)
{
	for (u64 i = 0; i < img->nr_pages; i++) {
		ipaddr_t ipa = ipa_add(img->load_ipa, i * PAGE_SIZE);
		struct page_info *page;
		paddr_t pa;

		KC_CHECK(kmap_lookup(va_add(img->window, i * PAGE_SIZE), &pa));
		page = pgowner_get(pa);
		KC_CHECK(page != NULL && page->owner == OWNER_KCORE);
		page->owner = vm->vmid;
		page->gfn = ipa_gfn(ipa);
		page->count = 0;
		pgt_map_leaf(&vm->s2, ipa_addr(ipa), pa, PAGE_SIZE, PT_PROT_RWX);
	}
	img->loaded = true;
}

int vm_verify_and_load_images(u64 vmid)
{
	struct vm *vm = vm_from_id(vmid);
	u64 payload[KCORE_MAX_LOAD_IMAGES];
	u64 load_ipa[KCORE_MAX_LOAD_IMAGES];
	u64 size[KCORE_MAX_LOAD_IMAGES];
	u8 digest[KCORE_MAX_LOAD_IMAGES][32];
	struct vm_locked locked;
	int err = KCORE_OK;

	if (vm == NULL)
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	if (vm->state != VM_READY || vm->nr_images == 0) {
		err = KCORE_E_STATE;
		goto out;
	}
	for (u32 i = 0; i < vm->nr_images; i++) {
		if (vm->images[i].nr_remapped != vm->images[i].nr_pages) {
			err = KCORE_E_STATE;
			goto out;
		}
	}
	if (images_map_cost(vm) > pool_nr_free(&vm->pool)) {
		err = KCORE_E_NOMEM;
		goto out;
	}
	/*
	 * The pages are kcore's and unchanged since remap; only this VM's calls
	 * touch them and they hold vm->lock, so hashing needs no mem_lock.
	 */
	for (u32 i = 0; i < vm->nr_images; i++) {
		load_ipa[i] = ipa_addr(vm->images[i].load_ipa);
		size[i] = vm->images[i].size;
		if (verify_image(vm->images[i].window, vm->images[i].size, &payload[i],
				 digest[i]) != KCORE_OK) {
			kc_log("vm %u: image %u failed verification; the vm will never run",
			       vm->vmid, i);
			vm_poweroff(locked);
			err = KCORE_E_VERIFY;
			goto out;
		}
	}
	/* What a snapshot of this VM is bound to (core/snapshot). */
	verify_measure(load_ipa, size, (const u8(*)[32])digest, vm->nr_images, vm->measurement);
	mem_lock();
	for (u32 i = 0; i < vm->nr_images; i++) {
		vm->images[i].payload_size = payload[i];
		load_image(vm, &vm->images[i]);
	}
	/* The pages were cleaned at remap; no earlier owner's instructions stay cached. */
	arch_sync_icache();
	mem_unlock();
	vm->state = VM_VERIFIED;
out:
	vm_unlock(&locked);
	return err;
}
