/* SPDX-License-Identifier: MIT */
/*
 * Files on the machine that runs QEMU, through Arm semihosting: HLT #0xF000
 * with the operation in w0 and a parameter block's address in x1 (the
 * "Semihosting for AArch32 and AArch64" specification). QEMU implements it
 * when started with -semihosting-config enable=on,target=native: it catches
 * the instruction as it translates it, so it works from EL1 below kcore's
 * EL2 (the parameter block and buffers are read through kserv's own
 * translation, stage 2 included). Without semihosting, HLT is an undefined
 * instruction and kserv stops, so callers only use these functions when the
 * payload says QEMU was started with it (tools/kcore-run does).
 *
 * kserv uses it for snapshots only (snapshot_file.c): what it writes is
 * kcore's ciphertext and records, never a VM's memory in clear.
 */
#ifndef KSERV_SEMIHOST_H
#define KSERV_SEMIHOST_H

#include "types.h"

/* Opens path for reading ("rb") or for writing, truncated ("wb"); a handle, or -1. */
s64 semihost_open(const char *path, bool write);
/* Writes len bytes; true if all were written. */
bool semihost_write(s64 handle, const void *buf, u64 len);
/* Reads exactly len bytes; false if the file ended before or the read failed. */
bool semihost_read(s64 handle, void *buf, u64 len);
/* The file's length in bytes, or -1. */
s64 semihost_file_length(s64 handle);
/* True if the handle closed cleanly (for a written file: its data reached the host). */
bool semihost_close(s64 handle);

#endif /* KSERV_SEMIHOST_H */
