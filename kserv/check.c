/* SPDX-License-Identifier: MIT */
#include "check.h"

#include "console.h"
#include "hvc.h"

enum check_result check_invariants(void)
{
	struct kcore_ret r;
	s64 err;

	err = kcore_call0(KC_HC_CHECK_INVARIANTS, &r);
	if (err == KCORE_OK && r.x[1] == 0) {
		kprintf("INVARIANTS: OK\n");
		return CHECK_OK;
	}
	if (err == KCORE_OK)
		kprintf("INVARIANTS: %lu violations\n", r.x[1]);
	else
		kprintf("INVARIANTS: not checked: KC_HC_CHECK_INVARIANTS returned %s (%ld)\n",
			kcore_err_name(err), err);
	return err == KCORE_E_NOT_SUPPORTED ? CHECK_ABSENT : CHECK_FAILED;
}
