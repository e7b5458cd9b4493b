/* SPDX-License-Identifier: MIT */
#include "snapshot_file.h"

#include <kcore/snapshot.h>
#include <string.h>

#include "console.h"
#include "pages.h"
#include "semihost.h"
#include "snapshot.h"
#include "vmm/snapshot_format.h"

/* A name in the header is a guest's name. */
_Static_assert(VMM_SNAPFILE_NAME_MAX == GUEST_NAME_MAX, "the snapshot file's VM name");

static bool write_body(s64 fd, const struct snapshot *s)
{
	u64 rec_bytes = vmm_snapfile_records_size(s->nr_pages, s->nr_vcpus);

	if (!semihost_write(fd, (const void *)(uintptr_t)s->records_pa, rec_bytes))
		return false;
	for (u64 j = 0; j < s->nr_pages + s->nr_vcpus; j++) {
		if (!semihost_write(fd, (const void *)(uintptr_t)snapshot_data_pa(s, j),
				    KSERV_PAGE_SIZE))
			return false;
	}
	return true;
}

bool snapshot_file_save(const struct guest *g, const struct snapshot *s, const char *path)
{
	u64 hpa = page_alloc();
	s64 fd;
	bool ok;

	if (hpa == 0) {
		kprintf("kserv: VM %s: no host page for the snapshot file's header\n", g->name);
		return false;
	}
	vmm_snapfile_fill((struct vmm_snapfile_header *)(uintptr_t)hpa, g->name, s);
	fd = semihost_open(path, true);
	if (fd < 0) {
		kprintf("kserv: VM %s: cannot create the snapshot file %s (semihosting)\n", g->name,
			path);
		page_free_zeroed(hpa);
		return false;
	}
	ok = semihost_write(fd, (const void *)(uintptr_t)hpa, VMM_SNAPFILE_HEADER_SIZE) &&
	     write_body(fd, s);
	ok &= semihost_close(fd);
	page_free_zeroed(hpa);
	if (!ok)
		kprintf("kserv: VM %s: writing the snapshot file %s failed\n", g->name, path);
	else
		kprintf("kserv: VM %s: snapshot written to %s: %lu bytes\n", g->name, path,
			vmm_snapfile_total_size(s->nr_pages, s->nr_vcpus));
	return ok;
}

static bool read_body(s64 fd, struct snapshot *s)
{
	if (!semihost_read(fd, (void *)(uintptr_t)s->records_pa,
			   vmm_snapfile_records_size(s->nr_pages, s->nr_vcpus)))
		return false;
	for (u64 j = 0; j < s->nr_pages + s->nr_vcpus; j++) {
		if (!semihost_read(fd, (void *)(uintptr_t)snapshot_data_pa(s, j), KSERV_PAGE_SIZE))
			return false;
	}
	return true;
}

static bool load_open(const char *name, u32 nr_vcpus, const struct guest_layout *lay, s64 fd,
		      struct vmm_snapfile_header *h, struct snapshot *s)
{
	s64 length = semihost_file_length(fd);
	const char *why;

	if (length < (s64)VMM_SNAPFILE_HEADER_SIZE ||
	    !semihost_read(fd, h, VMM_SNAPFILE_HEADER_SIZE)) {
		kprintf("kserv: VM %s: the snapshot file is shorter than its header\n", name);
		return false;
	}
	why = vmm_snapfile_check(h, nr_vcpus, lay->ram_size, length);
	if (why != NULL) {
		kprintf("kserv: VM %s: the snapshot file has %s\n", name, why);
		return false;
	}
	if (!snapshot_alloc(s, h->nr_pages, h->nr_vcpus)) {
		kprintf("kserv: VM %s: no host memory for a snapshot of %lu pages\n", name,
			h->nr_pages);
		return false;
	}
	if (!read_body(fd, s)) {
		kprintf("kserv: VM %s: reading the snapshot file failed\n", name);
		snapshot_free(s);
		return false;
	}
	vmm_snapfile_apply(h, s);
	return true;
}

bool snapshot_file_load(const char *name, u32 nr_vcpus, const struct guest_layout *lay,
			const char *path, struct snapshot *s)
{
	u64 hpa = page_alloc();
	s64 fd;
	bool ok;

	memset(s, 0, sizeof(*s));
	if (hpa == 0) {
		kprintf("kserv: VM %s: no host page for the snapshot file's header\n", name);
		return false;
	}
	fd = semihost_open(path, false);
	if (fd < 0) {
		kprintf("kserv: VM %s: cannot open the snapshot file %s (semihosting)\n", name,
			path);
		page_free_zeroed(hpa);
		return false;
	}
	ok = load_open(name, nr_vcpus, lay, fd, (struct vmm_snapfile_header *)(uintptr_t)hpa, s);
	semihost_close(fd);
	page_free_zeroed(hpa);
	if (ok)
		kprintf("kserv: VM %s: snapshot read from %s: %lu pages, %u vCPUs\n", name, path,
			s->nr_pages, s->nr_vcpus);
	return ok;
}
