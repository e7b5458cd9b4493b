/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by kcore's assembly files and C. Every structure offset
 * here is checked against the C structure by a _Static_assert (vcpu.c), so
 * a change on one side without the other does not build.
 */
#ifndef KCORE_AARCH64_ASM_H
#define KCORE_AARCH64_ASM_H

#define KCORE_TEXT_OFFSET   0x200000
#define KCORE_STACK_SIZE    16384
#define KCORE_MAX_CPUS_ASM  8
/* CPTR_EL2 while the host runs: RES1 bits and TTA (sysreg.h, CPTR_HOST). */
#define CPTR_EL2_HOST_VALUE 0x1032ff

/* struct trap_frame: x0..x30, elr, spsr, pad. */
#define FRAME_SIZE 272
#define FRAME_ELR  248
#define FRAME_SPSR 256

/* struct cpu: guest_regs, kcore_ctx[13] (x19..x30, sp). */
#define CPU_GUEST_REGS 0
#define CPU_KCORE_CTX  8

/* struct vcpu_regs (core/arch.h): x0..x30, then pc and pstate. */
#define VCPU_REGS_PC 248

/* struct fp_state (<arch/vcpu_state.h>): q0..q31, then fpsr and fpcr. */
#define FP_STATE_FPSR 512

/* What took a running guest out (returned by __guest_enter). */
#define GUEST_EXIT_SYNC	  0
#define GUEST_EXIT_IRQ	  1
#define GUEST_EXIT_FIQ	  2
#define GUEST_EXIT_SERROR 3

#ifdef __ASSEMBLY__
/* clang-format off */
/* Zeroes x<first>..x30 (assembler, not C: clang-format leaves it): no value of kcore's goes on to the code that runs next. */
.macro zero_gprs_from first
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	.if \n >= \first
	mov	x\n, xzr
	.endif
	.endr
.endm
/* clang-format on */
#endif

#endif /* KCORE_AARCH64_ASM_H */
