/* SPDX-License-Identifier: MIT */
/*
 * pKVM's MMIO guard for one VM (docs/abi.md, "The MMIO guard"): the pages
 * outside its RAM the guest said it means as MMIO, as a bounded table of
 * page ranges. The first page registered enrolls the VM; from then on an
 * MMIO fault (core/run/run.c) on any other page is refused with an external
 * abort instead of going to the host, which so never sees the address or a
 * stored value the guest did not mean for a device.
 *
 * Locking: the table is under vm->lock (core/lock_order.h), as the VM's
 * other state; `enrolled` is also read without it (atomically) so that a VM
 * that never enrolled pays nothing on its MMIO exits. Only vm_register and
 * vm_slot_release clear it, when no vCPU of the VM can run.
 */
#ifndef KCORE_VM_MMIO_GUARD_H
#define KCORE_VM_MMIO_GUARD_H

#include "core/lib/types.h"

/*
 * Ranges per VM. Neighbouring pages merge into one range, so a device of
 * many pages (the GIC's redistributors) takes one; a guest that needs more
 * separate ranges than this gets INVALID_PARAMETER for the one too many.
 */
#define VM_MMIO_GUARD_RANGES 32u

/* [first, end): page-aligned IPAs, first < end. */
struct mmio_guard_range {
	u64 first;
	u64 end;
};

/*
 * Disjoint ranges that do not touch (neighbours are merged), in no order;
 * nr > 0 exactly when enrolled.
 */
struct vm_mmio_guard {
	u8 enrolled; /* atomics when read without vm->lock */
	u32 nr;
	struct mmio_guard_range range[VM_MMIO_GUARD_RANGES];
};

struct vm;

/*
 * MMIO_GUARD(ipa) for vm, taking vm->lock: KCORE_OK (registered now or
 * before; the VM is enrolled), KCORE_E_INVAL (unaligned, beyond the IPA
 * space, in the VM's RAM or one of its images), KCORE_E_NOMEM (the table
 * is full). Nothing changes unless KCORE_OK.
 */
int vm_mmio_guard_map(struct vm *vm, u64 ipa);

/*
 * May an MMIO access at ipa go to the host? True unless the VM is enrolled
 * and did not register ipa's page. Takes vm->lock only for an enrolled VM.
 */
bool vm_mmio_guard_allows(struct vm *vm, u64 ipa);

/* The empty, unenrolled table (a new or released VM slot). */
void vm_mmio_guard_clear(struct vm_mmio_guard *g);

#endif /* KCORE_VM_MMIO_GUARD_H */
