/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 virtual CPU interface of a vCPU: its list registers and the rest
 * of its ICH_* state, switched with the vCPU, and the virtual timer's
 * interrupt, which kcore itself puts into a list register when the guest's
 * timer condition holds (the host never sees or chooses it).
 */
#ifndef KCORE_AARCH64_VGIC_H
#define KCORE_AARCH64_VGIC_H

#include "core/lib/types.h"
/* This arch's own, also where host tests compile arch/aarch64 files against arch/sim. */
#include "include/arch/vcpu_state.h"

#define VTIMER_INTID 27u /* the virtual timer's PPI */

/* Empties every list register: once per CPU at boot (their reset value is UNKNOWN). */
void vgic_reset_lrs(void);

/*
 * Loads the saved state into ICH_* and enables the virtual interface. Only
 * the list registers in use are written: the others are empty already
 * (vgic_reset_lrs at boot, vgic_save after every run). Returns which ones it
 * wrote (bit n: LR n), for vgic_save.
 */
u32 vgic_load(const struct vgic_state *state);
/*
 * Saves ICH_* and disables the virtual interface (the host does not use it).
 * loaded is what vgic_load returned: only kcore fills list registers, so the
 * others are still empty and their saved words still zero.
 */
void vgic_save(struct vgic_state *state, u32 loaded);

#define CNTV_CTL_ENABLE (1ull << 0)
#define CNTV_CTL_IMASK	(1ull << 1)

/* vgic_sync_timer for a timer that is enabled and unmasked. */
void vgic_sync_armed_timer(struct vgic_state *state, u64 cntv_cval, u64 cntvoff);

/*
 * If the guest's virtual timer is enabled, unmasked and expired, makes its
 * interrupt pending in a free list register (unless it already is in one).
 * Inline: at most entries the timer is off, and that is one test.
 */
static inline void vgic_sync_timer(struct vgic_state *state, u64 cntv_ctl, u64 cntv_cval,
				   u64 cntvoff)
{
	if ((cntv_ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) == CNTV_CTL_ENABLE)
		vgic_sync_armed_timer(state, cntv_cval, cntvoff);
}

/*
 * Makes intid pending in the saved list registers: in the LR that already
 * holds it (pending stays pending; active becomes active and pending), or in
 * a free one. False if every LR is busy (the caller keeps it for later).
 */
bool vgic_add_pending(struct vgic_state *state, u32 intid);

/*
 * Which of INTIDs first..first+31 the saved list registers hold pending
 * (active false: pending, or active and pending) or active (true): bit i
 * for INTID first + i (arch_vcpu_irq_bits).
 */
u32 vgic_lr_bits(const struct vgic_state *state, u32 first, bool active);
/* Drops the pending state of those INTIDs from the saved list registers (arch_vcpu_irq_unpend). */
void vgic_lr_unpend(struct vgic_state *state, u32 first, u32 bits);

#endif /* KCORE_AARCH64_VGIC_H */
