/* SPDX-License-Identifier: MIT */
/*
 * Encrypted snapshots of a VM (the seeds' save_encrypted_vcpu,
 * load_encrypted_vcpu, save_encrypt_buf and load_decrypt_buf; docs/abi.md,
 * "Snapshots"): taking one (export.c) writes the VM's pages and vCPUs,
 * sealed, into host pages; restoring one (restore.c) authenticates and
 * decrypts them into a new VM that has not run. Host calls: every argument
 * raw from its register, all checked before anything changes.
 */
#ifndef KCORE_SNAPSHOT_SNAPSHOT_H
#define KCORE_SNAPSHOT_SNAPSHOT_H

#include "core/lib/types.h"

int snapshot_begin(u64 vmid, u64 record_pa);
int snapshot_page(u64 vmid, u64 ipa, u64 data_pa, u64 record_pa);
int snapshot_vcpu(u64 vmid, u64 vcpuid, u64 data_pa, u64 record_pa);
int snapshot_end(u64 vmid, u64 record_pa);
int snapshot_cancel(u64 vmid);

int restore_begin(u64 vmid, u64 record_pa);
int restore_page(u64 vmid, u64 data_pa, u64 record_pa);
int restore_vcpu(u64 vmid, u64 data_pa, u64 record_pa);
int restore_end(u64 vmid, u64 record_pa);

#endif /* KCORE_SNAPSHOT_SNAPSHOT_H */
