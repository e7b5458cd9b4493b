/* SPDX-License-Identifier: MIT */
#include "hvc.h"

#include "el1/smccc.h"

s64 kcore_call(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct kcore_ret *ret)
{
	struct smccc_regs r = {{id, a1, a2, a3, a4, a5, 0, 0}};

	smccc_hvc(&r);
	if (ret != NULL) {
		ret->err = (s64)r.x[0];
		ret->x[0] = 0;
		for (u32 i = 1; i <= 5; i++)
			ret->x[i] = r.x[i];
	}
	return (s64)r.x[0];
}

const char *kcore_err_name(s64 err)
{
	switch (err) {
	case KCORE_OK:
		return "KCORE_OK";
	case KCORE_E_NOT_SUPPORTED:
		return "KCORE_E_NOT_SUPPORTED";
	case KCORE_E_INVAL:
		return "KCORE_E_INVAL";
	case KCORE_E_STATE:
		return "KCORE_E_STATE";
	case KCORE_E_PERM:
		return "KCORE_E_PERM";
	case KCORE_E_NOMEM:
		return "KCORE_E_NOMEM";
	case KCORE_E_BUSY:
		return "KCORE_E_BUSY";
	case KCORE_E_EXIST:
		return "KCORE_E_EXIST";
	case KCORE_E_VERIFY:
		return "KCORE_E_VERIFY";
	case KCORE_E_NOENT:
		return "KCORE_E_NOENT";
	case KCORE_E_AUTH:
		return "KCORE_E_AUTH";
	default:
		return "?";
	}
}
