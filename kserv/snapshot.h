/* SPDX-License-Identifier: MIT */
/*
 * Encrypted snapshots of a running VM, the host's half (docs/snapshots.md,
 * docs/abi.md "Snapshots"). A guest asks with KC_TEST_SNAPSHOT; what kserv
 * then does is the VM's payload flags' choice:
 *
 * - SNAPSHOT_TO_FILE: take a snapshot, write it to the payload's snapshot_to
 *   file (semihosting) and answer STOP: the guest powers off;
 * - SNAPSHOT_RESTORE: take one, end the VM (no vCPU runs again), and once it
 *   is torn down (power-off, clear, free) restore the snapshot into a new VM
 *   built from the same images, which goes on from the call;
 * - SNAPSHOT_ATTACKS: as SNAPSHOT_RESTORE, after the attacks of
 *   snapshot_attacks.c on the snapshot;
 * - none: NOT_SUPPORTED.
 *
 * Taking one: the VM is paused (its other vCPUs kicked out of kcore and kept
 * out), then KC_HC_VM_SNAPSHOT_BEGIN, one SNAPSHOT_PAGE per page kserv gave
 * the VM (its gfn map) in increasing IPA order, one SNAPSHOT_VCPU per vCPU,
 * SNAPSHOT_END, and the VM is resumed. Restoring: a new VM with the same
 * images and vCPUs (vm_create), a page donated at every IPA the PAGE records
 * name that it has none at yet, then RESTORE_BEGIN, _PAGE..., _VCPU...,
 * _END. Markers:
 *
 *   KSERV: VM <name> snapshot taken: <n> pages, <m> vCPUs
 *   KSERV: VM <name> snapshot saved to the host file
 *   KSERV: VM <name> restored from a snapshot: <n> pages, <m> vCPUs
 *   KSERV: VM <name> failed: <why>   (guest_fail, as for anything else)
 */
#ifndef KSERV_SNAPSHOT_H
#define KSERV_SNAPSHOT_H

#include "guest.h"
#include "vmm/payload.h"

/* Ways a restore may deviate from the snapshot's order (the attacks'). */
struct restore_faults {
	bool replay_first_page; /* present page 0 twice */
	bool drop_last_page;	/* leave the last page out */
};

/* Where a restore stopped: the call kcore refused and its answer. */
struct restore_result {
	s64 err;	  /* KCORE_OK if the restore ended with RESTORE_END accepted */
	const char *call; /* "RESTORE_BEGIN", ...; NULL if no call was refused */
};

/* KC_TEST_SNAPSHOT from v (out of kcore): does what g's flags say; returns the guest's x0. */
u64 snapshot_asked(struct guest_vcpu *v);

/*
 * Called by the scheduler in place of KC_HC_VCPU_RUN's entry: false while g
 * is paused (the vCPU yields instead); after true, snapshot_left_run() once
 * the call returns.
 */
bool snapshot_may_run_counted(struct guest *g);

/*
 * Only a VM whose payload flags allow snapshots is ever paused (snapshot_asked
 * checks them, and they never change), so the others skip the count: this is
 * on every exit's path (the mmio_read benchmark).
 */
static inline bool snapshot_may_run(struct guest *g)
{
	return (g->flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_ANY) == 0 || snapshot_may_run_counted(g);
}

static inline void snapshot_left_run(struct guest *g)
{
	if ((g->flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_ANY) != 0)
		__atomic_sub_fetch(&g->in_run, 1, __ATOMIC_SEQ_CST);
}

/* Takes a snapshot of g (paused: no vCPU in kcore) into s; false (said why) if it cannot. */
bool snapshot_take(struct guest *g, struct snapshot *s);

/*
 * Restores s into g (created and verified, never run): donations, then the
 * RESTORE calls. Returns whether kcore accepted all of it; *res says where it
 * stopped. On success g's vCPUs get the snapshot's host state.
 */
bool snapshot_restore(struct guest *g, const struct snapshot *s, const struct restore_faults *f,
		      struct restore_result *res);

/* Host pages for a snapshot of nr_pages pages and nr_vcpus vCPUs; false if there are not enough. */
bool snapshot_alloc(struct snapshot *s, u64 nr_pages, u32 nr_vcpus);
/* Gives a snapshot's pages back to the host (zeroed). */
void snapshot_free(struct snapshot *s);

/* The host PA of record i / data page j of s. */
u64 snapshot_record_pa(const struct snapshot *s, u64 i);
u64 snapshot_data_pa(const struct snapshot *s, u64 j);
/* Sets data page j of s to pa (the attacks swap pages). */
void snapshot_set_data_pa(struct snapshot *s, u64 j, u64 pa);
/* Records in s: header, pages, vCPUs, trailer. */
static inline u64 snapshot_nr_records(const struct snapshot *s)
{
	return s->nr_pages + s->nr_vcpus + 2;
}

/*
 * A new guest made from payload record rec_index and restored from s; NULL
 * (said why, and counted failed) if that failed. Its vCPUs are not started.
 */
struct guest *snapshot_new_guest(const struct payload *p, u32 rec_index, const struct snapshot *s);

/* Starts the vCPUs of a restored guest that were running when the snapshot was taken. */
void snapshot_start_vcpus(struct guest *g);

/* The scheduler tore g down: if a restore of its snapshot is pending, makes and starts it. */
void snapshot_after_teardown(struct guest *g);

#endif /* KSERV_SNAPSHOT_H */
