/* SPDX-License-Identifier: MIT */
/*
 * The psci guest's two CPU_ON entry points (guests/psci.c). Each records,
 * before anything else runs on the vCPU, which entry it came in by, its x0
 * (the CPU_ON context), PSTATE.DAIF, SCTLR_EL1 and TPIDR_EL1 in
 * psci_seen[context & 0xff], then joins the guest library's secondary entry
 * with x0 = the vCPU's index (the context's low byte). The MMU is off: the
 * stores go straight to memory, where vCPU 0 reads them.
 */
	.text
	.global	psci_entry_a
	.global	psci_entry_b
	.balign	4
psci_entry_a:
	mov	x9, #1
	b	record
	.balign	4
psci_entry_b:
	mov	x9, #2
record:
	mrs	x10, daif
	mrs	x11, sctlr_el1
	mrs	x12, tpidr_el1
	and	x13, x0, #0xff
	ldr	x14, =psci_seen
	add	x14, x14, x13, lsl #6		/* 64 bytes a vCPU (struct psci_seen) */
	stp	x9, x0, [x14]
	stp	x10, x11, [x14, #16]
	str	x12, [x14, #32]
	dmb	sy
	and	x0, x0, #0xff
	b	el1_secondary_entry
	.ltorg
