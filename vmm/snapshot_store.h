/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of a VM as the host holds it (docs/snapshots.md): kcore's
 * records and encrypted data pages, in host pages the host allocated (their
 * host addresses: physical in kserv), and the host's own state of the VM
 * (what its vCPUs' next runs complete, its emulated GIC). kcore's part is
 * opaque to the host except the records' clear fields (a PAGE record's IPA);
 * the host's part is the host's anyway, so it is not protected.
 *
 * Record i lies at records_pa + i * 128: 0 the header, 1..nr_pages the
 * pages, then one per vCPU, then the trailer. Data page j's PA is entry j of
 * the array at data_list_pa: the pages', then the vCPUs'.
 */
#ifndef VMM_SNAPSHOT_STORE_H
#define VMM_SNAPSHOT_STORE_H

#include "types.h"
#include "vgic.h"

#define SNAPSHOT_MAX_VCPUS 8u

/* The host's state of one vCPU: whether it runs, and what its next run completes. */
struct snapshot_vcpu_host {
	u32 started;
	u32 reserved;
	u64 next_flags;
	u64 next_mmio_value;
	u64 next_call_ret[4];
};

struct snapshot {
	u64 nr_pages;	 /* PAGE records */
	u32 nr_vcpus;	 /* VCPU records */
	u32 asking_vcpu; /* the vCPU whose KC_TEST_SNAPSHOT call it was taken at */
	u64 records_pa;	 /* a run of records_pages host pages */
	u64 records_pages;
	u64 data_list_pa; /* a run of data_list_pages host pages of u64 PAs */
	u64 data_list_pages;
	struct vmm_gic gic; /* the host's emulated GIC (vgic.h) */
	struct snapshot_vcpu_host vcpus[SNAPSHOT_MAX_VCPUS];
};

#endif /* VMM_SNAPSHOT_STORE_H */
