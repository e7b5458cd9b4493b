/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by kserv's assembly and C: CPU and stack limits, and the
 * EL1 control-register values start.S installs on every CPU.
 */
#ifndef KSERV_LAYOUT_H
#define KSERV_LAYOUT_H

#define KSERV_MAX_CPUS	 8
#define KSERV_STACK_SIZE 16384

/*
 * SCTLR_EL1: stage-1 MMU and data cache off (kserv runs on physical
 * addresses, so every data access is Device-nGnRnE; see docs/kserv.md),
 * instruction cache on, SP alignment checking on, little-endian, and the
 * bits that are RES1 on ARMv8.0 (11, 20, 22, 23, 28, 29) set.
 */
#define KSERV_SCTLR_EL1 0x30d01808

/* CPACR_EL1.FPEN = 0b11: FP/SIMD does not trap at EL1 (libfdt is built with it). */
#define KSERV_CPACR_EL1 (3 << 20)

#endif /* KSERV_LAYOUT_H */
