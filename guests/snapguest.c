/* SPDX-License-Identifier: MIT */
/*
 * snapguest: the guest of the snapshot tests (docs/snapshots.md). It writes
 * a 32-byte secret at KC_TEST_SECRET_IPA (kc_test_secret_word of each
 * address, so the host's scanners recognise it) and starts a computation (a
 * 64-bit LCG chain of SNAP_STEPS steps). Halfway it asks the host for a
 * snapshot (KC_TEST_SNAPSHOT) with x19..x22 holding kc_test_secret_reg(19..22).
 * After the call it checks that the four registers came back, finishes the
 * computation, and checks the memory secret and the chain's value against
 * the same chain computed again in one go. It prints PASS only if all hold:
 *
 *   GUEST snapguest: snapshot taken, going on | saved, stopping | restored from a snapshot
 *   GUEST snapguest: PASS secret, registers and computation intact (restored copy)
 *
 * Answered KC_TEST_SNAPSHOT_STOP (the snapshot went to a file), it powers off
 * at once: the copy a later boot restores finishes the work. The secret
 * values never appear in its console output.
 */
#include <kcore/abi.h>
#include <kcore/guest_tests.h>

#include "lib/guest.h"

#define SNAP_STEPS   200000u
#define SECRET_WORDS 4u
#define MARKER_REGS  4u
#define MARKER_FIRST 19u /* x19 */

const char guest_name[] = "snapguest";

/*
 * Read at run time, so the compiler cannot fold the secret values into the
 * image: the image lies in host memory in clear, where the host's scan must
 * not find them.
 */
static volatile u64 secret_base = KC_TEST_SECRET_IPA;
static volatile u32 marker_first = MARKER_FIRST;

s64 snapguest_snapshot_call(const u64 markers[MARKER_REGS], u64 markers_out[MARKER_REGS]);

/* One step of Knuth's MMIX LCG, mixed with the step number so a skipped or repeated step shows. */
static u64 chain_step(u64 x, u64 i)
{
	return (x * 6364136223846793005ull + 1442695040888963407ull) ^ (i << 17);
}

static u64 chain_run(u64 x, u64 from, u64 to)
{
	for (u64 i = from; i < to; i++)
		x = chain_step(x, i);
	return x;
}

static bool secret_intact(void)
{
	for (u32 i = 0; i < SECRET_WORDS; i++) {
		u64 a = secret_base + 8ull * i;

		/* The value is never printed: only which word differs. */
		if (read64(a) != kc_test_secret_word(a)) {
			say("FAIL the secret's word %u (at 0x%lx) changed", i, a);
			return false;
		}
	}
	return true;
}

static bool markers_intact(const u64 *markers, const u64 *out)
{
	bool ok = true;

	for (u32 i = 0; i < MARKER_REGS; i++) {
		if (out[i] != markers[i]) {
			say("FAIL x%u changed across the snapshot call", MARKER_FIRST + i);
			ok = false;
		}
	}
	return ok;
}

/* What the answer means; false if the guest must stop here. */
static bool took_answer(s64 answer, const char **how)
{
	switch (answer) {
	case KC_TEST_SNAPSHOT_GO_ON:
		say("snapshot taken, going on");
		*how = "original";
		return true;
	case KC_TEST_SNAPSHOT_RESTORED:
		say("restored from a snapshot, going on");
		*how = "restored copy";
		return true;
	case KC_TEST_SNAPSHOT_STOP:
		say("snapshot saved by the host, stopping (a restored copy finishes the work)");
		return false;
	case KCORE_E_NOT_SUPPORTED:
		say("the host takes no snapshots, going on");
		*how = "no snapshot";
		return true;
	default:
		say("FAIL the host answered the snapshot call with %ld", answer);
		return false;
	}
}

void guest_main(u64 dtb)
{
	u64 markers[MARKER_REGS], out[MARKER_REGS], x, seed = read_cntvct() | 1;
	const char *how = "";
	bool ok;

	(void)dtb;
	for (u32 i = 0; i < SECRET_WORDS; i++)
		write64(secret_base + 8ull * i, kc_test_secret_word(secret_base + 8ull * i));
	for (u32 i = 0; i < MARKER_REGS; i++)
		markers[i] = kc_test_secret_reg(marker_first + i);
	say("secret written: %u bytes at 0x%llx, x%u..x%u; %u steps to compute", SECRET_WORDS * 8,
	    KC_TEST_SECRET_IPA, MARKER_FIRST, MARKER_FIRST + MARKER_REGS - 1, SNAP_STEPS);

	/* The seed differs from run to run: a restored copy must carry this run's. */
	x = chain_run(seed, 0, SNAP_STEPS / 2);
	if (!took_answer(snapguest_snapshot_call(markers, out), &how))
		return;
	ok = markers_intact(markers, out);
	x = chain_run(x, SNAP_STEPS / 2, SNAP_STEPS);
	ok &= secret_intact();
	if (x != chain_run(seed, 0, SNAP_STEPS)) {
		say("FAIL the computation's result differs from the same chain computed again");
		ok = false;
	}
	if (ok)
		say("PASS secret, registers and computation intact (%s)", how);
}
