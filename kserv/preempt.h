/* SPDX-License-Identifier: MIT */
/*
 * Taking the CPU back from a vCPU that makes no exits: while a worker runs a
 * vCPU (run.c, vcpu_run_slice) its EL1 physical timer (PPI 30) is always
 * armed: for a time slice (SCHED_SLICE_MS) if another vCPU waits for a CPU,
 * else for SCHED_SOLO_MS (nothing to switch to, but the host still gets the
 * CPU back: for a vCPU queued meanwhile, for a power-off). If it fires while
 * the guest runs, kcore takes the interrupt (HCR_EL2.IMO is set while a VM
 * runs) and returns KC_EXIT_IRQ; kserv re-arms the timer, which lowers the
 * (level) interrupt, and may run another vCPU. It is armed once per slice
 * and at IRQ exits, not at each entry, so exits that the guest makes often
 * cost nothing more. kserv itself never takes the
 * interrupt: it runs with IRQs masked, and uses the GIC only to let the
 * timer's interrupt be signalled.
 *
 * Needs the GICv3 of the DTB; without one (or if kserv cannot reach it)
 * vCPUs are switched at their exits only.
 */
#ifndef KSERV_PREEMPT_H
#define KSERV_PREEMPT_H

#include "types.h"

/* A vCPU's time slice; its timer when no other vCPU waits (run.c). */
#define SCHED_SLICE_MS 5
#define SCHED_SOLO_MS  20

/* Sets up the GIC's distributor (once) and this CPU's redistributor and interface. */
bool preempt_init_this_cpu(void);

/* Arms this CPU's timer to interrupt in ms milliseconds (if preempt_init_this_cpu worked). */
void preempt_arm(u64 ms);
void preempt_disarm(void);

/*
 * Waits about ms milliseconds without using the CPU (WFI until the timer's
 * interrupt is pending; it is never taken), or just pauses if this CPU has
 * no timer interrupt. For idle workers: under QEMU a spinning CPU takes host
 * time from the busy ones.
 */
void preempt_idle(u64 ms);

/*
 * Sends CPU cpu the kick SGI: if it is inside a guest, the guest exits with
 * KC_EXIT_IRQ (so the vCPU re-enters and finds what kcore made pending, or
 * stops if its VM is done); if it is in kserv, the SGI stays pending and ends
 * its next guest entry at once, unless preempt_ack_all takes it first.
 */
void preempt_kick(u32 cpu);

/* Acknowledges and ends every pending interrupt of this CPU (after KC_EXIT_IRQ). */
void preempt_ack_all(void);

#endif /* KSERV_PREEMPT_H */
