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

void guest_main(u64 dtb)
{
	u64 ipa = (u64)(uintptr_t)buffer;

	(void)dtb;
	say("sharing the page at IPA 0x%lx", ipa);
	expect("KC_GC_SHARE_PAGE", hvc_call(KC_GC_SHARE_PAGE, ipa, 0, 0).x0, KCORE_OK);
	expect("KC_GC_SHARE_PAGE again", hvc_call(KC_GC_SHARE_PAGE, ipa, 0, 0).x0, KCORE_E_EXIST);

	fill_page(buffer, "Hello, host! This page is shared by the ioshare guest.", 7, 3);
	expect_host_reads(buffer);

	expect("KC_GC_UNSHARE_PAGE", hvc_call(KC_GC_UNSHARE_PAGE, ipa, 0, 0).x0, KCORE_OK);
	expect("KC_GC_UNSHARE_PAGE again", hvc_call(KC_GC_UNSHARE_PAGE, ipa, 0, 0).x0,
	       KCORE_E_STATE);
	expect("the host reads the page after unshare", hvc_call(KC_TEST_READ_SHARED, ipa, 0, 0).x0,
	       KCORE_E_INVAL);

	expect_verdict();
}
