/* SPDX-License-Identifier: MIT */
#include "snapshot_format.h"

#include <kcore/snapshot.h>
#include <string.h>

u64 vmm_snapfile_records_size(u64 nr_pages, u32 nr_vcpus)
{
	/* The header record, the pages', the vCPUs', the trailer. */
	return vmm_align_up((nr_pages + nr_vcpus + 2) * KCORE_SNAP_RECORD_SIZE, VMM_PAGE_SIZE);
}

u64 vmm_snapfile_total_size(u64 nr_pages, u32 nr_vcpus)
{
	return VMM_SNAPFILE_HEADER_SIZE + vmm_snapfile_records_size(nr_pages, nr_vcpus) +
	       (nr_pages + nr_vcpus) * VMM_PAGE_SIZE;
}

void vmm_snapfile_fill(struct vmm_snapfile_header *h, const char name[VMM_SNAPFILE_NAME_MAX],
		       const struct snapshot *s)
{
	memcpy(h->magic, VMM_SNAPFILE_MAGIC, sizeof(h->magic));
	h->version = VMM_SNAPFILE_VERSION;
	h->header_size = VMM_SNAPFILE_HEADER_SIZE;
	h->nr_pages = s->nr_pages;
	h->nr_vcpus = s->nr_vcpus;
	h->asking_vcpu = s->asking_vcpu;
	h->records_size = vmm_snapfile_records_size(s->nr_pages, s->nr_vcpus);
	h->total_size = vmm_snapfile_total_size(s->nr_pages, s->nr_vcpus);
	memcpy(h->vm_name, name, sizeof(h->vm_name));
	h->gic = s->gic;
	memcpy(h->vcpus, s->vcpus, sizeof(h->vcpus));
}

const char *vmm_snapfile_check(const struct vmm_snapfile_header *h, u32 nr_vcpus, u64 ram_size,
			       s64 length)
{
	if (memcmp(h->magic, VMM_SNAPFILE_MAGIC, sizeof(h->magic)) != 0)
		return "no " VMM_SNAPFILE_MAGIC " magic: not a kserv snapshot file";
	if (h->version == 1)
		return "version 1, from before the whole GIC state was saved: take it again";
	if (h->version != VMM_SNAPFILE_VERSION || h->header_size != VMM_SNAPFILE_HEADER_SIZE)
		return "an unknown version or header size";
	if (h->nr_vcpus != nr_vcpus)
		return "another number of vCPUs than the VM";
	if (h->nr_pages == 0 || h->nr_pages > ram_size / VMM_PAGE_SIZE)
		return "more pages than the VM's RAM holds, or none";
	if (h->asking_vcpu >= nr_vcpus)
		return "a vCPU that asked for it the VM does not have";
	/* nr_pages and nr_vcpus are bounded above: the sizes cannot wrap. */
	if (h->records_size != vmm_snapfile_records_size(h->nr_pages, h->nr_vcpus) ||
	    h->total_size != vmm_snapfile_total_size(h->nr_pages, h->nr_vcpus))
		return "sizes that do not match its counts";
	if (length < 0 || (u64)length != h->total_size)
		return "a length other than its header says";
	return NULL;
}

void vmm_snapfile_apply(const struct vmm_snapfile_header *h, struct snapshot *s)
{
	s->asking_vcpu = h->asking_vcpu;
	s->gic = h->gic;
	memcpy(s->vcpus, h->vcpus, sizeof(s->vcpus));
}
