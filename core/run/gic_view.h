/* SPDX-License-Identifier: MIT */
/*
 * kcore's part of the guest's GIC distributor and redistributors, which the
 * host emulates (vmm/vgic.h) from KC_EXIT_MMIO exits. The interrupts kcore
 * delivers (its timer's, SGIs, what the host injected) are pending or active
 * in the vCPU's list registers and pending set, which the host never sees;
 * so kcore, which decodes the guest's access and completes it:
 *   - ORs their pending bits into the value of a read of the vCPU's own
 *     GICR_ISPENDR0/ICPENDR0 (INTIDs 0..31) or of GICD_ISPENDRn/ICPENDRn
 *     (n 1..31, the SPIs this vCPU holds), and their active bits into
 *     GICR_ISACTIVER0/ICACTIVER0 and GICD_ISACTIVERn/ICACTIVERn: what the
 *     guest would read from a GIC (the host's value holds what it records);
 *   - keeps the PPI enables of the guest's own GICR_ISENABLER0/ICENABLER0
 *     writes (virq_set_ppi_enables), so that a PPI kcore raises itself is
 *     not delivered while the guest has it disabled;
 *   - takes the pending state of the INTIDs the guest writes to its own
 *     GICR_ICPENDR0 or to GICD_ICPENDRn (n 1..31) out of its list
 *     registers and pending set;
 *   - takes the active state of the INTIDs the guest writes to its own
 *     GICR_ICACTIVER0 or to GICD_ICACTIVERn (n 1..31) out of its list
 *     registers (the timer's hardware one included), as a deactivation.
 * Only 32-bit aligned accesses, as the GIC has these registers. The host
 * learns nothing from this (kcore adds to the guest's register, never to
 * the run page) and injects nothing through it (the enables change only by
 * the guest's own write, as kcore decoded it).
 */
#ifndef KCORE_RUN_GIC_VIEW_H
#define KCORE_RUN_GIC_VIEW_H

#include <kcore/payload.h>

#include "core/vm/vm.h"

/* vcpu->mmio.gic_read: valid, pending or active, and the word (INTIDs 32 * word ..). */
#define GIC_READ_VALID	0x80u
#define GIC_READ_ACTIVE 0x40u
#define GIC_READ_WORD	0x1fu

/*
 * Whether ipa may be one of the registers below: in the 4 MiB from the
 * distributor, which hold every redistributor a VM can have. Inline and one
 * comparison, so that the other MMIO exits (every device but the GIC) pay
 * next to nothing more.
 */
#define GIC_VIEW_WINDOW_SHIFT 22
_Static_assert((KCORE_GUEST_GICD_BASE & ((1ull << GIC_VIEW_WINDOW_SHIFT) - 1)) == 0 &&
		   ((KCORE_GUEST_GICR_BASE + 0x20000ull * KCORE_MAX_VCPUS - 1) >>
		    GIC_VIEW_WINDOW_SHIFT) == (KCORE_GUEST_GICD_BASE >> GIC_VIEW_WINDOW_SHIFT),
	       "the GIC's frames lie in one 4 MiB window");
static inline bool gic_view_may_hit(u64 ipa)
{
	return (ipa >> GIC_VIEW_WINDOW_SHIFT) == (KCORE_GUEST_GICD_BASE >> GIC_VIEW_WINDOW_SHIFT);
}

/*
 * An MMIO exit of vCPU vcpuid at ipa (size bytes; value: a write's): applies
 * a write to its enables, and returns what vcpu->mmio.gic_read is to hold
 * (0 if the access is none of those kcore completes).
 */
u8 gic_view_exit(struct vcpu *vcpu, u32 vcpuid, u64 ipa, u32 size, bool write, u64 value);

/* The value of the guest's read gic_read (not 0) describes, given the host's. */
u64 gic_view_read(struct vcpu *vcpu, u8 gic_read, u64 host_value);

#endif /* KCORE_RUN_GIC_VIEW_H */
