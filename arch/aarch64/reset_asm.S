/* SPDX-License-Identifier: MIT */
/* The parts of the reset scrub (reset.c) that must not use the stack they run on. */
#include "asm.h"

/*
 * reset_park_forever(bool *parked): wipes every general register, says the
 * CPU is parked (a release store: everything it wrote before is visible to
 * the scrubbing CPU first) and waits for the reset. From here the CPU
 * touches no memory, so the scrub may zero its stack.
 */
	.text
	.globl reset_park_forever
reset_park_forever:
	mov	x1, x0
	mov	w0, #1
	stlrb	w0, [x1]
	zero_gprs_from 0
	msr	daifset, #0xf
1:	wfe
	b	1b

/*
 * reset_wipe_below_sp(u64 bottom): zeroes this CPU's stack from bottom up
 * to SP (what deeper calls left there: BearSSL's contexts, a guest's
 * values on their way) and cleans it to the point of coherency. A leaf:
 * it writes nothing at or above SP.
 */
	.globl reset_wipe_below_sp
reset_wipe_below_sp:
	mov	x1, sp
	mov	x2, x0
1:	cmp	x2, x1
	b.hs	2f
	stp	xzr, xzr, [x2], #16
	b	1b
2:	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x4, #4
	lsl	x3, x4, x3			/* DminLine in bytes */
	sub	x4, x3, #1
	bic	x2, x0, x4
3:	cmp	x2, x1
	b.hs	4f
	dc	civac, x2
	add	x2, x2, x3
	b	3b
4:	dsb	sy
	ret
