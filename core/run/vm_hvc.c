/* SPDX-License-Identifier: MIT */
/*
 * Guest calls kcore answers itself (the seeds' vm_exit_dispatcher /
 * core_handle_pvops): its version, sharing and unsharing the VM's own pages,
 * and power-off. Everything else goes to the host as function id and
 * arguments only.
 */
#include <kcore/abi.h>

#include "core/kcore.h"
#include "core/memops/teardown.h"
#include "core/memops/vm_mem.h"
#include "core/vm/vm.h"

#define PSCI_SYSTEM_OFF	  0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

bool vm_hvc_dispatch(u32 vmid, u32 vcpuid, struct kcore_hvc_regs *regs)
{
	u64 result = 0;
	int err;

	(void)vcpuid;
	switch (regs->x[0]) {
	case KC_GC_VERSION:
		err = KCORE_OK;
		result = KCORE_ABI_VERSION;
		break;
	case KC_GC_SHARE_PAGE:
		err = vm_share_page(vmid, regs->x[1]);
		break;
	case KC_GC_UNSHARE_PAGE:
		err = vm_unshare_page(vmid, regs->x[1]);
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		/* Reset is power-off: a protected VM restarts only by being loaded again. */
		vm_guest_poweroff(vmid);
		err = KCORE_OK;
		break;
	default:
		return false;
	}
	regs->x[0] = (u64)(s64)err;
	regs->x[1] = err == KCORE_OK ? result : 0;
	return true;
}
