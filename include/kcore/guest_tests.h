/* SPDX-License-Identifier: MIT */
/*
 * What the test guests (guests/, docs/guests.md) and the host that runs them
 * agree on, beyond the ABI: two guest calls that kcore passes to the host
 * like any call it does not handle itself (KC_EXIT_GUEST_CALL, function id
 * and x1..x6 only), and the secret the victim guest keeps.
 *
 * A host that does not implement a call answers x0 = -1 (SMCCC
 * NOT_SUPPORTED), as for any unknown guest call.
 */
#ifndef KCORE_GUEST_TESTS_H
#define KCORE_GUEST_TESTS_H

#ifndef __KERNEL__ /* kcore.ko includes it too (KC_BENCH_NOP) */
#include <stdint.h>
#endif

#include "abi.h"

/*
 * ioshare: "please read my buffer". x1 = the page-aligned IPA of one of the
 * VM's pages, which the guest has shared with KC_GC_SHARE_PAGE. The host
 * reads the 4096 bytes of that page and answers x0 = 0, x1 =
 * kc_test_checksum() of them; or x0 = -2 (KCORE_E_INVAL) if the IPA is not
 * a page the VM shares with it.
 */
#define KC_TEST_READ_SHARED KCORE_HC(0x80)

/*
 * secret: "checkpoint n" (x1 = n, from 1). The host gets control, may attack
 * (KCORE_PAYLOAD_F_ATTACKS), and answers x0 = 0 to go on or x0 = 1 to stop
 * (the guest then checks itself a last time and powers off). A host that
 * answers NOT_SUPPORTED gets KC_TEST_SECRET_DEFAULT_CHECKPOINTS checkpoints.
 */
#define KC_TEST_CHECKPOINT		   KCORE_HC(0x81)
#define KC_TEST_CHECKPOINT_GO_ON	   0
#define KC_TEST_CHECKPOINT_STOP		   1
#define KC_TEST_SECRET_DEFAULT_CHECKPOINTS 16u

/*
 * bench (bench/bench.c): a guest call the host answers with x0 = 0 and
 * nothing else to do, to time one round trip guest -> kcore -> host -> guest
 * (KC_EXIT_GUEST_CALL). No arguments. Answered in the host's kernel: kserv,
 * and kcore.ko under Linux (kmod/kcore_vcpu.c; it never reaches kcore-vmm),
 * as KVM answers PSCI_VERSION in the kernel.
 */
#define KC_BENCH_NOP KCORE_HC(0x82)

/*
 * snapguest: "snapshot me now" (no arguments). The host pauses the VM, has
 * kcore write an encrypted snapshot of it (docs/snapshots.md), and answers
 * x0 = KC_TEST_SNAPSHOT_GO_ON (snapshot taken, or none wanted: go on),
 * KC_TEST_SNAPSHOT_STOP (saved: power off; a later boot restores the VM), or,
 * to the copy restored from the snapshot, KC_TEST_SNAPSHOT_RESTORED. A host
 * without snapshots answers NOT_SUPPORTED.
 */
#define KC_TEST_SNAPSHOT	  KCORE_HC(0x83)
#define KC_TEST_SNAPSHOT_GO_ON	  0
#define KC_TEST_SNAPSHOT_STOP	  1
#define KC_TEST_SNAPSHOT_RESTORED 2

/*
 * timers: "check the host's GIC after this payload" (no arguments; x0 = 0,
 * or NOT_SUPPORTED from a host without the check), called before the guest
 * first uses a timer. kserv (tests/kserv/host_gic.c) then records what kcore
 * changes in the host's GIC while a timer-using vCPU runs (PPIs 26 and 27 in
 * every redistributor, ICC_PMR_EL1 and ICC_IGRPEN1_EL1 of its CPU), and
 * compares after the payload: kcore must have put back all of it.
 */
#define KC_TEST_HOST_GIC KCORE_HC(0x85)

/*
 * pkvmabi: "what MMIO have you seen from me" (no arguments). The host
 * answers x0 = 0, x1 = how many KC_EXIT_MMIO exits this VM has made so far,
 * x2 = the IPA of the last one (0 if none): so the guest can tell an access
 * kcore refused itself (the MMIO guard, docs/abi.md) from one the host saw
 * and refused; x3 = how many KC_BENCH_NOP calls reached the VMM's exit
 * handler (vmm/exit.c): all of them under kserv, none under kcore.ko, which
 * answers them in the kernel (pwroff says which).
 */
#define KC_TEST_MMIO_EXITS KCORE_HC(0x86)

/* FNV-1a, 64-bit: what KC_TEST_READ_SHARED returns. */
#define KC_TEST_CHECKSUM_START 0xcbf29ce484222325ULL

/* The checksum of what came before (h) and then len bytes at p: a page read in parts. */
static inline uint64_t kc_test_checksum_more(uint64_t h, const volatile uint8_t *p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t kc_test_checksum(const volatile uint8_t *p, uint64_t len)
{
	return kc_test_checksum_more(KC_TEST_CHECKSUM_START, p, len);
}

/*
 * The secret guest fills 1 MiB from KC_TEST_SECRET_IPA with
 * kc_test_secret_word(ipa) at every 8-byte-aligned ipa, general registers
 * x4..x30 with kc_test_secret_reg(n) and the FP/SIMD registers q0..q31 with
 * kc_test_secret_reg(64 + 2n) (low half) and kc_test_secret_reg(65 + 2n)
 * (high half). A host that ever reads one of these values out of the VM has
 * broken its isolation.
 */
#define KC_TEST_SECRET_IPA  0x80200000ull
#define KC_TEST_SECRET_SIZE (1ull << 20)

static inline uint64_t kc_test_secret_word(uint64_t ipa)
{
	return 0x5345435245542121ull ^ (ipa * 0x9e3779b97f4a7c15ull); /* "SECRET!!" */
}

static inline uint64_t kc_test_secret_reg(uint32_t n)
{
	return 0x5345435245540000ull | (uint64_t)n << 8 | (uint64_t)(n ^ 0xa5u);
}

/* Whether v is one of those values: a secret word of the 1 MiB, or a register's (n < 128). */
static inline int kc_test_is_secret(uint64_t v)
{
	/* The multiplier's inverse mod 2^64: Newton's iteration doubles the good bits. */
	uint64_t k = 0x9e3779b97f4a7c15ull, inv = k, ipa;

	for (int i = 0; i < 6; i++)
		inv *= 2 - k * inv;
	ipa = (v ^ kc_test_secret_word(0)) * inv;
	if (ipa >= KC_TEST_SECRET_IPA && ipa - KC_TEST_SECRET_IPA < KC_TEST_SECRET_SIZE &&
	    (ipa & 7) == 0)
		return 1;
	return (v & 0xffffffffffff8000ull) == 0x5345435245540000ull &&
	       v == kc_test_secret_reg((uint32_t)(v >> 8) & 0x7f);
}

#endif /* KCORE_GUEST_TESTS_H */
