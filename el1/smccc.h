/* SPDX-License-Identifier: MIT */
/* The SMCCC conduits of conduit.S: x0..x7 in from regs, x0..x7 out to regs. */
#ifndef EL1_SMCCC_H
#define EL1_SMCCC_H

#include "types.h"

struct smccc_regs {
	u64 x[8];
};

void smccc_hvc(struct smccc_regs *regs);
void smccc_smc(struct smccc_regs *regs);

/* The labelled HVC and SMC instructions (conduit.S), for the exception handler. */
extern const u32 smccc_hvc_insn[];
extern const u32 smccc_smc_insn[];

#endif /* EL1_SMCCC_H */
