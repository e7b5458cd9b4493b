/* SPDX-License-Identifier: MIT */
/* kcore's queue of DMA faults (KC_HC_IO_FAULT_POP) as kserv's DMA tests read it. */
#ifndef KSERV_IO_FAULTS_H
#define KSERV_IO_FAULTS_H

#include "kserv/types.h"

/*
 * The trace a refused transfer of len bytes at addr left: at least one
 * fault, and every fault queued of stream sid, of this type and access,
 * inside [addr, addr + len) (the SMMU records each refused transaction:
 * QEMU one per 4 bytes). A blocked stream's faults (C_BAD_STE) carry no
 * address: addr is 0 then. Drains the queue; says what it found in detail.
 */
bool io_faults_expect(u32 sid, u64 type, u64 addr, u32 len, u64 access, char *detail, size_t size);

#endif /* KSERV_IO_FAULTS_H */
