/* SPDX-License-Identifier: MIT */
/*
 * secret: the victim of the host attack suite. It fills 1 MiB of its RAM
 * (from the first 2 MiB block after the image: KC_TEST_SECRET_IPA,
 * 0x80200000, in kcore's guest machine) and its registers with secret values
 * (include/kcore/guest_tests.h), then loops: check the memory, make the
 * guest call KC_TEST_CHECKPOINT(n) with x4..x30 and q0..q31 holding secrets
 * (so the host gets control, and may attack), check the registers came back
 * unchanged. It stops when the host answers KC_TEST_CHECKPOINT_STOP, checks
 * everything a last time and powers off:
 *
 *   GUEST secret: intact after N checkpoints
 *   GUEST secret: CORRUPTED <what>, at checkpoint N
 *
 * With bootargs "extra=N" it also writes N MiB after the secret before its
 * first checkpoint (the reset scrub's cost per GiB, bench/bench.sh scrub).
 * With bootargs "checkpoints=N" it makes exactly N checkpoints, whatever the
 * host answers: that keeps a victim alive for as long as another VM attacks
 * it. A host that answers NOT_SUPPORTED (it does not drive checkpoints) gets
 * KC_TEST_SECRET_DEFAULT_CHECKPOINTS.
 */
#include <kcore/abi.h>
#include <kcore/guest_tests.h>

#include "lib/guest.h"

#define NR_GPR 27 /* x4..x30 */
#define NR_FPR 64 /* q0..q31, two halves each */
#define BLOCK  (2UL << 20)

const char guest_name[] = "secret";

s64 secret_checkpoint(u64 n, const u64 *gpr, const u64 *fpr, u64 *gpr_out, u64 *fpr_out);

static u64 gpr[NR_GPR], fpr[NR_FPR], gpr_out[NR_GPR], fpr_out[NR_FPR];

static bool memory_intact(u64 start, u64 n)
{
	for (u64 a = start; a < start + KC_TEST_SECRET_SIZE; a += 8) {
		u64 v = read64(a);

		if (v != kc_test_secret_word(a)) {
			say("CORRUPTED memory at 0x%lx: 0x%lx, want 0x%lx, at checkpoint %lu", a, v,
			    kc_test_secret_word(a), n);
			return false;
		}
	}
	return true;
}

static bool registers_intact(u64 n)
{
	bool ok = true;

	for (u32 i = 0; i < NR_GPR; i++) {
		if (gpr_out[i] != gpr[i]) {
			say("CORRUPTED register x%u: 0x%lx, want 0x%lx, at checkpoint %lu", i + 4,
			    gpr_out[i], gpr[i], n);
			ok = false;
		}
	}
	for (u32 i = 0; i < NR_FPR; i++) {
		if (fpr_out[i] != fpr[i]) {
			say("CORRUPTED register q%u (%s half): 0x%lx, want 0x%lx, at checkpoint "
			    "%lu",
			    i / 2, i % 2 != 0 ? "high" : "low", fpr_out[i], fpr[i], n);
			ok = false;
		}
	}
	return ok;
}

void guest_main(u64 dtb)
{
	u64 start = align_up(image_end(), BLOCK), max = 0, extra = 0, n, base, size;
	s64 answer = KC_TEST_CHECKPOINT_GO_ON;

	if (!fdt_memory(dtb, &base, &size)) {
		say("FAIL no DTB (x0 = 0x%lx): cannot tell how much RAM there is", dtb);
		return;
	}
	/* The DTB sits at the top of RAM: the secret must stay below it. */
	if (start + KC_TEST_SECRET_SIZE > base + size || start + KC_TEST_SECRET_SIZE > dtb) {
		say("FAIL 1 MiB at 0x%lx does not fit below 0x%lx (give the VM more memory)", start,
		    dtb < base + size ? dtb : base + size);
		return;
	}
	bootarg_u64(fdt_bootargs(dtb), "checkpoints", &max);
	bootarg_u64(fdt_bootargs(dtb), "extra", &extra);
	if (start + KC_TEST_SECRET_SIZE + (extra << 20) > dtb) {
		say("FAIL extra=%lu MiB does not fit below the DTB at 0x%lx", extra, dtb);
		return;
	}
	for (u64 a = start + KC_TEST_SECRET_SIZE; a < start + KC_TEST_SECRET_SIZE + (extra << 20);
	     a += 8)
		write64(a, a);
	for (u64 a = start; a < start + KC_TEST_SECRET_SIZE; a += 8)
		write64(a, kc_test_secret_word(a));
	for (u32 i = 0; i < NR_GPR; i++)
		gpr[i] = kc_test_secret_reg(i + 4);
	for (u32 i = 0; i < NR_FPR; i++)
		fpr[i] = kc_test_secret_reg(64 + i);
	say("secret written: 1 MiB at 0x%lx, x4..x30, q0..q31", start);

	for (n = 1;; n++) {
		if (!memory_intact(start, n))
			return;
		answer = secret_checkpoint(n, gpr, fpr, gpr_out, fpr_out);
		if (!registers_intact(n))
			return;
		if (max != 0) {
			if (n >= max)
				break;
		} else if (answer == KC_TEST_CHECKPOINT_STOP) {
			break;
		} else if (answer == KCORE_E_NOT_SUPPORTED) {
			if (n >= KC_TEST_SECRET_DEFAULT_CHECKPOINTS)
				break;
		} else if (answer != KC_TEST_CHECKPOINT_GO_ON) {
			say("the host answered checkpoint %lu with %ld; stopping", n, answer);
			break;
		}
	}
	if (max == 0 && answer == KCORE_E_NOT_SUPPORTED)
		say("the host does not drive checkpoints: stopped after %lu", n);
	if (memory_intact(start, n))
		say("intact after %lu checkpoints", n);
}
