/* SPDX-License-Identifier: MIT */
#include "boot.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/mem/mem.h"
#include "core/memops/teardown.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "verify.h"

static u64 pages_of(u64 size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

int vm_set_boot_info(u64 vmid, u64 load_ipa, u64 size, u32 *load_idx)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked vlocked;
	struct vm_image *img;
	vaddr_t window;
	int err;

	if (vm == NULL)
		return KCORE_E_INVAL;
	if (size <= KCORE_IMG_TRAILER_SIZE || size > KCORE_MAX_IMAGE_SIZE ||
	    !is_aligned(load_ipa, PAGE_SIZE) || load_ipa >= (1ull << vm_ipa_bits()) ||
	    pages_of(size) * PAGE_SIZE > (1ull << vm_ipa_bits()) - load_ipa)
		return KCORE_E_INVAL;

	vlocked = vm_lock(vm);
	if (vm->state != VM_READY) {
		err = KCORE_E_STATE;
	} else if (vm->nr_images >= KCORE_MAX_LOAD_IMAGES) {
		err = KCORE_E_NOMEM;
	} else if (vm_ipa_in_image(vlocked, load_ipa, pages_of(size) * PAGE_SIZE) ||
		   !pgt_range_unmapped(&vm->s2, load_ipa, pages_of(size) * PAGE_SIZE)) {
		err = KCORE_E_EXIST;
	} else {
		struct mem_locked locked = mem_lock();

		err = kmap_window_alloc(locked, pages_of(size), &window);
		mem_unlock(locked);
	}
	if (err == KCORE_OK) {
		*load_idx = vm->nr_images;
		img = &vm->images[vm->nr_images++];
		*img = (struct vm_image){.load_ipa = ipa_init(load_ipa),
					 .size = size,
					 .nr_pages = pages_of(size),
					 .window = window};
	}
	vm_unlock(&vlocked);
	return err;
}

int vm_remap_image_page(u64 vmid, u64 pfn, u64 load_idx)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked vlocked;
	struct vm_image *img;
	paddr_t pa;
	vaddr_t va;
	int err;

	if (vm == NULL || pfn >= (1ull << (48 - PAGE_SHIFT)))
		return KCORE_E_INVAL;
	pa = pa_from_pfn(pfn);

	vlocked = vm_lock(vm);
	if (vm->state != VM_READY) {
		vm_unlock(&vlocked);
		return KCORE_E_STATE;
	}
	if (load_idx >= vm->nr_images) {
		vm_unlock(&vlocked);
		return KCORE_E_INVAL;
	}
	img = &vm->images[load_idx];
	if (img->nr_remapped == img->nr_pages) {
		vm_unlock(&vlocked);
		return KCORE_E_EXIST;
	}
	va = va_add(img->window, img->nr_remapped * PAGE_SIZE);

	/*
	 * The last page of an image holds more than the image: the bytes after
	 * its end (the trailer's) are the host's choice, not signed, and the page
	 * is mapped executable into the VM. host_donate_kcore zeroes them once
	 * the page has left the host and before anything is hashed.
	 */
	struct mem_locked locked = mem_lock();

	err = host_donate_kcore(locked, pa, va, img->size - img->nr_remapped * PAGE_SIZE);
	mem_unlock(locked);
	if (err == KCORE_OK)
		img->nr_remapped++;
	vm_unlock(&vlocked);
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

static void load_image(struct mem_locked locked, struct vm *vm, struct vm_image *img)
{
	for (u64 i = 0; i < img->nr_pages; i++) {
		paddr_t pa;

		KC_CHECK(kmap_lookup(va_add(img->window, i * PAGE_SIZE), &pa));
		kcore_donate_vm(locked, vm->vmid, &vm->s2, ipa_add(img->load_ipa, i * PAGE_SIZE),
				pa);
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
	{
		struct mem_locked mlocked = mem_lock();

		for (u32 i = 0; i < vm->nr_images; i++) {
			vm->images[i].payload_size = payload[i];
			load_image(mlocked, vm, &vm->images[i]);
		}
		/* The pages were cleaned at remap; no earlier owner's instructions stay cached. */
		arch_sync_icache();
		mem_unlock(mlocked);
	}
	vm->state = VM_VERIFIED;
out:
	vm_unlock(&locked);
	return err;
}
