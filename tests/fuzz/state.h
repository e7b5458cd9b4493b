/* SPDX-License-Identifier: MIT */
/*
 * The persistent fuzzer's reset (tests/fuzz/state.c): the whole simulated
 * machine, kcore included, saved once after boot and put back after every
 * input. kcore's and the simulated machine's globals (every .data and .bss
 * of core/ and arch/sim/, which the fuzz build renames into the sections
 * kcore_data and kcore_bss, see the Makefile) are copied whole; RAM only
 * where it was touched (sim_ram_checkpoint/sim_ram_rollback). Two parts of
 * the sim live on the heap and are not copied but emptied, as they were
 * when saved: the TLB model (arch/sim/tlb.c; the machine is saved with it
 * empty) and the console log (arch/sim/console.c). The Makefile leaves those
 * two files' globals out of the sections.
 */
#ifndef KCORE_TESTS_FUZZ_STATE_H
#define KCORE_TESTS_FUZZ_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Saves the machine as it is now; the next fuzz_state_reset returns to it. */
void fuzz_state_save(void);
/* Puts the machine back as saved; returns the RAM pages copied. */
uint64_t fuzz_state_reset(void);
/* Whether the machine is exactly as saved: every global byte and all of RAM. */
bool fuzz_state_is_saved_one(void);
/*
 * A copy of the machine as it is now, and whether it still is (if not, the
 * first difference goes to stderr): a reset that is not exact says where.
 */
void fuzz_state_mark(void);
bool fuzz_state_same_as_mark(void);

#endif /* KCORE_TESTS_FUZZ_STATE_H */
