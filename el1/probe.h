/* SPDX-License-Identifier: MIT */
/*
 * Probing accesses: a load or store that is allowed to abort (kserv touching
 * memory kcore may refuse it, an attack guest touching what it must not), an
 * SVE instruction a guest expects to be undefined, or a system register
 * access that may be refused. When kcore refuses the access it injects a
 * synchronous exception; the user's el1_exception asks probe_claim_abort,
 * which records it and resumes after the instruction, and the probe returns
 * false. Any other exception stays unexpected.
 */
#ifndef EL1_PROBE_H
#define EL1_PROBE_H

#include "exc_frame.h"
#include "types.h"

/* What the last aborted probe on this CPU saw. */
struct probe_abort {
	u64 esr;
	u64 far;
	u64 elr;
};

/* A 64-bit read or write, or a 32-bit write, of addr: true if it completed, false if it aborted. */
bool probe_read64(u64 addr, u64 *val);
bool probe_write64(u64 addr, u64 val);
bool probe_write32(u64 addr, u32 val);
/* An SVE instruction (RDVL): true and the vector length if it ran, false if it was undefined. */
bool probe_sve(u64 *vector_bytes);
/*
 * Runs fn(val), in which one system register access may be refused (kcore
 * or the CPU makes it undefined, or an FP/SVE/SME access trap): that
 * instruction is then skipped, quietly. True if nothing was refused.
 */
bool probe_undef(void (*fn)(u64 *), u64 *val);
/* The syndrome of this CPU's last aborted probe. */
struct probe_abort probe_last_abort(void);
/* Quiet: this CPU's probe aborts are not reported (the caller reports them); loud by default. */
void probe_set_quiet(bool quiet);
bool probe_is_quiet(void);

/*
 * For the exception handler: true (and the frame set to resume after the
 * instruction) if this is the abort of an armed probe on this CPU.
 */
bool probe_claim_abort(struct exc_frame *f);

#endif /* EL1_PROBE_H */
