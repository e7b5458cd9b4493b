/* SPDX-License-Identifier: MIT */
/*
 * The instructions kserv or a guest expects may abort: a 64-bit load, and a
 * 64-bit and a 32-bit store, to a physical address (kserv) or an IPA (a
 * guest). probe.c arms a per-CPU flag around them; the exception handler,
 * seeing a data abort at exactly one of these labels with the flag armed,
 * records it and resumes at the next instruction.
 */
	.text
	.global	probe_load64, probe_load64_insn
probe_load64:			/* u64 probe_load64(u64 addr) */
probe_load64_insn:
	ldr	x0, [x0]
	ret

	.global	probe_store64, probe_store64_insn
probe_store64:			/* void probe_store64(u64 addr, u64 val) */
probe_store64_insn:
	str	x1, [x0]
	ret

	.global	probe_store32, probe_store32_insn
probe_store32:			/* void probe_store32(u64 addr, u32 val): 32-bit registers */
probe_store32_insn:
	str	w1, [x0]
	ret

/*
 * An SVE instruction (RDVL x0, #1: the vector length in bytes) that may be
 * undefined (a guest's probe_sve): kcore must trap SVE, since it does not
 * switch the SVE registers, and a guest's attempt becomes an undefined
 * instruction.
 */
	.global	probe_sve_rdvl, probe_sve_rdvl_insn
probe_sve_rdvl:			/* u64 probe_sve_rdvl(void) */
probe_sve_rdvl_insn:
	.inst	0x04bf5020
	ret
