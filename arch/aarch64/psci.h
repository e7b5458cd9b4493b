/* SPDX-License-Identifier: MIT */
/* PSCI: calls to the firmware, and the host's PSCI calls that kcore mediates. */
#ifndef KCORE_AARCH64_PSCI_H
#define KCORE_AARCH64_PSCI_H

#include <kcore/psci.h>

#include "percpu.h"

/* An SMC to the firmware (QEMU's built-in PSCI). */
u64 firmware_call(u64 fn, u64 a1, u64 a2, u64 a3);

/* A PSCI call, or an SMCCC Arm Architecture Service call (SMCCC_VERSION, ARCH_FEATURES...). */
bool is_psci_or_smccc_call(u64 fn);

/* Handles the host's PSCI or SMCCC architecture call in frame (x0 = function id); result in x0. */
void psci_host_call(struct trap_frame *frame);

#endif /* KCORE_AARCH64_PSCI_H */
