/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 virtual CPU interface of a vCPU: its list registers and the rest
 * of its ICH_* state, switched with the vCPU. The timers' interrupts, which
 * kcore itself puts into list registers (timers.c), go in as hardware
 * interrupts (vgic_add_hw); the host never sees or chooses them.
 */
#ifndef KCORE_AARCH64_VGIC_H
#define KCORE_AARCH64_VGIC_H

#include "core/lib/types.h"
/* This arch's own, also where host tests compile arch/aarch64 files against arch/sim. */
#include "include/arch/vcpu_state.h"

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

/* The list register holding vintid (pending, active or both) in state, or -1. */
int vgic_find(const struct vgic_state *state, u32 vintid);

/*
 * Makes vintid pending in a free list register as the virtual side of the
 * physical PPI pintid (ICH_LR.HW): the guest's deactivation of vintid
 * deactivates pintid on this CPU. False if every LR is busy.
 */
bool vgic_add_hw(struct vgic_state *state, u32 vintid, u32 pintid);

/* Empties list register lr if it holds a pending interrupt not yet taken (a level that fell). */
void vgic_retract(struct vgic_state *state, u32 lr);

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
/* Drops the active state of those INTIDs from the saved list registers (arch_vcpu_irq_deactivate).
 */
void vgic_lr_deactivate(struct vgic_state *state, u32 first, u32 bits);

#endif /* KCORE_AARCH64_VGIC_H */
