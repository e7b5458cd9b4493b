/* SPDX-License-Identifier: MIT */
/*
 * The checks of guests that count them (ioshare, pkvmabi): each one said,
 * and a verdict line the QEMU scenarios look for.
 */
#include "guest.h"

static u32 checks, failed;

bool expect_ok(bool ok)
{
	checks++;
	if (!ok)
		failed++;
	return ok;
}

void expect(const char *what, s64 got, s64 want)
{
	if (expect_ok(got == want))
		say("%s: %ld, as expected", what, got);
	else
		say("%s: %ld, want %ld", what, got, want);
}

void expect_verdict(void)
{
	if (failed != 0)
		say("FAIL %u of %u checks", failed, checks);
	else
		say("PASS %u checks", checks);
}
