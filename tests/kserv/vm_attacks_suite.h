/* SPDX-License-Identifier: MIT */
/* The attacks kserv makes at the secret guest's checkpoint (vm_attacks.h lists them). */
#ifndef KSERV_VM_ATTACKS_SUITE_H
#define KSERV_VM_ATTACKS_SUITE_H

#include "kserv/guest.h"

/* Attacks g, whose vCPU v is stopped at a checkpoint; ends with the invariant checker. */
void vm_attacks_suite(struct guest *g, struct guest_vcpu *v);

#endif /* KSERV_VM_ATTACKS_SUITE_H */
