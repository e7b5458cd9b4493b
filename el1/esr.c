/* SPDX-License-Identifier: MIT */
#include "esr.h"

#include "format.h"

const char *esr_ec_name(u32 ec)
{
	switch (ec) {
	case ESR_EC_UNKNOWN:
		return "unknown reason (undefined instruction)";
	case 0x01:
		return "trapped WFI/WFE";
	case 0x07:
		return "FP/SIMD access trap";
	case 0x0e:
		return "illegal execution state";
	case ESR_EC_SVC64:
		return "SVC";
	case ESR_EC_HVC64:
		return "HVC";
	case ESR_EC_SMC64:
		return "SMC";
	case 0x18:
		return "trapped system register access";
	case ESR_EC_IABT_LOW:
		return "instruction abort from a lower EL";
	case ESR_EC_IABT_CUR:
		return "instruction abort";
	case 0x22:
		return "PC alignment fault";
	case ESR_EC_DABT_LOW:
		return "data abort from a lower EL";
	case ESR_EC_DABT_CUR:
		return "data abort";
	case 0x26:
		return "SP alignment fault";
	case 0x2f:
		return "SError";
	case 0x31:
		return "breakpoint";
	case 0x33:
		return "software step";
	case 0x35:
		return "watchpoint";
	case 0x3c:
		return "BRK instruction";
	default:
		return "unrecognised exception class";
	}
}

/* The fault status codes that carry a translation level in their low two bits, by fsc >> 2. */
static const char *const leveled_fsc[] = {
    [0x00 >> 2] = "address size fault",
    [0x04 >> 2] = "translation fault",
    [0x08 >> 2] = "access flag fault",
    [0x0c >> 2] = "permission fault",
    [0x14 >> 2] = "synchronous external abort on table walk",
};

const char *esr_fsc_name(u32 fsc, char *buf, size_t size)
{
	u32 kind = (fsc & 0x3c) >> 2;

	if (kind < ARRAY_SIZE(leveled_fsc) && leveled_fsc[kind] != NULL) {
		format_buf(buf, size, "%s, level %u", leveled_fsc[kind], fsc & 3);
		return buf;
	}
	switch (fsc) {
	case 0x10:
		return "synchronous external abort";
	case 0x11:
		return "synchronous tag check fault";
	case 0x18:
		return "synchronous parity or ECC error";
	case 0x21:
		return "alignment fault";
	case 0x30:
		return "TLB conflict abort";
	case 0x31:
		return "unsupported atomic hardware update";
	default:
		format_buf(buf, size, "fault status 0x%02x", fsc);
		return buf;
	}
}

void esr_describe(u64 esr, char *buf, size_t size)
{
	u32 ec = esr_ec(esr);
	u32 iss = esr_iss(esr);
	char fsc[64];

	if (ec == ESR_EC_DABT_CUR || ec == ESR_EC_DABT_LOW) {
		const char *what = esr_fsc_name(esr_fsc(esr), fsc, sizeof(fsc));
		const char *dir = (iss & ESR_ISS_WNR) ? "write" : "read";

		if (iss & ESR_ISS_ISV)
			format_buf(buf, size, "%s, %s of %u bytes", what, dir,
				   1u << ((iss >> 22) & 3));
		else
			format_buf(buf, size, "%s, %s", what, dir);
	} else if (ec == ESR_EC_IABT_CUR || ec == ESR_EC_IABT_LOW) {
		format_buf(buf, size, "%s", esr_fsc_name(esr_fsc(esr), fsc, sizeof(fsc)));
	} else {
		format_buf(buf, size, "ISS=0x%x", iss);
	}
}
