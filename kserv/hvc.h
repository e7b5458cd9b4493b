/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls to kcore (docs/abi.md): HVC #0 with the function id in x0 and
 * arguments in x1..x5; kcore answers with a status in x0 (KCORE_OK or a
 * negative KCORE_E_*) and results in x1..x5.
 */
#ifndef KSERV_HVC_H
#define KSERV_HVC_H

#include <kcore/abi.h>

#include "types.h"

struct kcore_ret {
	s64 err;  /* x0 */
	u64 x[6]; /* x[1]..x[5] = x1..x5 (x[0] unused) */
};

/* Issues HVC #0 with x0 = id, x1..x5 = a1..a5 (x6, x7 = 0); returns x0 and fills *ret. */
s64 kcore_call(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct kcore_ret *ret);

static inline s64 kcore_call0(u64 id, struct kcore_ret *ret)
{
	return kcore_call(id, 0, 0, 0, 0, 0, ret);
}

/*
 * KC_HC_VCPU_RUN, the call of every exit, with its arguments and results in
 * registers rather than through kcore_call's blocks in memory. Returns x0;
 * *reason = x1. Unlike kcore_call it has no fallback for a machine without
 * EL2 (exceptions.c knows only smccc_hvc's HVC): only a VM kcore registered
 * gets this far. Inline: run.c calls it at every exit.
 */
static inline s64 kcore_vcpu_run(u64 vmid, u64 vcpuid, u64 run_pa, u64 *reason)
{
	register u64 x0 __asm__("x0") = KC_HC_VCPU_RUN;
	register u64 x1 __asm__("x1") = vmid;
	register u64 x2 __asm__("x2") = vcpuid;
	register u64 x3 __asm__("x3") = run_pa;

	/* kcore returns results in x0..x5 and leaves the rest as they were; x4, x5 are unset. */
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "memory");
	*reason = x1;
	return (s64)x0;
}

/* "KCORE_E_INVAL" and so on; "?" for a code abi.h does not define. */
const char *kcore_err_name(s64 err);

#endif /* KSERV_HVC_H */
