/* SPDX-License-Identifier: MIT */
/*
 * What taking and restoring a snapshot share (the seeds' save_encrypt_buf /
 * load_decrypt_buf, done with authenticated encryption): building and
 * checking records, sealing and opening them with the open snapshot's key,
 * the host pages they travel in, and counting a VM's pages. Callers hold
 * vm->lock; the host-page helpers take mem_lock (core/lock_order.h).
 */
#ifndef KCORE_SNAPSHOT_RECORD_H
#define KCORE_SNAPSHOT_RECORD_H

#include <kcore/snapshot.h>

#include "core/vm/vm.h"

/*
 * The words a VCPU blob keeps for the arch's struct arch_vcpu (its layout is
 * arch_vcpu_state_format's); the words after it are zero.
 */
#define SNAP_VCPU_ARCH_WORDS 196u

/* The plaintext of a VCPU blob: everything a vCPU needs to go on where it stopped. */
struct snap_vcpu_state {
	u64 entry_pc;
	u64 entry_x0;
	u64 flags; /* SNAP_VCPU_* */
	u64 pending;
	u64 mmio_rt;
	u64 mmio_size;
	struct vcpu_regs regs;
	u64 arch[SNAP_VCPU_ARCH_WORDS];
	u64 virq_pending[VIRQ_WORDS];
	u64 ppi_enabled; /* the guest's PPI enables (struct vcpu) */
};

#define SNAP_VCPU_ENTRY_SET	   (1ull << 0)
#define SNAP_VCPU_HAS_RUN	   (1ull << 1)
#define SNAP_VCPU_MMIO_WRITE	   (1ull << 2)
#define SNAP_VCPU_MMIO_SIGN_EXTEND (1ull << 3)
#define SNAP_VCPU_MMIO_REG64	   (1ull << 4)
/* Bits 8..15: vcpu->mmio.gic_read (the open MMIO read is one kcore adds GIC state to). */
#define SNAP_VCPU_GIC_READ_SHIFT   8

_Static_assert(sizeof(struct snap_vcpu_state) <= KCORE_SNAP_VCPU_BYTES, "vcpu blob size");
_Static_assert(sizeof(struct arch_vcpu) <= sizeof(((struct snap_vcpu_state *)0)->arch),
	       "the arch's vCPU state fits its words of the blob");

/*
 * The VM, locked, if its open snapshot or restore is `phase`; else a token
 * naming no VM (.vm NULL) and *err (INVAL, STATE).
 */
struct vm_locked snap_lock_vm(u64 vmid, enum snap_phase phase, int *err);

/*
 * SNAPSHOT_BEGIN and RESTORE_BEGIN: kcore can seal (else NOT_SUPPORTED), the
 * VM id and record address are good (else INVAL), the VM is verified with
 * nothing open (else STATE): the VM, locked; else .vm NULL and *err.
 */
struct vm_locked snap_lock_for_begin(u64 vmid, u64 record_pa, int *err);

/* Scratch for one page of the VM's, kcore's alone; only under its lock. */
u8 *snap_scratch(struct vm_locked locked);
/* Zeroes every VM's scratch page (before a reset): a page there may be in clear. */
void snap_scratch_wipe(void);

/* A record of vm's open snapshot, every field set but the tag. */
void snap_record_init(struct kcore_snap_record *r, const struct vm *vm, u32 kind, u64 index,
		      u64 ipa);

/* Encrypts data (len may be 0) in place and sets r's tag over r and the ciphertext. */
void snap_seal(const struct vm *vm, struct kcore_snap_record *r, void *data, size_t len);

/*
 * True if r is well formed (magic, format, reserved zero), of this kind,
 * of vm's open snapshot, and its tag authenticates it and data, which is then
 * decrypted in place. Nothing about r is trusted before this returns true.
 */
bool snap_open(const struct vm *vm, const struct kcore_snap_record *r, u32 kind, void *data,
	       size_t len);

/* Where a record may go: 128-byte aligned RAM below 2^48 (else KCORE_E_INVAL). */
int snap_check_record_pa(u64 pa);
/* Where a data page may go: page aligned RAM below 2^48, not the record's page. */
int snap_check_data_pa(u64 data_pa, u64 record_pa);

/*
 * Writes a data page (data may be NULL: none) and a record to the host's
 * pages, or neither: KCORE_E_PERM if either page is not the host's.
 */
int snap_write_host(u64 data_pa, const void *data, u64 record_pa,
		    const struct kcore_snap_record *rec);
/* Is the page of pa the host's (at this moment; a copy checks again)? */
bool snap_host_page(u64 pa);
/* Copies len bytes (whole words) from a host page; KCORE_E_PERM if it is not the host's. */
int snap_read_host(u64 pa, void *dst, size_t len);

/* How many 4 KiB RAM pages vm's stage-2 maps, and how many of them it shares with the host. */
void snap_count_vm_pages(const struct vm *vm, u64 *nr_pages, u64 *nr_shared);

/* Bit n for every registered vCPU n. */
u64 snap_vcpu_mask(const struct vm *vm);

#endif /* KCORE_SNAPSHOT_RECORD_H */
