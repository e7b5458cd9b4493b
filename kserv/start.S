/* SPDX-License-Identifier: MIT */
/*
 * kserv's entry points (boot contract: include/kcore/boot.h), on the EL1
 * library's bring-up (el1/start.S).
 *
 * _start, at the image's first byte (KSERV_LOAD_ADDR): the boot CPU, at EL1h
 * with the MMU off, x0 = the DTB's physical address. el1_primary_entry
 * installs the EL1 state, zeroes the BSS and calls el1_main, which is
 * kserv_main(dtb).
 *
 * The other CPUs start at el1_secondary_entry (smp.c passes it to PSCI
 * CPU_ON), x0 = the CPU's logical index (1..MAX-1); it picks that CPU's stack
 * and calls el1_secondary_main, which is kserv_secondary(index).
 *
 * TPIDR_EL1 holds the logical CPU index from here on (el1/sysreg.h).
 */
#include "kserv/layout.h"

	.section .text.boot, "ax"
	.global _start
_start:
	b	el1_primary_entry

	.text
	.global	el1_main, el1_secondary_main
el1_main:
	b	kserv_main
el1_secondary_main:
	b	kserv_secondary

	/* The stacks el1/start.S runs the CPUs on. */
	.global	el1_stack_size
	.set	el1_stack_size, KSERV_STACK_SIZE

	.section .bss.stacks, "aw", %nobits
	.balign 16
	.global el1_stacks
el1_stacks:
	.space	KSERV_MAX_CPUS * KSERV_STACK_SIZE
