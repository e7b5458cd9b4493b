/* SPDX-License-Identifier: MIT */
/*
 * The EL1 exception vector table of kserv and of every guest: 16 entries of
 * 0x80 bytes (current EL with SP_EL0, current EL with SP_ELx, lower EL
 * AArch64, lower EL AArch32; each synchronous, IRQ, FIQ, SError), 2 KiB
 * aligned for VBAR_EL1 (start.S installs it).
 *
 * Every entry saves the whole register frame (exc_frame.h) on the current
 * stack and calls the user's el1_exception(frame, vector number). Both users
 * only ever run at EL1h, so in practice only entries 4..7 are taken; the
 * others report and stop like any unexpected exception.
 */
#include "exc_frame.h"
#include "regpairs.h"

.macro ventry n
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\n
	b	exception_common
.endm

	.section .text.vectors, "ax"
	.balign	2048
	.global	el1_vectors
el1_vectors:
	ventry	0
	ventry	1
	ventry	2
	ventry	3
	ventry	4
	ventry	5
	ventry	6
	ventry	7
	ventry	8
	ventry	9
	ventry	10
	ventry	11
	ventry	12
	ventry	13
	ventry	14
	ventry	15

exception_common:
	/* x0, x1 are saved by the entry: x2..x29 here, then x30 and the SP. */
	regpairs stp, x, 8, sp, 16, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, \
		20, 21, 22, 23, 24, 25, 26, 27, 28, 29
	add	x2, sp, #FRAME_SIZE
	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #FRAME_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #FRAME_ESR]

	mov	x0, sp
	bl	el1_exception

	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	regpairs ldp, x, 8, sp, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, \
		19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret
