/* SPDX-License-Identifier: MIT */
#include "vm_mem.h"

#include "core/lib/mem.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/mem/mem.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
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
 * Whether [ipa, ipa + size) is free in the VM's stage-2 and its table pool
 * can map it: KCORE_E_EXIST, KCORE_E_NOMEM or KCORE_OK.
 */
static int vm_range_mappable(struct vm_locked vlocked, u64 ipa, u64 size)
{
	struct vm *vm = vlocked.vm;
	u32 cost;

	if (vm_ipa_in_image(vlocked, ipa, size))
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
	struct vm_locked vlocked;
	paddr_t pa = pa_init(pa_raw);
	int err = KCORE_OK;

	if (vm == NULL || (size != PAGE_SIZE && size != BLOCK_SIZE) || !is_aligned(ipa, size) ||
	    !is_aligned(pa_raw, size) || !ipa_range_ok(ipa, size) || pa_raw >= (1ull << 48))
		return KCORE_E_INVAL;

	vlocked = vm_lock(vm);
	err = vm_accepts_memory(vm) ? vm_range_mappable(vlocked, ipa, size) : KCORE_E_STATE;
	if (err == KCORE_OK) {
		struct mem_locked locked = mem_lock();

		err = host_donate_vm(locked, vm->vmid, &vm->s2, ipa, pa, size);
		mem_unlock(locked);
	}
	vm_unlock(&vlocked);
	return err;
}

int vm_map_io(u64 vmid, u64 ipa, u64 pa_raw)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked vlocked;
	paddr_t pa = pa_init(pa_raw);
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

	vlocked = vm_lock(vm);
	err = vm_accepts_memory(vm) ? vm_range_mappable(vlocked, ipa, PAGE_SIZE) : KCORE_E_STATE;
	if (err == KCORE_OK)
		pgt_map_leaf(&vm->s2, ipa, pa, PAGE_SIZE, PT_PROT_RW | PT_PROT_DEVICE);
	vm_unlock(&vlocked);
	return err;
}

/* A guest's share or unshare of its page at ipa: core/mem's transition, under both locks. */
static int vm_page_change(u32 vmid, u64 ipa,
			  int (*transition)(struct mem_locked locked, u32 vmid,
					    const struct pgtable *s2, u64 ipa))
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked vlocked;
	int err;

	KC_CHECK(vm != NULL);
	if (!is_aligned(ipa, PAGE_SIZE) || !ipa_range_ok(ipa, PAGE_SIZE))
		return KCORE_E_INVAL;
	vlocked = vm_lock(vm);
	{
		struct mem_locked locked = mem_lock();

		err = transition(locked, vm->vmid, &vm->s2, ipa);
		mem_unlock(locked);
	}
	vm_unlock(&vlocked);
	return err;
}

int vm_share_page(u32 vmid, u64 ipa)
{
	return vm_page_change(vmid, ipa, vm_share_host);
}

int vm_unshare_page(u32 vmid, u64 ipa)
{
	return vm_page_change(vmid, ipa, vm_unshare_host);
}

int vm_clear_range(u64 vmid, u64 ipa, u64 size)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked vlocked;
	int err = KCORE_OK;

	if (vm == NULL || size == 0 || !is_aligned(ipa, PAGE_SIZE) ||
	    !is_aligned(size, PAGE_SIZE) || !ipa_range_ok(ipa, size))
		return KCORE_E_INVAL;
	vlocked = vm_lock(vm);
	if (vm->state != VM_POWEROFF)
		err = KCORE_E_STATE;
	else if (vm_any_vcpu_active(vlocked))
		err = KCORE_E_BUSY;
	else
		err = vm_reclaim_host_check(&vm->s2, ipa, size);
	if (err == KCORE_OK) {
		struct mem_locked locked = mem_lock();

		vm_reclaim_host(locked, &vm->s2, ipa, size);
		mem_unlock(locked);
	}
	vm_unlock(&vlocked);
	return err;
}

void vm_release_image_pages(struct vm_locked vlocked, struct mem_locked locked)
{
	const struct vm *vm = vlocked.vm;

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
			paddr_t pa;

			KC_CHECK(kmap_lookup(va_add(img->window, p * PAGE_SIZE), &pa));
			kcore_donate_host(locked, pa);
		}
	}
}
