/* SPDX-License-Identifier: MIT */
/* System register access and the bits kcore sets, for EL2 (non-VHE). */
#ifndef KCORE_AARCH64_SYSREG_H
#define KCORE_AARCH64_SYSREG_H

#include "core/lib/types.h"

#define read_sysreg(r)                                       \
	({                                                   \
		u64 __v;                                     \
		__asm__ volatile("mrs %0, " #r : "=r"(__v)); \
		__v;                                         \
	})

#define write_sysreg(r, v)                                        \
	do {                                                      \
		u64 __wv = (u64)(v);                              \
		__asm__ volatile("msr " #r ", %0" : : "r"(__wv)); \
	} while (0)

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}
static inline void dsb_ish(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}
static inline void dsb_ishst(void)
{
	__asm__ volatile("dsb ishst" ::: "memory");
}

/* HCR_EL2 */
#define HCR_VM	   (1ull << 0)
#define HCR_SWIO   (1ull << 1)
#define HCR_FMO	   (1ull << 3)
#define HCR_IMO	   (1ull << 4)
#define HCR_AMO	   (1ull << 5)
#define HCR_FB	   (1ull << 9)	/* TLB and I-cache maintenance broadcast in the inner domain */
#define HCR_BSU_IS (1ull << 10) /* barriers upgraded to inner shareable */
#define HCR_TWI	   (1ull << 13)
#define HCR_TWE	   (1ull << 14) /* WFE traps (the scheduler's yield: core/run/run.c) */
#define HCR_TID3   (1ull << 18) /* ID register reads trap */
#define HCR_TSC	   (1ull << 19)
#define HCR_TIDCP  (1ull << 20) /* IMPLEMENTATION DEFINED registers (op0 3, CRn 11/15) trap */
#define HCR_TACR   (1ull << 21) /* ACTLR_EL1 traps */
#define HCR_RW	   (1ull << 31)
#define HCR_TLOR   (1ull << 35) /* LORegion registers trap (FEAT_LOR) */
#define HCR_TERR   (1ull << 36) /* RAS error record registers trap (FEAT_RAS) */
#define HCR_APK	   (1ull << 40) /* EL1 may access the pointer authentication keys */
#define HCR_API	   (1ull << 41) /* EL1 may use pointer authentication instructions */
#define HCR_FWB	   (1ull << 46) /* stage 2 may force Write-Back (FEAT_S2FWB; el2ctl.c) */
/*
 * HCR_EL2 while the host runs: SMCs trap (PSCI CPU_ON must come to kcore);
 * IRQ/FIQ/SError stay with the host. API and APK stay clear: the host can
 * neither read nor write the pointer authentication keys nor use them, which
 * is why a guest's keys may stay in the CPU while the host runs (vcpu.c).
 */
#define HCR_HOST   (HCR_VM | HCR_SWIO | HCR_TSC | HCR_RW)
/*
 * HCR_EL2 while a guest runs, before what depends on the CPU (el2ctl.c):
 * interrupts and SErrors come to kcore (AMO also makes the guest's DISR_EL1
 * VDISR_EL2), WFI, WFE, SMC, ID, IMPLEMENTATION DEFINED and auxiliary
 * control register accesses trap, maintenance broadcasts (a vCPU may move
 * between CPUs).
 */
#define HCR_GUEST                                                                        \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TSC | HCR_TWI | HCR_TWE | \
	 HCR_TID3 | HCR_TIDCP | HCR_TACR | HCR_FB | HCR_BSU_IS | HCR_RW)

/* SCTLR_EL2 (non-VHE): RES1 bits, then what kcore turns on. */
#define SCTLR_EL2_RES1 0x30c50830ull
#define SCTLR_M	       (1ull << 0)
#define SCTLR_C	       (1ull << 2)
#define SCTLR_SA       (1ull << 3)
#define SCTLR_I	       (1ull << 12)
#define SCTLR_WXN      (1ull << 19)

/* SCTLR_EL1 as the host first sees it: MMU and caches off, RES1 bits set. */
#define SCTLR_EL1_INIT 0x30d00800ull

/* CPTR_EL2 (non-VHE): RES1 bits; TFP (bit 10) clear so FP/SIMD is not trapped. */
#define CPTR_EL2_RES1 0x000032ffull
#define CPTR_EL2_TFP  (1ull << 10) /* FP/SIMD traps to EL2 (lazy switching, vcpu.c) */
/*
 * SVE traps to EL2 (TZ). kcore switches only the FP/SIMD part of the vector
 * registers, so a guest must never reach the upper bits of the Z registers,
 * the predicate registers or ZCR: another world's values would be there.
 * The guest's ID registers say there is no SVE; an SVE instruction anyway
 * traps and becomes an undefined-instruction exception in the guest.
 */
#define CPTR_EL2_TZ   (1ull << 8)
/* Trace unit system register accesses trap, from the host and guests alike. */
#define CPTR_EL2_TTA  (1ull << 20)
/* Activity monitor accesses trap (FEAT_AMU; el2ctl.c sets it only where AMU exists). */
#define CPTR_EL2_TAM  (1ull << 30)

/* CNTHCTL_EL2: EL1 may use the physical counter and timer. */
#define CNTHCTL_EL1PCTEN (1ull << 0)
#define CNTHCTL_EL1PCEN	 (1ull << 1)
/*
 * The EL2 controls while the host runs, set at boot (mmu.c, head.S) and
 * restored after every guest run (vcpu.c); the host cannot change them.
 */
#define CNTHCTL_HOST	 (CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
#define MDCR_HOST	 0ull
#define CPTR_HOST	 (CPTR_EL2_RES1 | CPTR_EL2_TTA)
/* SME (TSM) is trapped by RES1 bit 12 already: SMCR_EL1, SVCR, SMPRI_EL1, ZA, streaming mode. */
#define CPTR_GUEST	 (CPTR_HOST | CPTR_EL2_TZ)
/* MDCR_EL2: SPE's sampling controls (FEAT_SPE) and TRFCR_EL1 (FEAT_TRF) trap; el2ctl.c. */
#define MDCR_TPMS	 (1ull << 14)
#define MDCR_TTRF	 (1ull << 19)

/* ICC_SRE_EL2: system-register GIC interface, and allow EL1 to use it. */
#define ICC_SRE_SRE    (1ull << 0)
#define ICC_SRE_ENABLE (1ull << 3)

/* MAIR_EL2: Attr0 Normal write-back RA/WA, Attr1 Device-nGnRE (core/mm/pt_desc.h). */
#define MAIR_EL2_VALUE 0x04ffull

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr)  (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL	     (1ull << 25)
#define EC_FP	     0x07 /* FP/SIMD trapped by CPTR_EL2.TFP */
#define EC_HVC64     0x16
#define EC_SMC64     0x17
#define EC_SYSREG    0x18 /* a trapped MSR, MRS or system instruction */
#define EC_IABT_LOW  0x20
#define EC_IABT_CUR  0x21
#define EC_DABT_LOW  0x24
#define EC_DABT_CUR  0x25
#define ESR_WNR	     (1ull << 6)
#define FSC_MASK     0x3full
#define FSC_SEA	     0x10 /* synchronous external abort */

/* SPSR / PSTATE */
#define PSR_MODE_MASK 0xfull
#define PSR_MODE_EL0t 0x0ull
#define PSR_MODE_EL1t 0x4ull
#define PSR_MODE_EL1h 0x5ull
#define PSR_DAIF_MASK (0xfull << 6)

#endif /* KCORE_AARCH64_SYSREG_H */
