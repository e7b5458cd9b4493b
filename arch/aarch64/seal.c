/* SPDX-License-Identifier: MIT */
/*
 * What kcore's cryptography needs from the CPU: random numbers for snapshot
 * ids (FEAT_RNG's RNDR), the name of the vCPU state layout (snapshots), and
 * SHA-256 in the CPU's instructions (FEAT_SHA256, sha256_ce.S) for image
 * verification.
 */
#include "core/arch.h"
#include "core/lib/log.h"
#include "sysreg.h"

/* ID_AA64ISAR0_EL1.RNDR, bits [63:60]: non-zero when RNDR and RNDRRS exist. */
#define ISAR0_RNDR_SHIFT 60

/* RNDR may fail now and then (PSTATE.Z set, value 0); a few tries, then give up. */
static bool rndr(u64 *out)
{
	for (u32 tries = 0; tries < 16; tries++) {
		u64 v, ok;

		__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne"
				 : "=r"(v), "=r"(ok)
				 :
				 : "cc");
		if (ok != 0) {
			*out = v;
			return true;
		}
	}
	return false;
}

bool arch_random_bytes(void *buf, size_t len)
{
	u8 *out = buf;

	if ((read_sysreg(id_aa64isar0_el1) >> ISAR0_RNDR_SHIFT) == 0)
		return false;
	for (size_t i = 0; i < len; i += 8) {
		u64 v;

		if (!rndr(&v))
			return false;
		for (size_t j = 0; j < 8 && i + j < len; j++)
			out[i + j] = (u8)(v >> (8 * j));
	}
	return true;
}

u32 arch_vcpu_state_format(void)
{
	/* "a64", layout 3 of struct arch_vcpu (<arch/vcpu_state.h>): bump when it changes. */
	return 0xa6400003u;
}

/* ID_AA64ISAR0_EL1.SHA2, bits [15:12]: non-zero when SHA256H and friends exist. */
#define ISAR0_SHA2_SHIFT 12

void sha256_ce_blocks(u32 state[8], const void *data, u64 nblocks);

/* FIPS 180-4's example "abc", padded to one block, and its digest as state words. */
static const u8 abc_block[64] = {'a', 'b', 'c', 0x80, [63] = 0x18};
static const u32 abc_digest[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
				  0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};

enum { SHA_UNKNOWN = 0, SHA_FAST, SHA_PORTABLE };
static u32 sha_mode;

/*
 * Decided at the first use (inside arch_crypto_begin/end): the instructions
 * must exist and give FIPS 180-4's answer. Wrong answers from them would
 * make kcore refuse good images or accept others: a broken machine, so a halt.
 */
bool arch_sha256_fast(void)
{
	u32 mode = __atomic_load_n(&sha_mode, __ATOMIC_RELAXED);

	if (mode == SHA_UNKNOWN) {
		mode = SHA_PORTABLE;
		if (((read_sysreg(id_aa64isar0_el1) >> ISAR0_SHA2_SHIFT) & 0xf) != 0) {
			u32 st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

			sha256_ce_blocks(st, abc_block, 1);
			for (u32 i = 0; i < 8; i++) {
				if (st[i] != abc_digest[i])
					kc_panic(
					    "SHA-256 instructions give a wrong digest (word %u)",
					    i);
			}
			mode = SHA_FAST;
		}
		__atomic_store_n(&sha_mode, mode, __ATOMIC_RELAXED);
	}
	return mode == SHA_FAST;
}

void arch_sha256_blocks(u32 state[8], const void *data, size_t nblocks)
{
	sha256_ce_blocks(state, data, nblocks);
}
