/* SPDX-License-Identifier: MIT */
/*
 * kcore's EL2 exception vectors. Traps from the host (lower EL, AArch64)
 * save the whole register file as a struct trap_frame on this CPU's EL2
 * stack, call C, restore and return. Anything taken from EL2 itself is a
 * kcore bug and panics; an AArch32 lower EL is never allowed to run.
 */
#include "asm.h"

/*
 * The caller-saved half of a trap frame (x0..x18, x30, ELR, SPSR), for the
 * host's calls (HVC, SMC): the C that handles them preserves x19..x29 itself
 * (AAPCS64), so the host gets those back unchanged without kcore storing
 * them, and nothing reads their slots in the frame (psci.c and traps.c use
 * x0..x7, ELR and SPSR). The host's aborts save the whole frame: an
 * emulated access (gicr_mediate.c) reads or writes whichever register the
 * instruction names, x19..x29 included. Every other vector saves the whole
 * frame (below).
 */
.macro save_caller_saved_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	str	x18, [sp, #16 * 9]
	str	x30, [sp, #16 * 15]
	mrs	x0, elr_el2
	mrs	x1, spsr_el2
	stp	x0, x1, [sp, #FRAME_ELR]
.endm

.macro restore_caller_saved_frame_and_eret
	ldp	x0, x1, [sp, #FRAME_ELR]
	msr	elr_el2, x0
	msr	spsr_el2, x1
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldr	x18, [sp, #16 * 9]
	ldr	x30, [sp, #16 * 15]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

/* The whole frame, for the other vectors (each ends in a panic): the half above, then x19..x29. */
.macro save_frame
	save_caller_saved_frame
	save_callee_saved_half
.endm

.macro save_callee_saved_half
	stp	x19, x20, [sp, #8 * 19]
	stp	x21, x22, [sp, #8 * 21]
	stp	x23, x24, [sp, #8 * 23]
	stp	x25, x26, [sp, #8 * 25]
	stp	x27, x28, [sp, #8 * 27]
	str	x29, [sp, #8 * 29]
.endm

.macro restore_frame_and_eret
	ldp	x19, x20, [sp, #8 * 19]
	ldp	x21, x22, [sp, #8 * 21]
	ldp	x23, x24, [sp, #8 * 23]
	ldp	x25, x26, [sp, #8 * 25]
	ldp	x27, x28, [sp, #8 * 27]
	ldr	x29, [sp, #8 * 29]
	restore_caller_saved_frame_and_eret
.endm

.macro vector_to label
	.balign 0x80
	b	\label
.endm

	.text
	.balign 0x800
	.globl el2_vectors
el2_vectors:
	vector_to el2_bad_sync		/* current EL, SP_EL0 */
	vector_to el2_bad_other
	vector_to el2_bad_other
	vector_to el2_bad_other
	vector_to el2_bad_sync		/* current EL, SP_EL2 */
	vector_to el2_bad_other
	vector_to el2_bad_other
	vector_to el2_bad_other
	vector_to el2_lower_sync	/* lower EL, AArch64: the host or a guest */
	vector_to el2_lower_irq
	vector_to el2_lower_fiq
	vector_to el2_lower_serror
	vector_to el2_bad_other		/* lower EL, AArch32 */
	vector_to el2_bad_other
	vector_to el2_bad_other
	vector_to el2_bad_other

/*
 * From a lower EL: if this CPU is running a guest (cpu->guest_regs set), it
 * is a guest exit; otherwise a trap from the host. x0/x1 are parked on the
 * stack while we look.
 */
.macro lower_entry host_label, guest_type
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x1, [x0, #CPU_GUEST_REGS]
	cbnz	x1, 1f
	ldp	x0, x1, [sp], #16
	b	\host_label
1:	mov	x0, #\guest_type
	b	guest_exit
.endm

el2_lower_sync:
	lower_entry el2_host_sync, GUEST_EXIT_SYNC
el2_lower_irq:
	lower_entry el2_host_other, GUEST_EXIT_IRQ
el2_lower_fiq:
	lower_entry el2_host_other, GUEST_EXIT_FIQ
el2_lower_serror:
	lower_entry el2_host_other, GUEST_EXIT_SERROR

el2_host_sync:
	save_caller_saved_frame
	mrs	x0, esr_el2
	tbnz	x0, #31, el2_host_abort		/* EC 0x20..0x3f: an abort */
	mov	x0, sp
	bl	handle_host_sync
	restore_caller_saved_frame_and_eret

el2_host_abort:
	save_callee_saved_half
	mov	x0, sp
	bl	handle_host_sync
	restore_frame_and_eret

el2_host_other:
	save_frame
	mov	x0, sp
	bl	handle_host_unexpected
	restore_frame_and_eret

el2_bad_sync:
	save_frame
	mov	x0, sp
	mov	x1, #0
	bl	handle_kcore_fault

el2_bad_other:
	save_frame
	mov	x0, sp
	mov	x1, #1
	bl	handle_kcore_fault

/*
 * enter_host(entry, arg): leave EL2 for the host at EL1h with DAIF masked,
 * x0 = arg and every other general register zero, so nothing of kcore's
 * leaks to the host.
 */
	.globl enter_host
enter_host:
	msr	elr_el2, x0
	mov	x2, #0x3c5			/* EL1h, D, A, I, F masked */
	msr	spsr_el2, x2
	mov	x0, x1
	zero_gprs_from 1
	eret

/* fp_save(struct fp_state *), fp_restore(const struct fp_state *) */
	.globl fp_save
fp_save:
	stp	q0, q1, [x0, #32 * 0]
	stp	q2, q3, [x0, #32 * 1]
	stp	q4, q5, [x0, #32 * 2]
	stp	q6, q7, [x0, #32 * 3]
	stp	q8, q9, [x0, #32 * 4]
	stp	q10, q11, [x0, #32 * 5]
	stp	q12, q13, [x0, #32 * 6]
	stp	q14, q15, [x0, #32 * 7]
	stp	q16, q17, [x0, #32 * 8]
	stp	q18, q19, [x0, #32 * 9]
	stp	q20, q21, [x0, #32 * 10]
	stp	q22, q23, [x0, #32 * 11]
	stp	q24, q25, [x0, #32 * 12]
	stp	q26, q27, [x0, #32 * 13]
	stp	q28, q29, [x0, #32 * 14]
	stp	q30, q31, [x0, #32 * 15]
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x0, x0, #FP_STATE_FPSR
	stp	x1, x2, [x0]
	ret

	.globl fp_restore
fp_restore:
	ldp	q0, q1, [x0, #32 * 0]
	ldp	q2, q3, [x0, #32 * 1]
	ldp	q4, q5, [x0, #32 * 2]
	ldp	q6, q7, [x0, #32 * 3]
	ldp	q8, q9, [x0, #32 * 4]
	ldp	q10, q11, [x0, #32 * 5]
	ldp	q12, q13, [x0, #32 * 6]
	ldp	q14, q15, [x0, #32 * 7]
	ldp	q16, q17, [x0, #32 * 8]
	ldp	q18, q19, [x0, #32 * 9]
	ldp	q20, q21, [x0, #32 * 10]
	ldp	q22, q23, [x0, #32 * 11]
	ldp	q24, q25, [x0, #32 * 12]
	ldp	q26, q27, [x0, #32 * 13]
	ldp	q28, q29, [x0, #32 * 14]
	ldp	q30, q31, [x0, #32 * 15]
	add	x0, x0, #FP_STATE_FPSR
	ldp	x1, x2, [x0]
	msr	fpsr, x1
	msr	fpcr, x2
	ret

/*
 * el1_save(u64 *r), el1_load(const u64 *r): the EL1 registers the host and
 * each guest have their own of, r[0..25] in the order of enum el1_sysreg
 * (<arch/vcpu_state.h>),
 * two per STP/LDP (vcpu.c asserts the order). el1_load writes the virtual
 * timer's control register after its compare value.
 */
.macro el1_pair op, a, b, index
	.ifc \op, save
	mrs	x1, \a
	mrs	x2, \b
	stp	x1, x2, [x0, #8 * \index]
	.else
	ldp	x1, x2, [x0, #8 * \index]
	msr	\a, x1
	msr	\b, x2
	.endif
.endm

.macro el1_all op
	el1_pair \op, sctlr_el1, cpacr_el1, 0
	el1_pair \op, ttbr0_el1, ttbr1_el1, 2
	el1_pair \op, tcr_el1, esr_el1, 4
	el1_pair \op, afsr0_el1, afsr1_el1, 6
	el1_pair \op, far_el1, mair_el1, 8
	el1_pair \op, vbar_el1, contextidr_el1, 10
	el1_pair \op, amair_el1, cntkctl_el1, 12
	el1_pair \op, par_el1, tpidr_el1, 14
	el1_pair \op, tpidr_el0, tpidrro_el0, 16
	el1_pair \op, sp_el0, sp_el1, 18
	el1_pair \op, elr_el1, spsr_el1, 20
	el1_pair \op, csselr_el1, mdscr_el1, 22
.endm

	.globl el1_save
el1_save:
	el1_all save
	mrs	x1, cntv_ctl_el0
	mrs	x2, cntv_cval_el0
	stp	x1, x2, [x0, #8 * 24]
	ret

	.globl el1_load
el1_load:
	el1_all load
	ldp	x1, x2, [x0, #8 * 24]
	msr	cntv_cval_el0, x2
	msr	cntv_ctl_el0, x1
	ret

/*
 * pauth_save(u64 *keys), pauth_load(const u64 *keys): the five pointer
 * authentication keys, low and high halves, keys[0..9] (R_APIAKEYLO
 * onwards), by their encodings (APIAKeyLo_EL1 is S3_0_C2_C1_0).
 */
.macro pauth_all op
	el1_pair \op, S3_0_C2_C1_0, S3_0_C2_C1_1, 0
	el1_pair \op, S3_0_C2_C1_2, S3_0_C2_C1_3, 2
	el1_pair \op, S3_0_C2_C2_0, S3_0_C2_C2_1, 4
	el1_pair \op, S3_0_C2_C2_2, S3_0_C2_C2_3, 6
	el1_pair \op, S3_0_C2_C3_0, S3_0_C2_C3_1, 8
.endm

	.globl pauth_save
pauth_save:
	pauth_all save
	ret

	.globl pauth_load
pauth_load:
	pauth_all load
	ret

/*
 * u64 __guest_enter(struct vcpu_regs *regs, struct cpu *cpu): saves kcore's
 * callee-saved registers and SP in cpu, loads the guest's general registers,
 * PC and PSTATE, and enters it. Returns (through guest_exit) when the guest
 * traps, with the kind of exit (GUEST_EXIT_*) and the guest's registers saved.
 */
	.globl __guest_enter
__guest_enter:
	add	x2, x1, #CPU_KCORE_CTX
	stp	x19, x20, [x2, #16 * 0]
	stp	x21, x22, [x2, #16 * 1]
	stp	x23, x24, [x2, #16 * 2]
	stp	x25, x26, [x2, #16 * 3]
	stp	x27, x28, [x2, #16 * 4]
	stp	x29, x30, [x2, #16 * 5]
	mov	x3, sp
	str	x3, [x2, #16 * 6]
	str	x0, [x1, #CPU_GUEST_REGS]
	ldp	x2, x3, [x0, #VCPU_REGS_PC]	/* pc, pstate */
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [x0, #16 * 1]
	ldp	x4, x5, [x0, #16 * 2]
	ldp	x6, x7, [x0, #16 * 3]
	ldp	x8, x9, [x0, #16 * 4]
	ldp	x10, x11, [x0, #16 * 5]
	ldp	x12, x13, [x0, #16 * 6]
	ldp	x14, x15, [x0, #16 * 7]
	ldp	x16, x17, [x0, #16 * 8]
	ldp	x18, x19, [x0, #16 * 9]
	ldp	x20, x21, [x0, #16 * 10]
	ldp	x22, x23, [x0, #16 * 11]
	ldp	x24, x25, [x0, #16 * 12]
	ldp	x26, x27, [x0, #16 * 13]
	ldp	x28, x29, [x0, #16 * 14]
	ldr	x30, [x0, #8 * 30]
	ldp	x0, x1, [x0, #16 * 0]
	eret

/*
 * The guest trapped: x0 = GUEST_EXIT_*, the guest's x0/x1 are on the stack,
 * x1 = its register save area. Save everything, restore kcore, return.
 */
guest_exit:
	stp	x2, x3, [x1, #16 * 1]
	stp	x4, x5, [x1, #16 * 2]
	stp	x6, x7, [x1, #16 * 3]
	stp	x8, x9, [x1, #16 * 4]
	stp	x10, x11, [x1, #16 * 5]
	stp	x12, x13, [x1, #16 * 6]
	stp	x14, x15, [x1, #16 * 7]
	stp	x16, x17, [x1, #16 * 8]
	stp	x18, x19, [x1, #16 * 9]
	stp	x20, x21, [x1, #16 * 10]
	stp	x22, x23, [x1, #16 * 11]
	stp	x24, x25, [x1, #16 * 12]
	stp	x26, x27, [x1, #16 * 13]
	stp	x28, x29, [x1, #16 * 14]
	str	x30, [x1, #8 * 30]
	ldp	x2, x3, [sp], #16		/* the guest's x0, x1 */
	stp	x2, x3, [x1, #16 * 0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #VCPU_REGS_PC]	/* pc, pstate */
	mrs	x1, tpidr_el2
	str	xzr, [x1, #CPU_GUEST_REGS]
	add	x2, x1, #CPU_KCORE_CTX
	ldp	x19, x20, [x2, #16 * 0]
	ldp	x21, x22, [x2, #16 * 1]
	ldp	x23, x24, [x2, #16 * 2]
	ldp	x25, x26, [x2, #16 * 3]
	ldp	x27, x28, [x2, #16 * 4]
	ldp	x29, x30, [x2, #16 * 5]
	ldr	x3, [x2, #16 * 6]
	mov	sp, x3
	ret
