/* SPDX-License-Identifier: MIT */
/*
 * A VM's memory (the seeds' MemoryOps/MemAux and MmioOps layers): donation of
 * host pages on the VM's faults, device pages, the VM's own share/unshare of
 * its pages with the host, and teardown that scrubs each page, unmaps it from
 * the VM and returns it to the host.
 *
 * Each call checks every argument and the VM's state first and changes
 * nothing unless all checks pass; the page ownership transitions themselves
 * (check, then a commit that cannot fail) are core/mem's.
 * Locks: vm->lock, then mem_lock (core/lock_order.h).
 */
#ifndef KCORE_MEMOPS_VM_MEM_H
#define KCORE_MEMOPS_VM_MEM_H

#include "core/mm/mem_lock.h"
#include "core/vm/vm.h"

/* Host calls. size is KCORE_PAGE_SIZE or KCORE_BLOCK_SIZE. */
int vm_donate(u64 vmid, u64 ipa, u64 pa, u64 size);
int vm_map_io(u64 vmid, u64 ipa, u64 pa);
int vm_clear_range(u64 vmid, u64 ipa, u64 size);

/* Guest calls from an active vCPU of vm. */
int vm_share_page(u32 vmid, u64 ipa);
int vm_unshare_page(u32 vmid, u64 ipa);

/*
 * Returns to the host, scrubbed, every image page kcore still holds for vm
 * (an image that never verified).
 */
void vm_release_image_pages(struct vm_locked vlocked, struct mem_locked locked);

#endif /* KCORE_MEMOPS_VM_MEM_H */
