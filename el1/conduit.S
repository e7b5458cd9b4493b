/* SPDX-License-Identifier: MIT */
/*
 * The two SMCCC conduits: smccc_hvc (kserv: kcore's hypercalls, and PSCI
 * when the DTB says "hvc"; a guest: every call, kcore's guest calls and PSCI)
 * and smccc_smc (kserv: PSCI when the DTB says "smc", which kcore traps). Both take a struct smccc_regs *: x0..x7 are loaded from it before
 * the call and stored back after. The instruction itself is labelled so the
 * exception handler can recognise an HVC or SMC that is undefined (no EL2 or
 * EL3 to take it) and make it return NOT_SUPPORTED instead of stopping.
 */
.macro conduit name, insn
	.global	\name, \name\()_insn
\name:
	stp	x29, x30, [sp, #-32]!
	mov	x29, sp
	str	x19, [sp, #16]
	mov	x19, x0
	ldp	x0, x1, [x19, #0]
	ldp	x2, x3, [x19, #16]
	ldp	x4, x5, [x19, #32]
	ldp	x6, x7, [x19, #48]
\name\()_insn:
	\insn	#0
	stp	x0, x1, [x19, #0]
	stp	x2, x3, [x19, #16]
	stp	x4, x5, [x19, #32]
	stp	x6, x7, [x19, #48]
	ldr	x19, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret
.endm

	.text
	conduit	smccc_hvc, hvc
	conduit	smccc_smc, smc
