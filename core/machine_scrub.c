/* SPDX-License-Identifier: MIT */
/*
 * The scrub before the machine resets, powers off or halts on a panic
 * (docs/security.md, "Reset, power-off and panic"). In the next boot every
 * RAM page outside kcore's carve-out is the host's, and firmware may keep
 * RAM across a reset (QEMU does), so nothing that was not the host's may
 * still be in RAM by then. This is the portable half: which pages are not
 * the host's, and zeroing them. The arch stops every other CPU first and
 * calls the firmware afterwards (arch/aarch64/reset.c).
 *
 * No lock is taken: the arch calls this only once every other CPU is parked
 * or outside kcore with no stage-2 left to run on, and a panic may come
 * with any lock held. kcore's state is destroyed here; nothing of kcore may
 * run afterwards but the reset, power-off or halt.
 */
#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/mem.h"
#include "core/lib/seal.h"
#include "core/mem/host_s2.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "core/mm/pool.h"
#include "core/smmu/iommu.h"
#include "core/snapshot/record.h"
#include "core/vm/vm.h"

static bool in_range(paddr_t pa, const struct kcore_mem_range *r)
{
	return pa_addr(pa) >= pa_addr(r->base) && pa_addr(pa) - pa_addr(r->base) < r->size;
}

static void zero_and_clean(paddr_t pa, u64 size)
{
	void *p = arch_pa_to_ptr(pa);

	memset(p, 0, size);
	arch_clean_to_poc(p, size);
}

static void revoke_root(u32 vmid, paddr_t root)
{
	zero_and_clean(root, PAGE_SIZE);
	arch_tlbi_s2_vmid(vmid);
}

void kcore_scrub_revoke(void)
{
	if (kcore_owner_table().size == 0)
		return; /* a panic before kcore_init: no VM, no stage-2 yet */
	for (u32 vmid = 1; vmid <= vm_max_vms(); vmid++) {
		const struct vm *vm = vm_from_id(vmid);

		/* A slot's root page stays in its pool while the VM exists, whatever its state. */
		if (vm->state != VM_UNUSED)
			revoke_root(vmid, vm->s2.root);
	}
	revoke_root(KCORE_HOST_VMID, host_s2_table()->root);
}

/* What stays until the end: the arch's keep list, kcore's stage-1 tables, the ownership table. */
static bool kept(paddr_t pa, const struct kcore_mem_range *keep, u32 nr_keep,
		 const struct kcore_mem_range *table)
{
	for (u32 i = 0; i < nr_keep; i++) {
		if (in_range(pa, &keep[i]))
			return true;
	}
	return in_range(pa, table) || pool_contains(kmap_pool(), pa);
}

u64 kcore_scrub_memory(const struct kcore_mem_range *keep, u32 nr_keep)
{
	struct kcore_mem_range table = kcore_owner_table();
	u64 zeroed = 0;

	if (table.size == 0)
		return 0; /* a panic before kcore_init: nothing was ever given to anyone */
	/* No device may copy a VM's page into one already zeroed. */
	iommu_block_all_streams(mem_locked_sole_cpu());
	for (u64 i = 0; i < pgowner_nr_pages(); i++) {
		paddr_t pa = pgowner_page_at(i);

		if (pgowner_get(pa)->owner == OWNER_HOST || kept(pa, keep, nr_keep, &table))
			continue;
		zero_and_clean(pa, PAGE_SIZE);
		zeroed += PAGE_SIZE;
	}
	/* What the core keeps in its own image: registers, snapshot keys and pages, the key. */
	vm_registry_wipe();
	snap_scratch_wipe();
	seal_forget();
	/* Last: the walk above needed it. */
	zero_and_clean(table.base, table.size);
	return zeroed + table.size;
}
