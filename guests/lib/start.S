/* SPDX-License-Identifier: MIT */
/*
 * A guest's first instructions, its exception vectors, and the few
 * instructions the C library needs to name: the probing load and store and
 * the HVC.
 *
 * The image starts with an arm64 Linux Image header (Documentation/arch/arm64/
 * booting.rst), so kserv (or QEMU, for the smoke-test variant) loads it at
 * RAM base + text_offset (0) and enters its first byte on vCPU 0 at EL1h with
 * the MMU off and x0 = the DTB's address. Other vCPUs arrive at
 * guest_secondary_entry through PSCI CPU_ON, x0 = the context id, which the
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
primary_entry:
	mrs	x20, cntvct_el0			/* first: guest_entry_cntvct (guest.h) */
	mov	x19, x0
	msr	daifset, #0xf
	/* Linked to run where it was loaded: absolute addresses would be wrong. */
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	wrong_address
	bl	el1_setup
	msr	tpidr_el1, xzr

	ldr	x1, =_bss_start
	ldr	x2, =_bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	ldr	x1, =guest_entry_cntvct
	str	x20, [x1]
	ldr	x1, =guest_stacks + GUEST_STACK_SIZE
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	bl	guest_boot
	b	park

	.global	guest_secondary_entry
guest_secondary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	bl	el1_setup
	/* A context id the guest did not hand out: no stack to run on. */
	cmp	x19, #GUEST_MAX_CPUS
	b.hs	park
	cbz	x19, park
	msr	tpidr_el1, x19
	ldr	x1, =guest_stacks + GUEST_STACK_SIZE
	mov	x2, #GUEST_STACK_SIZE
	madd	x1, x19, x2, x1
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	bl	guest_secondary_boot
	b	park

/* The EL1 state every vCPU needs before any C code. Uses x0 only. */
el1_setup:
	ldr	x0, =GUEST_SCTLR_EL1
	msr	sctlr_el1, x0
	mov	x0, #GUEST_CPACR_EL1
	msr	cpacr_el1, x0
	ldr	x0, =guest_vectors
	msr	vbar_el1, x0
	isb
	ret

	.global	guest_park
guest_park:
park:
	wfi
	b	park

/*
 * Loaded somewhere other than the link address: say so with PC-relative
 * addressing only (the UART's address is absolute anyway), then power off.
 */
wrong_address:
	adr	x1, wrong_msg
	mov	x2, #0x09000000			/* KCORE_GUEST_UART_BASE */
3:	ldrb	w3, [x1], #1
	cbz	w3, 4f
	str	w3, [x2]
	b	3b
4:	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	park
wrong_msg:
	.asciz	"GUEST: FAIL loaded at the wrong address (not the link address)\n"
	.balign	4

	.ltorg

/*
 * The 16-entry EL1 vector table. Every entry saves the whole frame
 * (layout.h) and calls guest_exception(frame, vector number); the handler
 * may change x[] and ELR, which are restored before ERET.
 */
.macro ventry n
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\n
	b	exception_common
.endm

	.section .text.vectors, "ax"
	.balign	2048
	.global	guest_vectors
guest_vectors:
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
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x2, sp, #FRAME_SIZE
	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #FRAME_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #FRAME_ESR]

	mov	x0, sp
	bl	guest_exception

	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret

/*
 * A 64-bit load and a 64-bit store that may abort (probe.c): the handler,
 * seeing a data abort at exactly one of these labels while this vCPU's probe
 * is armed, records it and resumes at the next instruction.
 */
	.text
	.global	probe_load64, probe_load64_insn
probe_load64:				/* u64 probe_load64(u64 ipa) */
probe_load64_insn:
	ldr	x0, [x0]
	ret

	.global	probe_store64, probe_store64_insn
probe_store64:				/* void probe_store64(u64 ipa, u64 val) */
probe_store64_insn:
	str	x1, [x0]
	ret

/*
 * An SVE instruction (RDVL x0, #1: the vector length in bytes) that may be
 * undefined (probe.c): kcore must trap SVE, since it does not switch the
 * SVE registers, and a guest's attempt becomes an undefined instruction.
 */
	.global	probe_sve_rdvl, probe_sve_rdvl_insn
probe_sve_rdvl:				/* u64 probe_sve_rdvl(void) */
probe_sve_rdvl_insn:
	.inst	0x04bf5020
	ret

/* void guest_hvc(struct hvc_regs *r): x0..x7 loaded from r, HVC #0, and x0..x7 stored back. */
	.global	guest_hvc
guest_hvc:
	stp	x29, x30, [sp, #-32]!
	mov	x29, sp
	str	x19, [sp, #16]
	mov	x19, x0
	ldp	x0, x1, [x19, #0]
	ldp	x2, x3, [x19, #16]
	ldp	x4, x5, [x19, #32]
	ldp	x6, x7, [x19, #48]
	hvc	#0
	stp	x0, x1, [x19, #0]
	stp	x2, x3, [x19, #16]
	stp	x4, x5, [x19, #32]
	stp	x6, x7, [x19, #48]
	ldr	x19, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret

	.section .bss.stacks, "aw", %nobits
	.balign	16
	.global	guest_stacks
guest_stacks:
	.space	GUEST_MAX_CPUS * GUEST_STACK_SIZE
