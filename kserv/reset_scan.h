/* SPDX-License-Identifier: MIT */
/*
 * reset-scan (issue 14, point 3): does a VM's secret survive a reset? In
 * the first boot kserv runs the payload and, once the VM named "secret" has
 * written its secret (its first checkpoint), calls PSCI SYSTEM_RESET. QEMU
 * keeps RAM across the reset and boots kcore and kserv again; a marker kserv
 * left in a page of its own says this is the second boot, and kserv reads
 * every RAM page it can for the secret's words (docs/kserv.md).
 */
#ifndef KSERV_RESET_SCAN_H
#define KSERV_RESET_SCAN_H

#include "guest.h"

/* At a guest's checkpoint n: resets the machine if reset-scan asked for it and g is the secret VM.
 */
void reset_scan_checkpoint(const struct guest *g, u64 n);

#endif /* KSERV_RESET_SCAN_H */
