/* SPDX-License-Identifier: MIT */
/*
 * The two instructions kserv expects may abort: a 64-bit load and a 64-bit
 * store to a physical address. probe.c arms a per-CPU flag around them; the
 * exception handler, seeing a data abort at exactly one of these labels with
 * the flag armed, records it and resumes at the next instruction.
 */
	.text
	.global	probe_load64, probe_load64_insn
probe_load64:			/* u64 probe_load64(u64 pa) */
probe_load64_insn:
	ldr	x0, [x0]
	ret

	.global	probe_store64, probe_store64_insn
probe_store64:			/* void probe_store64(u64 pa, u64 val) */
probe_store64_insn:
	str	x1, [x0]
	ret

	.global	probe_store32, probe_store32_insn
probe_store32:			/* void probe_store32(u64 pa, u32 val): 32-bit registers */
probe_store32_insn:
	str	w1, [x0]
	ret
