/* SPDX-License-Identifier: MIT */
/*
 * The register-isolation test (issue 14, point 6): what the regworld guest
 * (guests/regworld.c) and the host that runs it (tests/kserv/regworld.c) agree on.
 *
 * Three worlds share a CPU: the host (world 1) and two VMs (worlds 2 and 3,
 * from the guest's bootargs "world=N"). Each writes its own value into every
 * system register of the list below that it can write, and checks, every
 * time it gets the CPU back, that no register holds another world's value.
 * A world's value for register i is kc_regworld_value(world, i), limited to
 * the register's mask (the bits the test may change without disturbing the
 * writer: the other bits keep what the writer read), so every world can tell
 * every other world's values from its own (each mask has two adjacent bits). A register whose
 * access is undefined in a world (trapped and refused by kcore, or absent from the CPU) is skipped
 * there: that is the safe outcome.
 *
 * KC_TEST_REGWORLD: the guest's call, passed to the host like any call kcore
 * does not handle. The first one makes the host write its values on the CPU
 * that takes it; from then on the host checks its registers after every exit
 * of every VM. x0 = 0. A host that does not know the call answers
 * NOT_SUPPORTED (-1).
 */
#ifndef KCORE_REGWORLD_H
#define KCORE_REGWORLD_H

#include <stdint.h>

#include "abi.h"

#define KC_TEST_REGWORLD KCORE_HC(0x84)

#define KC_REGWORLD_HOST   1u
#define KC_REGWORLD_WORLDS 3u /* worlds 1..3 */

/* Who writes a register (a world that does not write it still reads and checks it). */
#define KC_RW_H		     (1u << 0) /* the host writes it */
#define KC_RW_G		     (1u << 1) /* the guests write it */
#define KC_RW_HG	     (KC_RW_H | KC_RW_G)
#define KC_RW_VOLATILE	     (1u << 2) /* changes by itself (exceptions): no own-value check */
/*
 * XORed into the low byte of every world's value: steers the values of a
 * narrow field off the register's natural values (a GIC binary point that
 * reads as its minimum 2, a priority mask that reads 0xf8), which would
 * otherwise look like a world's. Any XOR keeps the worlds apart.
 */
#define KC_RW_SALT(x)	     ((uint32_t)(x) << 8)
#define KC_RW_SALT_OF(flags) (((flags) >> 8) & 0xffu)

#define KC_M_ALL 0xffffffffffffffffull

/*
 * X(name, encoding, mask, flags): every register EL0/EL1 can write on QEMU's
 * `max` or `cortex-a72` (and several a newer CPU adds), grouped as in
 * docs/security.md's table. Left out: registers whose value the writer
 * cannot change without breaking itself (SCTLR_EL1, CPACR_EL1, VBAR_EL1,
 * the host's physical timer and GIC priority mask and control), write-1-to-set
 * or clear registers, counters, and read-only ones.
 */
#define KC_REGWORLD_LIST(X)                                                                 \
	/* EL1/EL0 context kcore switches at every entry and exit */                        \
	X(TPIDR_EL0, "tpidr_el0", KC_M_ALL, KC_RW_HG)                                       \
	X(TPIDRRO_EL0, "tpidrro_el0", KC_M_ALL, KC_RW_HG)                                   \
	X(TPIDR_EL1, "tpidr_el1", 0xffffffff00000000ull, KC_RW_HG) /* low half: CPU no. */  \
	X(CONTEXTIDR_EL1, "contextidr_el1", 0xffffffffull, KC_RW_HG)                        \
	X(TTBR0_EL1, "ttbr0_el1", 0x0000fffffffff000ull, KC_RW_HG) /* stage 1 is off */     \
	X(TTBR1_EL1, "ttbr1_el1", 0x0000fffffffff000ull, KC_RW_HG)                          \
	X(TCR_EL1, "tcr_el1", 0x003f003full, KC_RW_HG)                                      \
	X(MAIR_EL1, "mair_el1", KC_M_ALL, KC_RW_HG)                                         \
	X(AMAIR_EL1, "amair_el1", KC_M_ALL, KC_RW_HG)                                       \
	X(AFSR0_EL1, "afsr0_el1", 0xffffffffull, KC_RW_HG)                                  \
	X(AFSR1_EL1, "afsr1_el1", 0xffffffffull, KC_RW_HG)                                  \
	X(ESR_EL1, "esr_el1", 0xffffffull, KC_RW_HG | KC_RW_VOLATILE)                       \
	X(FAR_EL1, "far_el1", KC_M_ALL, KC_RW_HG | KC_RW_VOLATILE)                          \
	X(ELR_EL1, "elr_el1", 0x0000fffffffffffcull, KC_RW_HG | KC_RW_VOLATILE)             \
	X(SPSR_EL1, "spsr_el1", 0xf0000000ull, KC_RW_HG | KC_RW_VOLATILE)                   \
	X(SP_EL0, "sp_el0", 0x0000fffffffffff0ull, KC_RW_HG)                                \
	X(PAR_EL1, "par_el1", 0x0000fffffffff000ull, KC_RW_HG)                              \
	X(CSSELR_EL1, "csselr_el1", 0xeull, KC_RW_HG)                                       \
	X(CNTKCTL_EL1, "cntkctl_el1", 0xf0ull, KC_RW_HG)                                    \
	X(CNTV_CVAL_EL0, "cntv_cval_el0", 0x00ffffffffffffffull, KC_RW_HG)                  \
	X(MDSCR_EL1, "mdscr_el1", 0xc00000ull, KC_RW_HG)                                    \
	X(FPCR, "fpcr", 0x07c00000ull, KC_RW_HG)                                            \
	X(FPSR, "fpsr", 0xf8000000ull, KC_RW_HG)                                            \
	/* pointer authentication keys: the guests' switched, the host cannot reach them */ \
	X(APIAKEYLO_EL1, "S3_0_C2_C1_0", KC_M_ALL, KC_RW_HG)                                \
	X(APIAKEYHI_EL1, "S3_0_C2_C1_1", KC_M_ALL, KC_RW_HG)                                \
	X(APIBKEYLO_EL1, "S3_0_C2_C1_2", KC_M_ALL, KC_RW_HG)                                \
	X(APIBKEYHI_EL1, "S3_0_C2_C1_3", KC_M_ALL, KC_RW_HG)                                \
	X(APDAKEYLO_EL1, "S3_0_C2_C2_0", KC_M_ALL, KC_RW_HG)                                \
	X(APDAKEYHI_EL1, "S3_0_C2_C2_1", KC_M_ALL, KC_RW_HG)                                \
	X(APDBKEYLO_EL1, "S3_0_C2_C2_2", KC_M_ALL, KC_RW_HG)                                \
	X(APDBKEYHI_EL1, "S3_0_C2_C2_3", KC_M_ALL, KC_RW_HG)                                \
	X(APGAKEYLO_EL1, "S3_0_C2_C3_0", KC_M_ALL, KC_RW_HG)                                \
	X(APGAKEYHI_EL1, "S3_0_C2_C3_1", KC_M_ALL, KC_RW_HG)                                \
	/* SME and SVE */                                                                   \
	X(TPIDR2_EL0, "S3_3_C13_C0_5", KC_M_ALL, KC_RW_HG)                                  \
	X(ZCR_EL1, "S3_0_C1_C2_0", 0xfull, KC_RW_HG)                                        \
	X(SMCR_EL1, "S3_0_C1_C2_6", 0xfull, KC_RW_HG)                                       \
	X(SMPRI_EL1, "S3_0_C1_C2_4", 0xfull, KC_RW_HG)                                      \
	/* GIC CPU interface: a guest's ICV_* (VMCR, APRs), the host's ICC_* */             \
	X(ICC_SRE_EL1, "S3_0_C12_C12_5", 0x6ull, KC_RW_HG | KC_RW_SALT(6)) /* DIB, DFB */   \
	X(ICC_BPR1_EL1, "S3_0_C12_C12_3", 0x7ull, KC_RW_HG)                                 \
	X(ICC_BPR0_EL1, "S3_0_C12_C8_3", 0x7ull, KC_RW_G | KC_RW_SALT(3))                   \
	X(ICC_PMR_EL1, "S3_0_C4_C6_0", 0xf0ull, KC_RW_G | KC_RW_SALT(0x80))                 \
	X(ICC_AP0R0_EL1, "S3_0_C12_C8_4", 0xffffffffull, KC_RW_G)                           \
	X(ICC_AP0R1_EL1, "S3_0_C12_C8_5", 0xffffffffull, KC_RW_G)                           \
	X(ICC_AP0R2_EL1, "S3_0_C12_C8_6", 0xffffffffull, KC_RW_G)                           \
	X(ICC_AP0R3_EL1, "S3_0_C12_C8_7", 0xffffffffull, KC_RW_G)                           \
	X(ICC_AP1R0_EL1, "S3_0_C12_C9_0", 0xffffffffull, KC_RW_G)                           \
	X(ICC_AP1R1_EL1, "S3_0_C12_C9_1", 0xffffffffull, KC_RW_G)                           \
	X(ICC_AP1R2_EL1, "S3_0_C12_C9_2", 0xffffffffull, KC_RW_G)                           \
	X(ICC_AP1R3_EL1, "S3_0_C12_C9_3", 0xffffffffull, KC_RW_G)                           \
	/* timers: the frequency (EL1 may write it on QEMU), the guests' physical timer */  \
	X(CNTFRQ_EL0, "cntfrq_el0", 0x3ull, KC_RW_HG)                                       \
	X(CNTP_CVAL_EL0, "cntp_cval_el0", 0x00ffffffffffffffull, KC_RW_G)                   \
	/* RAS */                                                                           \
	X(DISR_EL1, "S3_0_C12_C1_1", 0xffull, KC_RW_HG)                                     \
	X(ERRSELR_EL1, "S3_0_C5_C3_1", 0xffffull, KC_RW_HG)                                 \
	/* implementation-defined and other control registers */                            \
	X(ACTLR_EL1, "S3_0_C1_C0_1", KC_M_ALL, KC_RW_HG)                                    \
	X(SCXTNUM_EL0, "S3_3_C13_C0_7", KC_M_ALL, KC_RW_HG)                                 \
	X(SCXTNUM_EL1, "S3_0_C13_C0_7", KC_M_ALL, KC_RW_HG)                                 \
	X(LORSA_EL1, "S3_0_C10_C4_0", 0x0000ffffffff0000ull, KC_RW_HG)                      \
	X(LOREA_EL1, "S3_0_C10_C4_1", 0x0000ffffffff0000ull, KC_RW_HG)                      \
	X(LORN_EL1, "S3_0_C10_C4_2", 0xffull, KC_RW_HG)                                     \
	X(LORC_EL1, "S3_0_C10_C4_3", 0x3cull, KC_RW_HG)                                     \
	X(ACCDATA_EL1, "S3_0_C13_C0_5", 0xffffffffull, KC_RW_HG)                            \
	/* debug (guests: their own), PMU (guests: undefined), SPE, trace, */               \
	/* AMU, MTE, MPAM; the debug control registers' enable bits clear */                \
	X(DBGBVR0_EL1, "dbgbvr0_el1", 0x0000fffffffffffcull, KC_RW_HG)                      \
	X(DBGBVR1_EL1, "dbgbvr1_el1", 0x0000fffffffffffcull, KC_RW_HG)                      \
	X(DBGBCR0_EL1, "dbgbcr0_el1", 0x6ull, KC_RW_HG) /* PMC */                           \
	X(DBGWVR0_EL1, "dbgwvr0_el1", 0x0000fffffffffff8ull, KC_RW_HG)                      \
	X(DBGWCR0_EL1, "dbgwcr0_el1", 0x6ull, KC_RW_HG) /* PAC */                           \
	X(OSECCR_EL1, "S2_0_C0_C6_2", 0xffffffffull, KC_RW_HG)                              \
	X(OSDTRRX_EL1, "S2_0_C0_C0_2", 0xffffffffull, KC_RW_HG)                             \
	X(PMSELR_EL0, "S3_3_C9_C12_5", 0x1full, KC_RW_HG)                                   \
	X(PMUSERENR_EL0, "S3_3_C9_C14_0", 0xfull, KC_RW_HG)                                 \
	X(PMCCFILTR_EL0, "S3_3_C14_C15_7", 0xf8000000ull, KC_RW_HG)                         \
	X(PMEVTYPER0_EL0, "S3_3_C14_C12_0", 0x3ffull, KC_RW_HG)                             \
	X(PMSCR_EL1, "S3_0_C9_C9_0", 0x3ull, KC_RW_HG)                                      \
	X(TRFCR_EL1, "S3_0_C1_C2_1", 0x63ull, KC_RW_HG)                                     \
	X(TRCCONFIGR, "S2_1_C0_C4_0", 0xff8ull, KC_RW_HG)                                   \
	X(AMUSERENR_EL0, "S3_3_C13_C2_3", 0xfull, KC_RW_HG)                                 \
	X(GCR_EL1, "S3_0_C1_C0_6", 0xffffull, KC_RW_HG)                                     \
	X(RGSR_EL1, "S3_0_C1_C0_5", 0xfff0ull, KC_RW_HG)                                    \
	X(TFSR_EL1, "S3_0_C5_C6_0", 0x3ull, KC_RW_HG)                                       \
	X(TFSRE0_EL1, "S3_0_C5_C6_1", 0x3ull, KC_RW_HG)                                     \
	X(MPAM0_EL1, "S3_0_C10_C5_1", 0xffffull, KC_RW_HG)                                  \
	/* registers of later architecture versions (not on QEMU 7.2: undefined) */         \
	X(FPMR, "S3_3_C4_C4_2", 0x7ull, KC_RW_HG)                                           \
	X(POR_EL0, "S3_3_C10_C2_4", KC_M_ALL, KC_RW_HG)                                     \
	X(PIRE0_EL1, "S3_0_C10_C2_2", KC_M_ALL, KC_RW_HG)                                   \
	X(PIR_EL1, "S3_0_C10_C2_3", KC_M_ALL, KC_RW_HG)                                     \
	X(GCSPR_EL0, "S3_3_C2_C5_1", 0x0000fffffffffff8ull, KC_RW_HG)

/* The register indices: KC_REG_<name>. */
#define KC_REGWORLD_ENUM(name, enc, mask, flags) KC_REG_##name,
enum { KC_REGWORLD_LIST(KC_REGWORLD_ENUM) KC_REGWORLD_NR };

/*
 * World w's value for a register with these flags (before its mask): w in
 * every two bits, 0x5555... for the host, 0xaaaa... and 0xffff... for the
 * VMs, the low byte XOR the register's salt. Any two adjacent bits of a mask
 * tell the three worlds apart; without a salt no world's value is zero in
 * them (a register that reads as zero never looks like another world's).
 */
static inline uint64_t kc_regworld_value(uint32_t world, uint32_t flags)
{
	return ((uint64_t)world * 0x5555555555555555ull) ^ KC_RW_SALT_OF(flags);
}

/*
 * The world (1..3) other than self whose value v holds in mask's bits, or 0.
 * A world whose value looks like self's in these bits is not told apart.
 */
static inline uint32_t kc_regworld_owner(uint32_t self, uint32_t flags, uint64_t mask, uint64_t v)
{
	uint64_t mine = kc_regworld_value(self, flags) & mask;

	for (uint32_t w = 1; w <= KC_REGWORLD_WORLDS; w++) {
		uint64_t theirs = kc_regworld_value(w, flags) & mask;

		if (w != self && theirs != mine && (v & mask) == theirs)
			return w;
	}
	return 0;
}

/*
 * One register of the list as each world (kserv, the guest) runs it: the
 * name, a read and a write stub (fn(uint64_t *), so a probe can call it and
 * skip the one instruction if it is refused), its mask and flags.
 */
struct kc_regworld_reg {
	const char *name;
	void (*rd)(uint64_t *);
	void (*wr)(uint64_t *);
	uint64_t mask;
	uint32_t flags;
};

#define KC_REGWORLD_STUBS(name, enc, mask, flags)                     \
	static void kc_regworld_rd_##name(uint64_t *v)                \
	{                                                             \
		uint64_t r = *v;                                      \
		__asm__ volatile("mrs %0, " enc : "+r"(r));           \
		*v = r;                                               \
	}                                                             \
	static void kc_regworld_wr_##name(uint64_t *v)                \
	{                                                             \
		__asm__ volatile("msr " enc ", %0\n\tisb" ::"r"(*v)); \
	}
#define KC_REGWORLD_ENTRY(name, enc, mask, flags) \
	{#name, kc_regworld_rd_##name, kc_regworld_wr_##name, mask, flags},

/* Defines the stubs and `static const struct kc_regworld_reg table[KC_REGWORLD_NR]`. */
#define KC_REGWORLD_DEFINE_TABLE(table)                               \
	KC_REGWORLD_LIST(KC_REGWORLD_STUBS)                           \
	static const struct kc_regworld_reg table[KC_REGWORLD_NR] = { \
	    KC_REGWORLD_LIST(KC_REGWORLD_ENTRY)}

#endif /* KCORE_REGWORLD_H */
