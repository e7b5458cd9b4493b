/* SPDX-License-Identifier: MIT */
/*
 * The checks of guests that count them (ioshare, pkvmabi): each one said,
 * and a verdict line the QEMU scenarios look for.
 */
#include <kcore/guest_tests.h>

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

void fill_page(u8 *page, const char *msg, u32 mul, u32 add)
{
	u32 i;

	for (i = 0; msg[i] != '\0'; i++)
		page[i] = (u8)msg[i];
	for (; i < KCORE_PAGE_SIZE; i++)
		page[i] = (u8)(i * mul + add);
}

void expect_host_reads(const u8 *page)
{
	u64 sum = kc_test_checksum(page, KCORE_PAGE_SIZE);
	struct hvc_res r = hvc_call(KC_TEST_READ_SHARED, (u64)(uintptr_t)page, 0, 0);

	expect("the host reads the shared page", r.x0, 0);
	if (expect_ok(r.x0 == 0 && r.x1 == sum))
		say("the host's checksum 0x%lx matches", r.x1);
	else
		say("the host's checksum 0x%lx, mine 0x%lx", r.x1, sum);
}
