/* SPDX-License-Identifier: MIT */
/*
 * The host's hypercall dispatcher (the seeds' TrapDispatcher host_hvc_dispatcher):
 * one case per call of include/kcore/abi.h. Arguments arrive as raw 64-bit
 * registers and are handed on as such; each handler checks them before use.
 */
#include <kcore/abi.h>

#include "core/boot/boot.h"
#include "core/boot/verify.h"
#include "core/kcore.h"
#include "core/memops/teardown.h"
#include "core/memops/vm_mem.h"
#include "core/run/run.h"
#include "core/smmu/iommu.h"
#include "core/snapshot/snapshot.h"
#include "core/vm/virq.h"
#include "core/vm/vm.h"

void host_hvc_dispatch(struct kcore_hvc_regs *regs)
{
	const u64 *x = regs->x;
	u64 result = 0;
	u64 more[4] = {0, 0, 0, 0}; /* x2..x5, for calls that return more */
	u32 out32 = 0;
	bool ok;
	int err;

	switch (x[0]) {
	case KC_HC_VERSION:
		err = KCORE_OK;
		result = KCORE_ABI_VERSION;
		break;
	case KC_HC_REGISTER_VM:
		err = vm_register(&out32);
		result = out32;
		break;
	case KC_HC_REGISTER_VCPU:
		err = vcpu_register(x[1], x[2]);
		break;
	case KC_HC_SET_BOOT_INFO:
		err = vm_set_boot_info(x[1], x[2], x[3], &out32);
		result = out32;
		break;
	case KC_HC_REMAP_VM_IMAGE:
		err = vm_remap_image_page(x[1], x[2], x[3]);
		break;
	case KC_HC_VERIFY_VM:
		err = vm_verify_and_load_images(x[1]);
		break;
	case KC_HC_VCPU_SET_ENTRY:
		err = vcpu_set_entry(x[1], x[2], x[3], x[4]);
		break;
	case KC_HC_VM_DONATE:
		err = vm_donate(x[1], x[2], x[3], x[4]);
		break;
	case KC_HC_VM_MAP_IO:
		err = vm_map_io(x[1], x[2], x[3]);
		break;
	case KC_HC_VM_POWEROFF:
		err = vm_host_poweroff(x[1]);
		break;
	case KC_HC_VM_CLEAR_RANGE:
		err = vm_clear_range(x[1], x[2], x[3]);
		break;
	case KC_HC_VM_FREE:
		err = vm_free(x[1]);
		break;
	case KC_HC_VM_SET_RAM:
		err = vm_set_ram(x[1], x[2], x[3]);
		break;
	case KC_HC_VCPU_RUN:
		err = vcpu_run(x[1], x[2], x[3], &result);
		break;
	case KC_HC_VCPU_INJECT_IRQ:
		err = virq_inject_from_host(x[1], x[2], x[3]);
		break;
	case KC_HC_IO_DOMAIN_ALLOC:
		err = iommu_domain_alloc(x[1], &out32);
		result = out32;
		break;
	case KC_HC_IO_DOMAIN_FREE:
		err = iommu_domain_free(x[1]);
		break;
	case KC_HC_IO_ATTACH:
		err = iommu_attach(x[1], x[2]);
		break;
	case KC_HC_IO_DETACH:
		err = iommu_detach(x[1]);
		break;
	case KC_HC_IO_MAP:
		err = iommu_map(x[1], x[2], x[3]);
		break;
	case KC_HC_IO_UNMAP:
		err = iommu_unmap(x[1], x[2]);
		break;
	case KC_HC_IO_IOVA_TO_PHYS:
		err = iommu_iova_to_phys(x[1], x[2], &result);
		break;
	case KC_HC_VM_SNAPSHOT_BEGIN:
		err = snapshot_begin(x[1], x[2]);
		break;
	case KC_HC_VM_SNAPSHOT_PAGE:
		err = snapshot_page(x[1], x[2], x[3], x[4]);
		break;
	case KC_HC_VM_SNAPSHOT_VCPU:
		err = snapshot_vcpu(x[1], x[2], x[3], x[4]);
		break;
	case KC_HC_VM_SNAPSHOT_END:
		err = snapshot_end(x[1], x[2]);
		break;
	case KC_HC_VM_SNAPSHOT_CANCEL:
		err = snapshot_cancel(x[1]);
		break;
	case KC_HC_VM_RESTORE_BEGIN:
		err = restore_begin(x[1], x[2]);
		break;
	case KC_HC_VM_RESTORE_PAGE:
		err = restore_page(x[1], x[2], x[3]);
		break;
	case KC_HC_VM_RESTORE_VCPU:
		err = restore_vcpu(x[1], x[2], x[3]);
		break;
	case KC_HC_VM_RESTORE_END:
		err = restore_end(x[1], x[2]);
		break;
	case KC_HC_IO_FAULT_POP: {
		struct arch_io_fault fault = {0};

		err = iommu_fault_pop(&fault);
		result = fault.sid;
		more[0] = fault.addr;
		more[1] = fault.type;
		more[2] = fault.access;
		break;
	}
	case KC_HC_KEY_INFO:
		err = verify_key_info(x[1], &out32, more);
		result = out32;
		break;
#ifdef KCORE_DEBUG
	case KC_HC_CHECK_INVARIANTS:
		err = KCORE_OK;
		result = kcore_check_invariants();
		break;
#endif
	default:
		err = KCORE_E_NOT_SUPPORTED;
		break;
	}

	/* Results only on success; written out one by one (a loop here cost a dozen more). */
	ok = err == KCORE_OK;
	regs->x[0] = (u64)(s64)err;
	regs->x[1] = ok ? result : 0;
	regs->x[2] = ok ? more[0] : 0;
	regs->x[3] = ok ? more[1] : 0;
	regs->x[4] = ok ? more[2] : 0;
	regs->x[5] = ok ? more[3] : 0;
}
