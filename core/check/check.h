/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker's parts (core/check): invariants.c walks the core's
 * own state and calls the others, each of which reports what it finds
 * through check_violation. Called with every VM lock and mem_lock held.
 */
#ifndef KCORE_CHECK_CHECK_H
#define KCORE_CHECK_CHECK_H

#include "core/lib/types.h"

/* Logs (the first few) and counts one violated property; a and b say where. */
void check_violation(const char *what, u64 a, u64 b);

/*
 * smmu_hw: the SMMU's hardware stream table agrees with the core's (every
 * stream the core calls blocked aborts; every attached one translates
 * through its domain's table, and nothing bypasses). Only with an SMMU.
 */
void check_smmu_hw(void);

#endif /* KCORE_CHECK_CHECK_H */
