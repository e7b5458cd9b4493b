/* SPDX-License-Identifier: MIT */
/*
 * kcore's first instructions. The image starts with an arm64 Linux Image
 * header so that QEMU (and any Linux boot loader) loads it 2 MiB into RAM
 * and passes the DTB's address in x0. The boot CPU and every secondary CPU
 * (started by PSCI CPU_ON on the host's behalf) arrive here at EL2 with the
 * MMU off.
 */
#include "asm.h"

	.section .head.text, "ax"
	.globl _start
_start:
	b	primary_entry			/* code0 */
	.long	0				/* code1 */
	.quad	KCORE_TEXT_OFFSET		/* text_offset: load 2 MiB into RAM */
	.quad	_end - _start			/* image_size */
	.quad	0x2				/* flags: little-endian, 4 KiB pages */
	.quad	0, 0, 0				/* reserved */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* reserved (PE header offset) */

	.text
primary_entry:
	msr	daifset, #0xf
	mov	x19, x0				/* the DTB */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	not_at_el2

	/* Zero .bss before anything (the stacks live there) is used. */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:
	mov	x0, #0
	bl	setup_el2_cpu
	mov	x0, x19
	bl	kcore_main
	b	halt_here

	.globl secondary_entry
secondary_entry:
	/* x0 = the CPU index kcore passed as PSCI's context id. */
	msr	daifset, #0xf
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	not_at_el2
	mov	x19, x0
	bl	setup_el2_cpu
	mov	x0, x19
	bl	kcore_secondary_main
	b	halt_here

/*
 * Per-CPU EL2 basics before any C code: the stack (indexed by x0), the
 * vectors, and FP/SIMD untrapped (BearSSL uses it). Clobbers x0..x2.
 */
setup_el2_cpu:
	ldr	x1, =kcore_stacks
	add	x0, x0, #1
	mov	x2, #KCORE_STACK_SIZE
	madd	x1, x0, x2, x1
	mov	sp, x1
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	ldr	x1, =CPTR_EL2_HOST_VALUE
	msr	cptr_el2, x1
	isb
	ret

not_at_el2:
	/* kcore must own EL2; started anywhere else it cannot protect anything. */
	wfe
	b	not_at_el2

	.globl halt_here
halt_here:
	msr	daifset, #0xf
	wfi
	b	halt_here

	.bss
	.balign 16
	.globl kcore_stacks
kcore_stacks:
	.space	KCORE_STACK_SIZE * KCORE_MAX_CPUS_ASM
