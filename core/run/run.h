/* SPDX-License-Identifier: MIT */
/*
 * Running a vCPU for the host (the seeds' VCPUOps, CtxtSwitch and
 * vm_exit_dispatcher): kcore enters the guest, handles every exit it can
 * itself (its own guest calls, PSCI), and returns to the host only with the
 * exit record of docs/abi.md — the least the host needs to act.
 */
#ifndef KCORE_VM_RUN_H
#define KCORE_VM_RUN_H

#include "core/vm/vm.h"

/*
 * KC_HC_VCPU_RUN: vmid, vcpuid and the PA of a host page holding a struct
 * kcore_vcpu_run. On KCORE_OK *reason is the exit reason (also in the page).
 */
int vcpu_run(u64 vmid, u64 vcpuid, u64 run_pa, u64 *reason);

#endif /* KCORE_VM_RUN_H */
