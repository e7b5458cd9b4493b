/* SPDX-License-Identifier: MIT */
#include "io_faults.h"

#include <kcore/abi.h>

#include "kserv/format.h"
#include "kserv/hvc.h"

/* The SMMUv3 name of a KC_IO_FAULT_* event type. */
static const char *io_fault_name(u64 type)
{
	switch (type) {
	case KC_IO_FAULT_C_BAD_STREAMID:
		return "C_BAD_STREAMID";
	case KC_IO_FAULT_C_BAD_STE:
		return "C_BAD_STE";
	case KC_IO_FAULT_F_WALK_EABT:
		return "F_WALK_EABT";
	case KC_IO_FAULT_F_TRANSLATION:
		return "F_TRANSLATION";
	case KC_IO_FAULT_F_ADDR_SIZE:
		return "F_ADDR_SIZE";
	case KC_IO_FAULT_F_ACCESS:
		return "F_ACCESS";
	case KC_IO_FAULT_F_PERMISSION:
		return "F_PERMISSION";
	default:
		return "other";
	}
}

static const char *access_name(u64 access)
{
	return access == KC_IO_FAULT_ACCESS_READ    ? "read"
	       : access == KC_IO_FAULT_ACCESS_WRITE ? "write"
						    : "no address";
}

/*
 * The refused transfer's trace in kcore's fault queue: at least one fault,
 * and every fault queued of the edu's stream, of this kind and direction,
 * inside [addr, addr + len) (the SMMU records each refused transaction: QEMU
 * one per 4 bytes). For a blocked stream (C_BAD_STE) addr is 0: its events
 * carry none. Drains the queue; describes what it found in detail.
 */
bool io_faults_expect(u32 sid, u64 type, u64 addr, u32 len, u64 access, char *detail, size_t size)
{
	struct kcore_ret f, first = {0};
	u32 n = 0, wrong = 0;

	while (kcore_call0(KC_HC_IO_FAULT_POP, &f) == KCORE_OK) {
		bool inside = type == KC_IO_FAULT_C_BAD_STE ? f.x[2] == 0
							    : f.x[2] >= addr && f.x[2] - addr < len;

		if (n++ == 0)
			first = f;
		if (f.x[1] != sid || f.x[3] != type || f.x[4] != access || !inside)
			wrong++;
	}
	if (n == 0) {
		format_buf(detail, size, "no fault recorded");
		return false;
	}
	format_buf(detail, size, "%u faults, the first %s, stream 0x%lx, address 0x%lx, %s%s", n,
		   io_fault_name(first.x[3]), first.x[1], first.x[2], access_name(first.x[4]),
		   wrong == 0 ? "" : "; some not of this transfer");
	return wrong == 0;
}
