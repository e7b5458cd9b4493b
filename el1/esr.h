/* SPDX-License-Identifier: MIT */
/* ESR_EL1 fields, and words for them in reports. */
#ifndef EL1_ESR_H
#define EL1_ESR_H

#include "types.h"

#define ESR_EC_UNKNOWN	0x00
#define ESR_EC_SVC64	0x15
#define ESR_EC_HVC64	0x16
#define ESR_EC_SMC64	0x17
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25

#define ESR_ISS_WNR (1u << 6)  /* data abort: write, not read */
#define ESR_ISS_ISV (1u << 24) /* data abort: size and register fields valid */

static inline u32 esr_ec(u64 esr)
{
	return (u32)(esr >> 26) & 0x3f;
}

static inline u32 esr_iss(u64 esr)
{
	return (u32)esr & 0x1ffffff;
}

static inline u32 esr_fsc(u64 esr)
{
	return (u32)esr & 0x3f;
}

static inline bool esr_is_abort(u64 esr)
{
	u32 ec = esr_ec(esr);

	return ec == ESR_EC_IABT_LOW || ec == ESR_EC_IABT_CUR || ec == ESR_EC_DABT_LOW ||
	       ec == ESR_EC_DABT_CUR;
}

/* "data abort", "unknown reason (undefined instruction)", ... */
const char *esr_ec_name(u32 ec);
/* The fault status code of an instruction or data abort: "synchronous external abort", ... */
const char *esr_fsc_name(u32 fsc, char *buf, size_t size);
/* One phrase about the ISS: "(synchronous external abort, write)" for aborts. */
void esr_describe(u64 esr, char *buf, size_t size);

#endif /* EL1_ESR_H */
