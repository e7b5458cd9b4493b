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
#define KC_TEST_CHECKPOINT_HI 0xc600	/* KC_TEST_CHECKPOINT = 0xc6000081 */
#define KC_TEST_CHECKPOINT_LO 0x0081
#define SAVED 176

	.text
	.global	secret_checkpoint
secret_checkpoint:
	sub	sp, sp, #SAVED
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	stp	x3, x4, [sp, #160]		/* gpr_out, fpr_out */

	ldp	q0, q1, [x2, #0]
	ldp	q2, q3, [x2, #32]
	ldp	q4, q5, [x2, #64]
	ldp	q6, q7, [x2, #96]
	ldp	q8, q9, [x2, #128]
	ldp	q10, q11, [x2, #160]
	ldp	q12, q13, [x2, #192]
	ldp	q14, q15, [x2, #224]
	ldp	q16, q17, [x2, #256]
	ldp	q18, q19, [x2, #288]
	ldp	q20, q21, [x2, #320]
	ldp	q22, q23, [x2, #352]
	ldp	q24, q25, [x2, #384]
	ldp	q26, q27, [x2, #416]
	ldp	q28, q29, [x2, #448]
	ldp	q30, q31, [x2, #480]

	mov	x3, x0				/* n */
	mov	x0, x1				/* gpr */
	ldp	x4, x5, [x0, #0]
	ldp	x6, x7, [x0, #16]
	ldp	x8, x9, [x0, #32]
	ldp	x10, x11, [x0, #48]
	ldp	x12, x13, [x0, #64]
	ldp	x14, x15, [x0, #80]
	ldp	x16, x17, [x0, #96]
	ldp	x18, x19, [x0, #112]
	ldp	x20, x21, [x0, #128]
	ldp	x22, x23, [x0, #144]
	ldp	x24, x25, [x0, #160]
	ldp	x26, x27, [x0, #176]
	ldp	x28, x29, [x0, #192]
	ldr	x30, [x0, #208]
	mov	x1, x3
	mov	x2, #0
	mov	x3, #0
	movz	x0, #KC_TEST_CHECKPOINT_HI, lsl #16
	movk	x0, #KC_TEST_CHECKPOINT_LO
	hvc	#0

	stp	x0, x1, [sp, #-16]!		/* the host's answer; sp moved by 16 */
	ldr	x0, [sp, #16 + 160]		/* gpr_out */
	stp	x4, x5, [x0, #0]
	stp	x6, x7, [x0, #16]
	stp	x8, x9, [x0, #32]
	stp	x10, x11, [x0, #48]
	stp	x12, x13, [x0, #64]
	stp	x14, x15, [x0, #80]
	stp	x16, x17, [x0, #96]
	stp	x18, x19, [x0, #112]
	stp	x20, x21, [x0, #128]
	stp	x22, x23, [x0, #144]
	stp	x24, x25, [x0, #160]
	stp	x26, x27, [x0, #176]
	stp	x28, x29, [x0, #192]
	str	x30, [x0, #208]
	ldr	x0, [sp, #16 + 168]		/* fpr_out */
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	ldp	x0, x1, [sp], #16

	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #SAVED
	ret
