/* SPDX-License-Identifier: MIT */
#include "snapshot_file.h"

#include <kcore/snapshot.h>
#include <string.h>

#include "console.h"
#include "pages.h"
#include "semihost.h"
#include "snapshot.h"

#define FILE_MAGIC	 "KCSNAPF1"
#define FILE_VERSION	 1u
#define FILE_HEADER_SIZE KSERV_PAGE_SIZE

/* The file's first 4 KiB (docs/snapshots.md); the rest of that page is zero. */
struct snapshot_file_header {
	char magic[8];
	u32 version;
	u32 header_size;
	u64 nr_pages;
	u32 nr_vcpus;
	u32 asking_vcpu;
	u64 records_size;
	u64 total_size;
	char vm_name[GUEST_NAME_MAX];
	u32 gicd_ctlr;
	u32 gicr_waker[SNAPSHOT_MAX_VCPUS];
	u32 reserved;
	struct snapshot_vcpu_host vcpus[SNAPSHOT_MAX_VCPUS];
};

_Static_assert(sizeof(struct snapshot_file_header) == 568, "snapshot file header layout");

static u64 records_size(u64 nr_pages, u32 nr_vcpus)
{
	return align_up((nr_pages + nr_vcpus + 2) * KCORE_SNAP_RECORD_SIZE, KSERV_PAGE_SIZE);
}

static u64 total_size(u64 nr_pages, u32 nr_vcpus)
{
	return FILE_HEADER_SIZE + records_size(nr_pages, nr_vcpus) +
	       (nr_pages + nr_vcpus) * KSERV_PAGE_SIZE;
}

static void fill_header(struct snapshot_file_header *h, const char *name, const struct snapshot *s)
{
	memcpy(h->magic, FILE_MAGIC, sizeof(h->magic));
	h->version = FILE_VERSION;
	h->header_size = FILE_HEADER_SIZE;
	h->nr_pages = s->nr_pages;
	h->nr_vcpus = s->nr_vcpus;
	h->asking_vcpu = s->asking_vcpu;
	h->records_size = records_size(s->nr_pages, s->nr_vcpus);
	h->total_size = total_size(s->nr_pages, s->nr_vcpus);
	memcpy(h->vm_name, name, sizeof(h->vm_name));
	h->gicd_ctlr = s->gicd_ctlr;
	memcpy(h->gicr_waker, s->gicr_waker, sizeof(h->gicr_waker));
	memcpy(h->vcpus, s->vcpus, sizeof(h->vcpus));
}

static bool write_body(s64 fd, const struct snapshot *s)
{
	u64 rec_bytes = records_size(s->nr_pages, s->nr_vcpus);

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
	fill_header((struct snapshot_file_header *)(uintptr_t)hpa, g->name, s);
	fd = semihost_open(path, true);
	if (fd < 0) {
		kprintf("kserv: VM %s: cannot create the snapshot file %s (semihosting)\n", g->name,
			path);
		page_free_zeroed(hpa);
		return false;
	}
	ok =
	    semihost_write(fd, (const void *)(uintptr_t)hpa, FILE_HEADER_SIZE) && write_body(fd, s);
	ok &= semihost_close(fd);
	page_free_zeroed(hpa);
	if (!ok)
		kprintf("kserv: VM %s: writing the snapshot file %s failed\n", g->name, path);
	else
		kprintf("kserv: VM %s: snapshot written to %s: %lu bytes\n", g->name, path,
			total_size(s->nr_pages, s->nr_vcpus));
	return ok;
}

/* The header's own consistency, and that it fits this VM; says what does not. */
static bool header_ok(const struct snapshot_file_header *h, const char *name, u32 nr_vcpus,
		      const struct guest_layout *lay, s64 length)
{
	const char *why = NULL;

	if (memcmp(h->magic, FILE_MAGIC, sizeof(h->magic)) != 0)
		why = "no " FILE_MAGIC " magic: not a kserv snapshot file";
	else if (h->version != FILE_VERSION || h->header_size != FILE_HEADER_SIZE)
		why = "an unknown version or header size";
	else if (h->nr_vcpus != nr_vcpus)
		why = "another number of vCPUs than the VM";
	else if (h->nr_pages == 0 || h->nr_pages > lay->ram_size / KSERV_PAGE_SIZE)
		why = "more pages than the VM's RAM holds, or none";
	else if (h->asking_vcpu >= nr_vcpus)
		why = "a vCPU that asked for it the VM does not have";
	else if (h->records_size != records_size(h->nr_pages, h->nr_vcpus) ||
		 h->total_size != total_size(h->nr_pages, h->nr_vcpus))
		why = "sizes that do not match its counts";
	else if ((u64)length != h->total_size)
		why = "a length other than its header says";
	if (why == NULL)
		return true;
	kprintf("kserv: VM %s: the snapshot file has %s\n", name, why);
	return false;
}

static bool read_body(s64 fd, struct snapshot *s)
{
	if (!semihost_read(fd, (void *)(uintptr_t)s->records_pa,
			   records_size(s->nr_pages, s->nr_vcpus)))
		return false;
	for (u64 j = 0; j < s->nr_pages + s->nr_vcpus; j++) {
		if (!semihost_read(fd, (void *)(uintptr_t)snapshot_data_pa(s, j), KSERV_PAGE_SIZE))
			return false;
	}
	return true;
}

static bool load_open(const char *name, u32 nr_vcpus, const struct guest_layout *lay, s64 fd,
		      struct snapshot_file_header *h, struct snapshot *s)
{
	s64 length = semihost_file_length(fd);

	if (length < (s64)FILE_HEADER_SIZE || !semihost_read(fd, h, FILE_HEADER_SIZE)) {
		kprintf("kserv: VM %s: the snapshot file is shorter than its header\n", name);
		return false;
	}
	if (!header_ok(h, name, nr_vcpus, lay, length))
		return false;
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
	s->asking_vcpu = h->asking_vcpu;
	s->gicd_ctlr = h->gicd_ctlr;
	memcpy(s->gicr_waker, h->gicr_waker, sizeof(s->gicr_waker));
	memcpy(s->vcpus, h->vcpus, sizeof(s->vcpus));
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
	ok = load_open(name, nr_vcpus, lay, fd, (struct snapshot_file_header *)(uintptr_t)hpa, s);
	semihost_close(fd);
	page_free_zeroed(hpa);
	if (ok)
		kprintf("kserv: VM %s: snapshot read from %s: %lu pages, %u vCPUs\n", name, path,
			s->nr_pages, s->nr_vcpus);
	return ok;
}
