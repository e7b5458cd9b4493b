/* SPDX-License-Identifier: MIT */
/*
 * The CPU_ON override (issue 14, point 5), part of the host attack suite.
 * When a guest turns a vCPU on, kcore tells the host which one to run
 * (KC_EXIT_VCPU_START). With the suite on, kserv first tries to move where
 * that vCPU starts (KC_HC_VCPU_SET_ENTRY at the image's first byte with
 * x0 = 0: the guest's boot path, run again on a secondary) and to set the
 * start of a vCPU the guest has not turned on yet. kcore must refuse both
 * (KCORE_E_PERM); the smp guest then checks each secondary came up where it
 * said, with the context it gave, and says PASS.
 */
#ifndef KSERV_VM_ATTACKS_CPU_ON_H
#define KSERV_VM_ATTACKS_CPU_ON_H

#include "guest.h"

/* g's guest turned vCPU vcpuid on; called before kserv runs it. */
void vm_attacks_cpu_on(struct guest *g, u32 vcpuid);

#endif /* KSERV_VM_ATTACKS_CPU_ON_H */
