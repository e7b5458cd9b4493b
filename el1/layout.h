/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by the EL1 library's assembly and C: the CPU limit and
 * the EL1 control-register values start.S installs on every CPU, the same
 * for kserv and for every guest.
 */
#ifndef EL1_LAYOUT_H
#define EL1_LAYOUT_H

/* CPUs (kserv) or vCPUs (a guest) with a stack: TPIDR_EL1 indexes 0..EL1_MAX_CPUS-1. */
#define EL1_MAX_CPUS 8

/*
 * SCTLR_EL1: stage-1 MMU and data cache off (kserv runs on physical
 * addresses, a guest on its IPAs, so every data access is Device-nGnRnE:
 * hence -mstrict-align; see docs/kserv.md), instruction cache on, SP
 * alignment checking on, little-endian, and the bits that are RES1 on
 * ARMv8.0 (11, 20, 22, 23, 28, 29) set.
 */
#define EL1_SCTLR_EL1 0x30d01808

/*
 * CPACR_EL1.FPEN = 0b11: FP/SIMD does not trap at EL1 (kserv's libfdt is
 * built with it; the secret guest fills q0..q31).
 */
#define EL1_CPACR_EL1 (3 << 20)

#endif /* EL1_LAYOUT_H */
