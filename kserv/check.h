/* SPDX-License-Identifier: MIT */
/*
 * kcore's invariant checker (KC_HC_CHECK_INVARIANTS), with its verdict on
 * the console ("INVARIANTS: ..."): CHECK_OK, CHECK_FAILED (violations, or
 * an error), or CHECK_ABSENT: a release kcore, which has no checker
 * (KCORE_E_NOT_SUPPORTED). The "check" command, the end of a payload run
 * (vms.c) and the attack drivers call it.
 */
#ifndef KSERV_CHECK_H
#define KSERV_CHECK_H

enum check_result { CHECK_OK, CHECK_FAILED, CHECK_ABSENT };
enum check_result check_invariants(void);

#endif /* KSERV_CHECK_H */
