/* SPDX-License-Identifier: MIT */
/*
 * The EL1 bring-up every CPU of kserv and every vCPU of a guest goes
 * through. The user (kserv/start.S, guests/lib/start.S) owns the image's
 * first byte and branches here; it provides
 *
 *   el1_stacks, el1_stack_size   EL1_MAX_CPUS stacks of el1_stack_size bytes
 *                                (an absolute symbol: kserv's and a guest's differ)
 *   el1_main(x0, x20)            the boot CPU's C entry: x0 and x20 as the
 *                                user's entry left them (the guest hands on the
 *                                counter it read first, before the BSS was cleared)
 *   el1_secondary_main(index)    a secondary CPU's C entry
 *
 * el1_primary_entry: the boot CPU, at EL1h with the MMU off. It installs the
 * EL1 state, zeroes the BSS (the stacks are in it, not yet in use) and calls
 * el1_main. el1_secondary_entry: where PSCI CPU_ON starts the others, x0 =
 * the context id the user passed, which is the CPU's logical index
 * (1..EL1_MAX_CPUS-1); it picks that CPU's stack and calls
 * el1_secondary_main(index). TPIDR_EL1 holds the logical index from then on
 * (sysreg.h). Neither returns: a C entry that does parks.
 */
#include "layout.h"

	.text
	.global	el1_primary_entry
el1_primary_entry:
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
	ldr	x1, =el1_stacks
	ldr	x2, =el1_stack_size
	add	x1, x1, x2
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	mov	x1, x20
	bl	el1_main
	b	el1_park

	.global	el1_secondary_entry
el1_secondary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	bl	el1_setup
	/* A context id the user did not hand out: no stack to run on. */
	cmp	x19, #EL1_MAX_CPUS
	b.hs	el1_park
	cbz	x19, el1_park
	msr	tpidr_el1, x19
	ldr	x1, =el1_stacks
	ldr	x2, =el1_stack_size
	madd	x1, x19, x2, x1
	add	x1, x1, x2
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	bl	el1_secondary_main
	b	el1_park

/*
 * The EL1 state every CPU needs before any C code: the control register
 * (MMU off), FP/SIMD untrapped, the exception vectors. Uses x0 only.
 */
el1_setup:
	ldr	x0, =EL1_SCTLR_EL1
	msr	sctlr_el1, x0
	mov	x0, #EL1_CPACR_EL1
	msr	cpacr_el1, x0
	ldr	x0, =el1_vectors
	msr	vbar_el1, x0
	isb
	ret

	.global	el1_park
el1_park:
	wfi
	b	el1_park

	.ltorg
