/* SPDX-License-Identifier: MIT */
/*
 * Virtual interrupts kcore delivers to a vCPU besides its timer: SGIs one
 * vCPU of a VM sends another (the guest writes ICC_SGI1R_EL1, which traps),
 * and interrupts of devices the host emulates (KC_HC_VCPU_INJECT_IRQ). Each
 * vCPU has a pending set; the arch moves pending interrupts into free list
 * registers at every entry. The set is updated with atomics, because the
 * host or a sibling vCPU may add to it while the vCPU runs on another CPU.
 */
#ifndef KCORE_VM_VIRQ_H
#define KCORE_VM_VIRQ_H

#include "core/vm/vm.h"

#define VIRQ_NR_SGIS   16u
#define VIRQ_FIRST_PPI 16u
#define VIRQ_VTIMER    27u   /* the guest's virtual timer: kcore's, never the host's */
#define VIRQ_PTIMER    30u   /* the guest's physical timer (kcore emulates it): kcore's too */
#define VIRQ_LIMIT     1020u /* INTIDs 1020..1023 are special */

/*
 * virq_raise (adds intid < VIRQ_LIMIT to the vCPU's pending set) and virq_pop
 * (takes the lowest out) are the arch's too: declared in core/arch.h.
 */

/*
 * The guest's writes to its GICR_ISENABLER0 (set) and GICR_ICENABLER0
 * (clear): the PPI bits (16..31) of the enables virq_ppi_enabled reads
 * (core/arch.h); the SGIs are always enabled. Only the vCPU's own CPU, while
 * it runs it.
 */
void virq_set_ppi_enables(struct vcpu *vcpu, u32 set, u32 clear);

/* Which of INTIDs first..first+31 (first a multiple of 32) wait in the set, not yet in an LR. */
u32 virq_pending_bits(const struct vcpu *vcpu, u32 first);

/* Takes INTIDs first..first+31 of bits (first a multiple of 32) out of the set. */
void virq_unpend(struct vcpu *vcpu, u32 first, u32 bits);

/* Empties the set (a vCPU that is registered again starts with nothing pending). */
void virq_clear(struct vcpu *vcpu);

/*
 * The guest's write of value to ICC_SGI1R_EL1 from vCPU sender: raises the
 * SGI on every target vCPU of the VM (registered ones; the affinity is the
 * vCPU index, as the VM's MPIDRs say) and returns the targets as a bit mask.
 */
u64 virq_send_sgi(struct vm *vm, u32 sender, u64 value);

/* KC_HC_VCPU_INJECT_IRQ. */
int virq_inject_from_host(u64 vmid, u64 vcpuid, u64 intid);

#endif /* KCORE_VM_VIRQ_H */
