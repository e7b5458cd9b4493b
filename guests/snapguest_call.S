/* SPDX-License-Identifier: MIT */
/*
 * s64 snapguest_snapshot_call(const u64 markers[4], u64 markers_out[4])
 *
 * Makes the guest call KC_TEST_SNAPSHOT with x19..x22 holding markers[0..3],
 * then stores what x19..x22 hold after the call into markers_out and returns
 * the host's x0. The call is where kcore snapshots the vCPU, and where the
 * restored copy resumes: the markers come back only if kcore saved and
 * restored the callee-saved registers the host never sees.
 */
#define KC_TEST_SNAPSHOT_HI 0xc600	/* KC_TEST_SNAPSHOT = 0xc6000083 */
#define KC_TEST_SNAPSHOT_LO 0x0083
#define SAVED 48

	.text
	.global	snapguest_snapshot_call
snapguest_snapshot_call:
	sub	sp, sp, #SAVED
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	str	x1, [sp, #32]			/* markers_out */

	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	/* Nothing but the function id reaches the host: x1..x6 are zero. */
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x5, xzr
	mov	x6, xzr
	movz	x0, #KC_TEST_SNAPSHOT_HI, lsl #16
	movk	x0, #KC_TEST_SNAPSHOT_LO
	hvc	#0

	ldr	x1, [sp, #32]
	stp	x19, x20, [x1, #0]
	stp	x21, x22, [x1, #16]
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	add	sp, sp, #SAVED
	ret
