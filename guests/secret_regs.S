/* SPDX-License-Identifier: MIT */
/*
 * s64 secret_checkpoint(u64 n, const u64 gpr[27], const u64 fpr[64],
 *                       u64 gpr_out[27], u64 fpr_out[64])
 *
 * Makes the guest call KC_TEST_CHECKPOINT(n) with x4..x30 holding gpr[0..26]
 * and q0..q31 holding fpr[0..63] (low half first), then stores what those
 * registers hold after the call into gpr_out and fpr_out, and returns the
 * host's x0. The host learns only x0..x6 of a guest call (the function id
 * and x1 = n; x2, x3 are 0, x4..x6 are secret) and may write x0..x3 only:
 * every other register must come back unchanged (brief: vCPU
 * confidentiality and integrity).
 */
#include "el1/regpairs.h"

#define KC_TEST_CHECKPOINT_HI 0xc600	/* KC_TEST_CHECKPOINT = 0xc6000081 */
#define KC_TEST_CHECKPOINT_LO 0x0081
#define SAVED 176

	.text
	.global	secret_checkpoint
secret_checkpoint:
	sub	sp, sp, #SAVED
	regpairs stp, x, 8, sp, 0, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	regpairs stp, d, 8, sp, 96, 8, 9, 10, 11, 12, 13, 14, 15
	stp	x3, x4, [sp, #160]		/* gpr_out, fpr_out */

	regpairs ldp, q, 16, x2, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, \
		22, 23, 24, 25, 26, 27, 28, 29, 30, 31

	mov	x3, x0				/* n */
	mov	x0, x1				/* gpr */
	regpairs ldp, x, 8, x0, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, \
		26, 27, 28, 29
	ldr	x30, [x0, #208]
	mov	x1, x3
	mov	x2, #0
	mov	x3, #0
	movz	x0, #KC_TEST_CHECKPOINT_HI, lsl #16
	movk	x0, #KC_TEST_CHECKPOINT_LO
	hvc	#0

	stp	x0, x1, [sp, #-16]!		/* the host's answer; sp moved by 16 */
	ldr	x0, [sp, #16 + 160]		/* gpr_out */
	regpairs stp, x, 8, x0, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, \
		26, 27, 28, 29
	str	x30, [x0, #208]
	ldr	x0, [sp, #16 + 168]		/* fpr_out */
	regpairs stp, q, 16, x0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, \
		22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ldp	x0, x1, [sp], #16

	regpairs ldp, x, 8, sp, 0, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	regpairs ldp, d, 8, sp, 96, 8, 9, 10, 11, 12, 13, 14, 15
	add	sp, sp, #SAVED
	ret
