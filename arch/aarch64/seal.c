/* SPDX-License-Identifier: MIT */
/*
 * What snapshots (core/snapshot) need from the CPU: random numbers for
 * snapshot ids, from FEAT_RNG's RNDR, and the name of the vCPU state layout.
 */
#include "core/arch.h"
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
	/* "a64", layout 1 of arch/aarch64/vcpu.c's arch words: bump when that layout changes. */
	return 0xa6400001u;
}
