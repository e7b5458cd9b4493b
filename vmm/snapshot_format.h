/* SPDX-License-Identifier: MIT */
/*
 * The snapshot file's format (docs/snapshots.md, "Snapshot files"): a 4 KiB
 * header (below; the rest of its page zero), then kcore's records (rounded
 * up to whole pages), then the data pages: the VM's, then one per vCPU. The
 * header carries the host's own state of the VM, which kcore does not
 * protect (the records and pages are kcore's, sealed). Only the layout and
 * its checks here; reading and writing the file is the host's
 * (kserv/snapshot_file.c, through semihosting).
 */
#ifndef VMM_SNAPSHOT_FORMAT_H
#define VMM_SNAPSHOT_FORMAT_H

#include "snapshot_store.h"
#include "types.h"

#define VMM_SNAPFILE_MAGIC	 "KCSNAPF1"
/* 2: the whole emulated GIC in the header (version 1 had GICD_CTLR and GICR_WAKER only). */
#define VMM_SNAPFILE_VERSION	 2u
#define VMM_SNAPFILE_HEADER_SIZE VMM_PAGE_SIZE
#define VMM_SNAPFILE_NAME_MAX	 32u

struct vmm_snapfile_header {
	char magic[8];
	u32 version;
	u32 header_size;
	u64 nr_pages;
	u32 nr_vcpus;
	u32 asking_vcpu;
	u64 records_size;
	u64 total_size;
	char vm_name[VMM_SNAPFILE_NAME_MAX];
	struct vmm_gic gic; /* every register the host emulates (version 2 on) */
	struct snapshot_vcpu_host vcpus[SNAPSHOT_MAX_VCPUS];
};

_Static_assert(sizeof(struct vmm_snapfile_header) == 1296, "snapshot file header layout");

/* Bytes of the records, and of the whole file, for a snapshot of these counts. */
u64 vmm_snapfile_records_size(u64 nr_pages, u32 nr_vcpus);
u64 vmm_snapfile_total_size(u64 nr_pages, u32 nr_vcpus);

/* The header of s, a snapshot of the VM named name; h is zero beyond what this writes. */
void vmm_snapfile_fill(struct vmm_snapfile_header *h, const char name[VMM_SNAPFILE_NAME_MAX],
		       const struct snapshot *s);

/*
 * NULL if h is consistent and fits a VM of nr_vcpus vCPUs and ram_size bytes
 * of RAM, in a file of length bytes; otherwise what is wrong, to follow "the
 * snapshot file has ".
 */
const char *vmm_snapfile_check(const struct vmm_snapfile_header *h, u32 nr_vcpus, u64 ram_size,
			       s64 length);

/* The host's state from a header vmm_snapfile_check accepted into s (kcore's part aside). */
void vmm_snapfile_apply(const struct vmm_snapfile_header *h, struct snapshot *s);

#endif /* VMM_SNAPSHOT_FORMAT_H */
