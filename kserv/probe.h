/* SPDX-License-Identifier: MIT */
/*
 * Probing accesses to physical memory: a load or store that is allowed to
 * abort. When kcore refuses the access it injects a synchronous data abort;
 * the exception handler records it and resumes after the instruction, and the
 * probe returns false. Any other abort is unexpected and stops kserv.
 */
#ifndef KSERV_PROBE_H
#define KSERV_PROBE_H

#include "exc_frame.h"
#include "types.h"

/* What the last aborted probe on this CPU saw. */
struct probe_abort {
	u64 esr;
	u64 far;
	u64 elr;
};

bool kserv_probe_read(u64 pa, u64 *val);
bool kserv_probe_write(u64 pa, u64 val);
/* The same with a 32-bit store, for 32-bit device registers. */
bool kserv_probe_write32(u64 pa, u32 val);
/*
 * Runs fn(val), in which one system register access may be refused (kcore
 * or the CPU makes it undefined): that instruction is then skipped, quietly.
 * True if nothing was refused.
 */
bool kserv_probe_undef(void (*fn)(u64 *), u64 *val);
/* The syndrome of this CPU's last aborted probe. */
struct probe_abort kserv_probe_last_abort(void);
/* Whether this CPU's probe aborts are reported on the console (they are by default). */
void kserv_probe_set_quiet(bool quiet);
bool probe_is_quiet(void);

/*
 * For the exception handler: true (and the frame set to resume after the
 * instruction) if this is the data abort of an armed probe on this CPU.
 */
bool probe_claim_abort(struct exc_frame *f);

#endif /* KSERV_PROBE_H */
