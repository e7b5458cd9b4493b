/* SPDX-License-Identifier: MIT */
/*
 * A VM's power-off and free, in order (the one place that knows the order):
 *
 *   power-off (host VM_POWEROFF, guest SYSTEM_OFF/RESET, a failed
 *   verification or restore): under vm->lock, the VM becomes POWEROFF
 *   (core/vm/vm.c), then its IO domains go (core/smmu), so that no device
 *   still reaches a page of the VM when the host reclaims it (VM_CLEAR_RANGE,
 *   core/memops/vm_mem.c).
 *
 *   free (host VM_FREE, after every page was reclaimed): under the registry
 *   lock and vm->lock, the state check (core/vm/vm.c), then the image pages
 *   kcore still holds go back to the host scrubbed (under mem_lock), then the
 *   slot's stage-2 and vCPUs are released.
 *
 * Locks as core/lock_order.h: registry lock, vm->lock, mem_lock.
 */
#ifndef KCORE_MEMOPS_TEARDOWN_H
#define KCORE_MEMOPS_TEARDOWN_H

#include "core/vm/vm.h"

/* The VM becomes POWEROFF for good and its IO domains are torn down. */
void vm_poweroff(struct vm_locked locked);

/* Host calls: arguments raw from registers, all checked. */
int vm_host_poweroff(u64 vmid);
int vm_free(u64 vmid);

#endif /* KCORE_MEMOPS_TEARDOWN_H */
