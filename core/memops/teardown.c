/* SPDX-License-Identifier: MIT */
#include "teardown.h"

#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/mm/mem_lock.h"
#include "core/smmu/iommu.h"
#include "vm_mem.h"

void vm_poweroff(struct vm_locked locked)
{
	vm_set_poweroff(locked);
	/*
	 * A device the VM drove must lose the VM's pages before teardown can give
	 * them to anyone else: its domains go now, not at VM_FREE.
	 */
	iommu_release_vm(locked);
}

void vm_guest_poweroff(u32 vmid)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;

	KC_CHECK(vm != NULL);
	locked = vm_lock(vm);
	/*
	 * The call comes from one of the VM's running vCPUs, so the VM was
	 * verified; another of its vCPUs may have powered it off already.
	 */
	KC_CHECK(vm->state == VM_VERIFIED || vm->state == VM_POWEROFF);
	if (vm->state == VM_VERIFIED)
		vm_poweroff(locked);
	vm_unlock(&locked);
}

int vm_host_poweroff(u64 vmid)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;
	int err = KCORE_OK;

	if (vm == NULL)
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	if (vm->state != VM_READY && vm->state != VM_VERIFIED)
		err = KCORE_E_STATE;
	else if (vm_any_vcpu_active(locked))
		err = KCORE_E_BUSY;
	else
		vm_poweroff(locked);
	vm_unlock(&locked);
	return err;
}

int vm_free(u64 vmid)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;
	int err;

	if (vm == NULL)
		return KCORE_E_INVAL;
	vm_registry_lock();
	locked = vm_lock(vm);
	err = vm_free_check(locked);
	if (err == KCORE_OK) {
		struct mem_locked mlocked = mem_lock();

		vm_release_image_pages(locked, mlocked);
		mem_unlock(mlocked);
		vm_slot_release(locked);
	}
	vm_unlock(&locked);
	vm_registry_unlock();
	return err;
}
