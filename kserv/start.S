/* SPDX-License-Identifier: MIT */
/*
 * kserv's entry points (boot contract: include/kcore/boot.h).
 *
 * _start, at the image's first byte (KSERV_LOAD_ADDR): the boot CPU, at EL1h
 * with the MMU off, x0 = the DTB's physical address. It installs the EL1
 * state, zeroes the BSS (the boot CPU's stack is in it, not yet in use),
 * and calls kserv_main(dtb).
 *
 * kserv_secondary_entry: where PSCI CPU_ON starts the other CPUs, x0 = the
 * context id kserv passed, which is the CPU's logical index (1..MAX-1). It
 * picks that CPU's stack and calls kserv_secondary(index).
 *
 * TPIDR_EL1 holds the logical CPU index from here on (sysreg.h).
 */
#include "kserv/layout.h"

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, x0
	msr	daifset, #0xf
	bl	el1_setup
	msr	tpidr_el1, xzr

	ldr	x1, =_bss_start
	ldr	x2, =_bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	ldr	x1, =kserv_stacks + KSERV_STACK_SIZE
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	bl	kserv_main
	b	park

	.global kserv_secondary_entry
kserv_secondary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	bl	el1_setup
	/* A context id kserv did not hand out: no stack to run on. */
	cmp	x19, #KSERV_MAX_CPUS
	b.hs	park
	cbz	x19, park
	msr	tpidr_el1, x19
	ldr	x1, =kserv_stacks + KSERV_STACK_SIZE
	mov	x2, #KSERV_STACK_SIZE
	madd	x1, x19, x2, x1
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	bl	kserv_secondary
	b	park

/*
 * The EL1 state every CPU needs before any C code: the control register
 * (MMU off), FP/SIMD untrapped, the exception vectors. Uses x0 only.
 */
el1_setup:
	ldr	x0, =KSERV_SCTLR_EL1
	msr	sctlr_el1, x0
	mov	x0, #KSERV_CPACR_EL1
	msr	cpacr_el1, x0
	ldr	x0, =kserv_vectors
	msr	vbar_el1, x0
	isb
	ret

park:
	wfi
	b	park

	.ltorg

	.section .bss.stacks, "aw", %nobits
	.balign 16
	.global kserv_stacks
kserv_stacks:
	.space	KSERV_MAX_CPUS * KSERV_STACK_SIZE
