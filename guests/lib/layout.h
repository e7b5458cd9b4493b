/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by the guest library's assembly and C: vCPU and stack
 * limits, the EL1 control-register values start.S installs, and the layout
 * of the register frame the vectors save.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define GUEST_MAX_CPUS	 8
#define GUEST_STACK_SIZE 8192

/*
 * SCTLR_EL1: stage-1 MMU and data cache off (a guest runs on its IPAs, so
 * every data access is Device-nGnRnE: hence -mstrict-align), instruction
 * cache on, SP alignment checking on, little-endian, and the bits that are
 * RES1 on ARMv8.0 (11, 20, 22, 23, 28, 29) set.
 */
#define GUEST_SCTLR_EL1 0x30d01808

/* CPACR_EL1.FPEN = 0b11: FP/SIMD does not trap (the secret guest fills q0..q31). */
#define GUEST_CPACR_EL1 (3 << 20)

/* The exception frame: x0..x30, the interrupted SP, ELR, SPSR, ESR, FAR. */
#define FRAME_SP   248
#define FRAME_ELR  256
#define FRAME_SPSR 264
#define FRAME_ESR  272
#define FRAME_FAR  280
#define FRAME_SIZE 288

#endif /* GUEST_LAYOUT_H */
