/* SPDX-License-Identifier: MIT */
/*
 * ioshare: I/O through a shared page. The guest shares one page of its RAM
 * with the host (KC_GC_SHARE_PAGE), writes a message into it, and asks the
 * host to read it (KC_TEST_READ_SHARED): the host's checksum must match the
 * guest's. Then it unshares the page, after which the host must no longer be
 * able to read it. Along the way it checks kcore's answers to sharing twice
 * and unsharing twice (abi.md).
 */
#include <kcore/abi.h>
#include <kcore/guest_tests.h>

#include "lib/guest.h"

const char guest_name[] = "ioshare";

static u8 buffer[KCORE_PAGE_SIZE] __attribute__((aligned(KCORE_PAGE_SIZE)));

static void fill_buffer(void)
{
	static const char msg[] = "Hello, host! This page is shared by the ioshare guest.";
	u32 i;

	for (i = 0; i < sizeof(msg); i++)
		buffer[i] = (u8)msg[i];
	for (; i < sizeof(buffer); i++)
		buffer[i] = (u8)(i * 7 + 3);
}

void guest_main(u64 dtb)
{
	u64 ipa = (u64)(uintptr_t)buffer;
	struct hvc_res r;
	u64 sum;

	(void)dtb;
	say("sharing the page at IPA 0x%lx", ipa);
	expect("KC_GC_SHARE_PAGE", hvc_call(KC_GC_SHARE_PAGE, ipa, 0, 0).x0, KCORE_OK);
	expect("KC_GC_SHARE_PAGE again", hvc_call(KC_GC_SHARE_PAGE, ipa, 0, 0).x0, KCORE_E_EXIST);

	fill_buffer();
	sum = kc_test_checksum(buffer, sizeof(buffer));
	r = hvc_call(KC_TEST_READ_SHARED, ipa, 0, 0);
	expect("the host reads the shared page", r.x0, 0);
	if (expect_ok(r.x0 == 0 && r.x1 == sum)) {
		say("the host's checksum 0x%lx matches", r.x1);
	} else {
		say("the host's checksum 0x%lx, mine 0x%lx", r.x1, sum);
	}

	expect("KC_GC_UNSHARE_PAGE", hvc_call(KC_GC_UNSHARE_PAGE, ipa, 0, 0).x0, KCORE_OK);
	expect("KC_GC_UNSHARE_PAGE again", hvc_call(KC_GC_UNSHARE_PAGE, ipa, 0, 0).x0,
	       KCORE_E_STATE);
	expect("the host reads the page after unshare", hvc_call(KC_TEST_READ_SHARED, ipa, 0, 0).x0,
	       KCORE_E_INVAL);

	expect_verdict();
}
