/* SPDX-License-Identifier: MIT */
/*
 * A guest's first instructions, and its part of the EL1 library's bring-up
 * (el1/start.S: the vectors, probes and HVC conduit are the library's too).
 *
 * The image starts with an arm64 Linux Image header (Documentation/arch/arm64/
 * booting.rst), so kserv (or QEMU, for the smoke-test variant) loads it at
 * RAM base + text_offset (0) and enters its first byte on vCPU 0 at EL1h with
 * the MMU off and x0 = the DTB's address. Other vCPUs arrive at
 * el1_secondary_entry through PSCI CPU_ON, x0 = the context id, which the
 * library sets to the vCPU's index. TPIDR_EL1 holds that index from then on.
 */
#include <kcore/psci.h>
#include "layout.h"

	.section .head.text, "ax"
	.global	_start
_start:
	b	primary_entry			/* code0 */
	.long	0				/* code1 */
	.quad	0				/* text_offset: at the start of RAM */
	.quad	_image_end - _start		/* image_size: file, BSS and stacks */
	.quad	0x2				/* flags: little-endian, 4 KiB pages */
	.quad	0, 0, 0				/* reserved */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* reserved (PE header offset) */

	.text
/*
 * x20 = the counter first (guest_entry_cntvct, guest.h): el1_primary_entry
 * hands it to el1_main (boot.c) once the BSS is clear. x0 (the DTB) is kept.
 */
primary_entry:
	mrs	x20, cntvct_el0
	/* Linked to run where it was loaded: absolute addresses would be wrong. */
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	wrong_address
	b	el1_primary_entry

/*
 * Loaded somewhere other than the link address: say so with PC-relative
 * addressing only (the UART's address is absolute anyway), then power off.
 */
wrong_address:
	msr	daifset, #0xf
	adr	x1, wrong_msg
	mov	x2, #0x09000000			/* KCORE_GUEST_UART_BASE */
3:	ldrb	w3, [x1], #1
	cbz	w3, 4f
	str	w3, [x2]
	b	3b
4:	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	el1_park
wrong_msg:
	.asciz	"GUEST: FAIL loaded at the wrong address (not the link address)\n"
	.balign	4

	.ltorg

	/* The stacks el1/start.S runs the vCPUs on. */
	.global	el1_stack_size
	.set	el1_stack_size, GUEST_STACK_SIZE

	.section .bss.stacks, "aw", %nobits
	.balign	16
	.global	el1_stacks
el1_stacks:
	.space	GUEST_MAX_CPUS * GUEST_STACK_SIZE
