/* SPDX-License-Identifier: MIT */
/* PSCI: calls to the firmware, and the host's PSCI calls that kcore mediates. */
#ifndef KCORE_AARCH64_PSCI_H
#define KCORE_AARCH64_PSCI_H

#include "percpu.h"

#define PSCI_VERSION		  0x84000000u
#define PSCI_CPU_SUSPEND_32	  0x84000001u
#define PSCI_CPU_SUSPEND_64	  0xc4000001u
#define PSCI_CPU_OFF		  0x84000002u
#define PSCI_CPU_ON_32		  0x84000003u
#define PSCI_CPU_ON_64		  0xc4000003u
#define PSCI_AFFINITY_INFO_32	  0x84000004u
#define PSCI_AFFINITY_INFO_64	  0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE	  0x84000006u
#define PSCI_SYSTEM_OFF		  0x84000008u
#define PSCI_SYSTEM_RESET	  0x84000009u
#define PSCI_FEATURES		  0x8400000au
#define PSCI_SYSTEM_RESET2_32	  0x84000012u
#define PSCI_SYSTEM_RESET2_64	  0xc4000012u
#define PSCI_MEM_PROTECT	  0x84000013u
#define PSCI_MEM_PROTECT_RANGE_32 0x84000014u
#define PSCI_MEM_PROTECT_RANGE_64 0xc4000014u

#define PSCI_RET_NOT_SUPPORTED	(-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_ALREADY_ON	(-4)

/* An SMC to the firmware (QEMU's built-in PSCI). */
u64 firmware_call(u64 fn, u64 a1, u64 a2, u64 a3);

bool is_psci_call(u64 fn);

/* Handles the host's PSCI call in frame (x0 = function id); result in x0. */
void psci_host_call(struct trap_frame *frame);

#endif /* KCORE_AARCH64_PSCI_H */
