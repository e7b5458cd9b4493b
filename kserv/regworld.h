/* SPDX-License-Identifier: MIT */
/*
 * The host's side of the register-isolation test (include/kcore/regworld.h,
 * guests/regworld.c). At the first KC_TEST_REGWORLD call kserv writes the
 * host's value (world 1) into every register of the list it can write, on
 * the CPU that takes the call; from then on it reads every register after
 * every exit of every VM, on whichever CPU, and reports a VM's value it finds:
 *
 *   REGWORLD: host: leak: <reg> holds world N's value 0x...
 *   REGWORLD: host: lost: <reg> is 0x..., not the host's value
 *
 * ("lost": on the CPU that wrote, a register kcore switches no longer holds
 * the host's value). At the end of the payload: "REGWORLD: host: <n> checks,
 * <l> leaks, <m> lost". Nothing happens until a guest asks: the test costs
 * other payloads nothing.
 */
#ifndef KSERV_REGWORLD_H
#define KSERV_REGWORLD_H

#include "types.h"

/* KC_TEST_REGWORLD: writes the host's values once. Returns the call's x0 (0). */
u64 regworld_call(void);
/* Whether a guest started the test (set once, by regworld_call). */
extern bool regworld_on;
void regworld_check(void);
/* After every exit of every vCPU: checks the host's registers if the test is on. Inline: one load.
 */
static inline void regworld_check_exit(void)
{
	if (__builtin_expect(__atomic_load_n(&regworld_on, __ATOMIC_ACQUIRE), 0))
		regworld_check();
}
/* Forgets the test (before a payload run). */
void regworld_reset(void);
/* The summary line, if the test ran; true if it found nothing. */
bool regworld_summary(void);

#endif /* KSERV_REGWORLD_H */
