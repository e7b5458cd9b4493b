/* SPDX-License-Identifier: MIT */
/*
 * kserv's probing accesses to physical memory: the EL1 library's probes
 * (el1/probe.h) under the names kserv's callers use. When kcore refuses an
 * access it injects a synchronous data abort; kserv's exception handler
 * hands it to probe_claim_abort, and the probe returns false. Any other
 * abort is unexpected and stops kserv.
 */
#ifndef KSERV_PROBE_H
#define KSERV_PROBE_H

#include "el1/probe.h"

static inline bool kserv_probe_read(u64 pa, u64 *val)
{
	return probe_read64(pa, val);
}

static inline bool kserv_probe_write(u64 pa, u64 val)
{
	return probe_write64(pa, val);
}

/* The same with a 32-bit store, for 32-bit device registers. */
static inline bool kserv_probe_write32(u64 pa, u32 val)
{
	return probe_write32(pa, val);
}

static inline bool kserv_probe_undef(void (*fn)(u64 *), u64 *val)
{
	return probe_undef(fn, val);
}

static inline struct probe_abort kserv_probe_last_abort(void)
{
	return probe_last_abort();
}

/* Whether this CPU's probe aborts are reported on the console (they are by default). */
static inline void kserv_probe_set_quiet(bool quiet)
{
	probe_set_quiet(quiet);
}

#endif /* KSERV_PROBE_H */
