/* SPDX-License-Identifier: MIT */
/*
 * PSCI and SMCCC ids and results (Arm DEN0022 and DEN0028), the one place
 * kcore, its arch code, kserv, the test guests and the tests take them from.
 * Plain integer constants only: C (freestanding or hosted) and assembly
 * include it alike.
 *
 * A function id's bit 30 says SMC64/HVC64: the 64-bit form of a call that
 * takes addresses or MPIDRs is 0xC4... where the 32-bit form is 0x84....
 */
#ifndef KCORE_PSCI_H
#define KCORE_PSCI_H

/* Function ids. */
#define PSCI_VERSION		    0x84000000u
#define PSCI_CPU_SUSPEND_32	    0x84000001u
#define PSCI_CPU_SUSPEND_64	    0xc4000001u
#define PSCI_CPU_OFF		    0x84000002u
#define PSCI_CPU_ON_32		    0x84000003u
#define PSCI_CPU_ON_64		    0xc4000003u
#define PSCI_AFFINITY_INFO_32	    0x84000004u
#define PSCI_AFFINITY_INFO_64	    0xc4000004u
#define PSCI_MIGRATE_32		    0x84000005u
#define PSCI_MIGRATE_64		    0xc4000005u
#define PSCI_MIGRATE_INFO_TYPE	    0x84000006u
#define PSCI_MIGRATE_INFO_UP_CPU_32 0x84000007u
#define PSCI_MIGRATE_INFO_UP_CPU_64 0xc4000007u
#define PSCI_SYSTEM_OFF		    0x84000008u
#define PSCI_SYSTEM_RESET	    0x84000009u
#define PSCI_FEATURES		    0x8400000au
#define PSCI_SYSTEM_RESET2_32	    0x84000012u
#define PSCI_SYSTEM_RESET2_64	    0xc4000012u
#define PSCI_MEM_PROTECT	    0x84000013u
#define PSCI_MEM_PROTECT_RANGE_32   0x84000014u
#define PSCI_MEM_PROTECT_RANGE_64   0xc4000014u

/* PSCI owns function numbers 0x00..0x1f of the standard secure service range, both forms. */
#define PSCI_FN_FIRST_32 0x84000000u
#define PSCI_FN_LAST_32	 0x8400001fu
#define PSCI_FN_FIRST_64 0xc4000000u
#define PSCI_FN_LAST_64	 0xc400001fu
#define PSCI_IS_FN(fid)                                             \
	(((fid) >= PSCI_FN_FIRST_32 && (fid) <= PSCI_FN_LAST_32) || \
	 ((fid) >= PSCI_FN_FIRST_64 && (fid) <= PSCI_FN_LAST_64))

/* PSCI_VERSION's answer: major << 16 | minor. */
#define PSCI_VERSION_1_0 0x10000u
#define PSCI_VERSION_1_1 0x10001u

/*
 * CPU_SUSPEND's power_state, original format (the one PSCI_FEATURES says):
 * StateID [15:0], StateType [16] (1: powerdown), PowerLevel [25:24]; the
 * other bits are reserved (zero).
 */
#define PSCI_POWER_STATE_TYPE_POWERDOWN (1u << 16)
#define PSCI_POWER_STATE_RESERVED	0xfcfe0000u

/* MIGRATE_INFO_TYPE's answer: no Trusted OS, or none that needs migrating. */
#define PSCI_MIGRATE_INFO_NOT_PRESENT 2

/* SYSTEM_RESET2's reset_type: bit 31 set for a vendor type; architectural 0 is the only one. */
#define PSCI_RESET2_TYPE_VENDOR	    0x80000000u
#define PSCI_RESET2_TYPE_WARM_RESET 0u

/* MPIDR's affinity fields (Aff3 [39:32], Aff2..Aff0 [23:0]): what CPU_ON and AFFINITY_INFO take. */
#define PSCI_MPIDR_AFF_MASK 0xff00ffffffull

/* Results (signed, in x0). */
#define PSCI_SUCCESS		0
#define PSCI_E_NOT_SUPPORTED	(-1)
#define PSCI_E_INVALID_PARAMS	(-2)
#define PSCI_E_DENIED		(-3)
#define PSCI_E_ALREADY_ON	(-4)
#define PSCI_E_ON_PENDING	(-5)
#define PSCI_E_INTERNAL_FAILURE (-6)
#define PSCI_E_NOT_PRESENT	(-7)
#define PSCI_E_DISABLED		(-8)
#define PSCI_E_INVALID_ADDRESS	(-9)

/* AFFINITY_INFO's answers. */
#define PSCI_AFF_ON	    0
#define PSCI_AFF_OFF	    1
#define PSCI_AFF_ON_PENDING 2

/*
 * SMCCC (DEN0028): its version call (KVM answers it in the hypervisor:
 * bench/bench.c) and ARCH_FEATURES, the two calls v1.1 makes mandatory
 * (kcore answers both to guests, core/run/psci.c, and to the host,
 * arch/aarch64/psci.c).
 */
#define SMCCC_VERSION		0x80000000u
/* The rest of the Arm Architecture Service calls a Linux host makes at boot. */
#define SMCCC_ARCH_FEATURES	0x80000001u
#define SMCCC_ARCH_SOC_ID	0x80000002u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu
/* The Arm Architecture Service's ids (owner 0), fast calls, both forms. */
#define SMCCC_IS_ARCH_FN(fid)	(((fid)&0xbfff0000u) == 0x80000000u && ((fid) >> 32) == 0)
/* SMCCC_VERSION's answer: major << 16 | minor. */
#define SMCCC_VERSION_1_1	0x10001u
/* PSCI 1.0's SYSTEM_SUSPEND (kcore refuses it to the host: arch/aarch64/psci.c). */
#define PSCI_SYSTEM_SUSPEND_32	0x8400000eu
#define PSCI_SYSTEM_SUSPEND_64	0xc400000eu
/* SMCCC: what an unknown function id returns in x0. */
#define SMCCC_NOT_SUPPORTED	(-1)
/* SMCCC: an argument the callee refuses (pKVM's answer to every refused call). */
#define SMCCC_INVALID_PARAMETER (-3)

/*
 * KVM's vendor hypervisor service (owner 6, Linux's include/linux/arm-smccc.h),
 * the calls Linux's pKVM guest driver (drivers/virt/coco/pkvm-guest) makes:
 * kcore answers the UID, FEATURES, HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE and
 * MMIO_GUARD itself (core/run/pkvm.c). The SMC64 ones are KCORE_HC(2..4, 7)
 * in value, the same numbers as four host calls: a guest's call never
 * reaches the host calls' table, and kcore's own guest calls start at
 * KCORE_HC(0x40).
 */
#define KVM_HYP_CALL_UID	   0x8600ff01u
#define KVM_HYP_FEATURES	   0x86000000u
#define KVM_HYP_MEMINFO		   0xc6000002u
#define KVM_HYP_MEM_SHARE	   0xc6000003u
#define KVM_HYP_MEM_UNSHARE	   0xc6000004u
/* Mainline Linux's MMIO guard (function 7): x1 the IPA of one page to be MMIO, x2 and x3 zero. */
#define KVM_HYP_MMIO_GUARD	   0xc6000007u
/*
 * Mainline's DISCOVER_IMPL_VER and DISCOVER_IMPL_CPUS (functions 64 and 65,
 * FEATURES' x2 bits 0 and 1): the values of kcore's own KC_GC_VERSION and
 * KC_GC_SHARE_PAGE. kcore never offers them, so a Linux guest never calls
 * these ids meaning them (docs/abi.md); named here only so tests can pin it.
 */
#define KVM_HYP_DISCOVER_IMPL_VER  0xc6000040u
#define KVM_HYP_DISCOVER_IMPL_CPUS 0xc6000041u
/* KVM's UID, 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, as the four words x0..x3 of CALL_UID. */
#define KVM_HYP_UID_0		   0xb66fb428u
#define KVM_HYP_UID_1		   0xe911c52eu
#define KVM_HYP_UID_2		   0x564bcaa9u
#define KVM_HYP_UID_3		   0x743a004du
/* FEATURES' bits (x0): the bit numbers are the calls' function numbers. */
#define KVM_HYP_FEAT_FEATURES	   (1u << 0)
#define KVM_HYP_FEAT_PTP	   (1u << 1) /* not offered by kcore */
#define KVM_HYP_FEAT_MEMINFO	   (1u << 2)
#define KVM_HYP_FEAT_MEM_SHARE	   (1u << 3)
#define KVM_HYP_FEAT_MEM_UNSHARE   (1u << 4)
#define KVM_HYP_FEAT_MMIO_GUARD	   (1u << 7)

#endif /* KCORE_PSCI_H */
