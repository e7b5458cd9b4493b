/* SPDX-License-Identifier: MIT */
/*
 * Running one vCPU (docs/kserv.md, "Running VMs"): KC_HC_VCPU_RUN with the
 * vCPU's run page, then the exit: vmm/exit.h does the host's part (MMIO to
 * the emulated devices, the guest calls the host answers) and says what
 * follows, which is kserv's: a first touch of RAM gets a page (or a 2 MiB
 * block) donated, WFI yields the CPU (and sleeps), WFE yields it to a vCPU
 * that waits (sched.h), a power-off ends the guest (and kicks its other
 * vCPUs out of their guests), a vCPU the guest started with PSCI CPU_ON
 * joins the run queue. Whatever the exit leaves to complete (an MMIO read's
 * value, a call's results) travels in the run page's "in" part at the next
 * run.
 */
#ifndef KSERV_RUN_H
#define KSERV_RUN_H

#include "guest.h"

/* Runs v until it yields (requeued) or stops (sched_vcpu_stopped). */
void vcpu_run_slice(struct guest_vcpu *v);

#endif /* KSERV_RUN_H */
