/* SPDX-License-Identifier: MIT */
/*
 * The guest calls kcore passes to the host (KC_EXIT_GUEST_CALL: function id
 * and x1..x6 only). kcore answers its own calls and PSCI itself (a CPU_ON
 * comes to kserv as KC_EXIT_VCPU_START), so what reaches kserv is the test
 * calls of include/kcore/guest_tests.h:
 *
 * - KC_TEST_READ_SHARED(ipa): kserv reads the 4 KiB page the guest shares at
 *   ipa (through its gfn map, with probing loads: a page that is not shared
 *   aborts) and answers x0 = 0, x1 = kc_test_checksum() of it, or x0 =
 *   KCORE_E_INVAL;
 * - KC_TEST_CHECKPOINT(n): the attack suite's moment (vm_attacks.c); the
 *   answer is x0 = KC_TEST_CHECKPOINT_GO_ON or _STOP, or NOT_SUPPORTED when
 *   kserv does not attack that guest (it then stops when it likes);
 * - KC_TEST_REGWORLD: the register-isolation test (regworld.h), x0 = 0.
 *
 * Every other call is answered x0 = -1 (SMCCC NOT_SUPPORTED).
 */
#ifndef KSERV_GUEST_CALLS_H
#define KSERV_GUEST_CALLS_H

#include "guest.h"

/* Handles the call the exit describes; sets v's completion for the next run. */
void guest_call(struct guest_vcpu *v, const struct kcore_vcpu_run *run);

#endif /* KSERV_GUEST_CALLS_H */
