/* SPDX-License-Identifier: MIT */
/*
 * kcore-vmm's snapshots (docs/linux-host.md, "Snapshots"): --snapshot-to
 * FILE saves the VM when its guest asks (KC_TEST_SNAPSHOT), --restore-from
 * FILE builds the VM from such a file. The file is kserv's format
 * (vmm/snapshot_format.h, docs/snapshots.md "The file format"): a header
 * with the VMM's own state of the VM (the emulated GIC, each vCPU's next
 * completion and whether it is started), then kcore's records and encrypted
 * data pages as KCORE_VM_IOC_SNAPSHOT gave them, which only kcore can read
 * or check.
 *
 * Taking one: the asking vCPU's thread (out of the ioctl, handling the
 * call) parks the others (hostvmm_pause), asks the module for the sizes,
 * takes the snapshot into buffers, writes the file, lets the others run on
 * and answers the guest KC_TEST_SNAPSHOT_STOP as kserv does for a file: the
 * guest powers off, a restored copy finishes its work. Restoring: the file
 * is mapped and its header checked before /dev/kcore is opened, then handed
 * to KCORE_VM_IOC_RESTORE straight from the mapping, before any vCPU runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <kcore/guest_tests.h>
#include <kcore/kcore_ioctl.h>
#include <kcore/snapshot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostvmm/hostvmm.h"
#include "vmm/backend.h"

_Static_assert(KCORE_SNAP_RECORD_BYTES == KCORE_SNAP_RECORD_SIZE, "the module's record size");
_Static_assert(KCORE_SNAP_PAGE_BYTES == VMM_PAGE_SIZE, "the module's data page size");
_Static_assert(GUEST_MAX_VCPUS <= SNAPSHOT_MAX_VCPUS, "a snapshot file holds every vCPU");

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "?";
}

/* ---- taking one ----------------------------------------------------------------------- */

static const char *snapshot_meaning(int err)
{
	switch (err) {
	case EBUSY:
		return "kcore takes no snapshot while the VM shares a page with the host (or a "
		       "vCPU is still in KCORE_VM_IOC_RUN)";
	case EOPNOTSUPP:
		return "this kcore takes no snapshots (no sealing key or no random numbers)";
	case ESHUTDOWN:
		return "the VM is off";
	case ENOMEM:
		return "no memory for the module's pages";
	default:
		return strerror(err);
	}
}

/* KCORE_VM_IOC_SNAPSHOT into fresh buffers (req's); false (said why) if it failed. */
static bool take(struct guest *g, struct kcore_snapshot *req)
{
	u64 bound;

	memset(req, 0, sizeof(*req));
	if (ioctl(g->host->vm_fd, KCORE_VM_IOC_SNAPSHOT, req) != 0)
		goto failed;
	bound = req->nr_pages;
	req->records_size = (bound + req->nr_vcpus + 2) * KCORE_SNAP_RECORD_BYTES;
	req->data_size = (bound + req->nr_vcpus) * KCORE_SNAP_PAGE_BYTES;
	req->records = (__u64)(uintptr_t)calloc(1, req->records_size);
	req->data = (__u64)(uintptr_t)malloc(req->data_size);
	if (req->records == 0 || req->data == 0) {
		vmm_log("VM %s: no memory for a snapshot of up to %llu pages", g->name,
			(unsigned long long)bound);
		return false;
	}
	if (ioctl(g->host->vm_fd, KCORE_VM_IOC_SNAPSHOT, req) == 0)
		return true;
failed:
	vmm_log("VM %s: KCORE_VM_IOC_SNAPSHOT: %s: %s", g->name, errno_name(errno),
		snapshot_meaning(errno));
	return false;
}

/* All of buf to fd (a kick's EINTR retried). */
static bool write_all(int fd, const void *buf, u64 size)
{
	const u8 *p = buf;

	while (size > 0) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		size -= (u64)n;
	}
	return true;
}

/* The file: header, records padded to whole pages, data pages (docs/snapshots.md). */
static bool save(struct guest *g, const struct kcore_snapshot *req, u32 asking)
{
	static struct snapshot s;
	static u8 header[VMM_SNAPFILE_HEADER_SIZE] __attribute__((aligned(8)));
	static const u8 zeros[VMM_PAGE_SIZE];
	u64 rec = (req->nr_pages + req->nr_vcpus + 2) * KCORE_SNAP_RECORD_BYTES;
	u64 pad = vmm_snapfile_records_size(req->nr_pages, req->nr_vcpus) - rec;
	const char *path = g->host->snapshot_to;
	char name[VMM_SNAPFILE_NAME_MAX] = {0};
	bool ok;
	int fd;

	memset(&s, 0, sizeof(s));
	s.nr_pages = req->nr_pages;
	s.nr_vcpus = req->nr_vcpus;
	s.asking_vcpu = asking;
	s.gic = g->gic;
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		const struct guest_vcpu *v = &g->vcpus[i];

		s.vcpus[i].started = (req->vcpus_on >> i) & 1u;
		s.vcpus[i].next_flags = v->next_flags;
		s.vcpus[i].next_mmio_value = v->next_mmio_value;
		memcpy(s.vcpus[i].next_call_ret, v->next_call_ret, sizeof(v->next_call_ret));
	}
	memset(header, 0, sizeof(header));
	snprintf(name, sizeof(name), "%s", g->name);
	vmm_snapfile_fill((struct vmm_snapfile_header *)header, name, &s);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		vmm_log("VM %s: %s: %s", g->name, path, strerror(errno));
		return false;
	}
	ok = write_all(fd, header, sizeof(header)) &&
	     write_all(fd, (const void *)(uintptr_t)req->records, rec) &&
	     write_all(fd, zeros, pad) &&
	     write_all(fd, (const void *)(uintptr_t)req->data,
		       (req->nr_pages + req->nr_vcpus) * KCORE_SNAP_PAGE_BYTES);
	if (!ok)
		vmm_log("VM %s: %s: %s", g->name, path, strerror(errno));
	if (close(fd) != 0 && ok) {
		vmm_log("VM %s: %s: %s", g->name, path, strerror(errno));
		ok = false;
	}
	if (ok)
		vmm_log("VM %s: snapshot saved to %s: %llu pages, %u vCPUs, %llu bytes", g->name,
			path, (unsigned long long)req->nr_pages, req->nr_vcpus,
			(unsigned long long)vmm_snapfile_total_size(req->nr_pages, req->nr_vcpus));
	return ok;
}

u64 hostvmm_snapshot_call(struct guest_vcpu *v)
{
	struct guest *g = v->g;
	struct kcore_snapshot req;
	bool ok;

	if (!hostvmm_pause(g, v)) {
		vmm_vm_fail(g, "it could not be paused for its snapshot");
		return KC_TEST_SNAPSHOT_GO_ON;
	}
	ok = take(g, &req) && save(g, &req, v->id);
	hostvmm_resume(g);
	free((void *)(uintptr_t)req.records);
	free((void *)(uintptr_t)req.data);
	if (!ok) {
		vmm_vm_fail(g, "its snapshot could not be taken or saved");
		return KC_TEST_SNAPSHOT_GO_ON;
	}
	return KC_TEST_SNAPSHOT_STOP;
}

/* ---- restoring ------------------------------------------------------------------------ */

int hostvmm_snapfile_load(const struct guest *g, const char *path, struct hostvmm_snapfile *f)
{
	struct stat st;
	const char *why;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(f, 0, sizeof(*f));
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "kcore-vmm: %s: %s\n", path, strerror(errno));
		return HOSTVMM_FILE;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "kcore-vmm: %s: not a regular file\n", path);
		close(fd);
		return HOSTVMM_FILE;
	}
	if (st.st_size < (off_t)VMM_SNAPFILE_HEADER_SIZE) {
		fprintf(stderr, "kcore-vmm: %s: the snapshot file is shorter than its header\n",
			path);
		close(fd);
		return HOSTVMM_KCORE;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, "kcore-vmm: %s: %s\n", path, strerror(errno));
		return HOSTVMM_FILE;
	}
	f->path = path;
	f->h = map;
	f->size = (u64)st.st_size;
	why = vmm_snapfile_check(f->h, g->nr_vcpus, g->lay.ram_size, (s64)st.st_size);
	if (why != NULL) {
		fprintf(stderr, "kcore-vmm: %s: the snapshot file has %s\n", path, why);
		munmap(map, f->size);
		f->h = NULL;
		return HOSTVMM_KCORE;
	}
	return HOSTVMM_OK;
}

static const char *restore_meaning(int err)
{
	switch (err) {
	case EBADMSG:
		return "kcore refused the snapshot: a record or page was changed, is out of "
		       "place, or is not this VM's (other images, RAM or vCPUs); the VM is "
		       "powered off";
	case ENOENT:
		return "kcore refused the snapshot: a page outside the VM's RAM; the VM is "
		       "powered off";
	case EINVAL:
		return "the module or kcore refused the request (the counts, or the VM is not "
		       "fresh)";
	case EOPNOTSUPP:
		return "this kcore restores no snapshots (no sealing key)";
	default:
		return strerror(err);
	}
}

/* The VMM's own state from the file, and the asking vCPU's call answered "restored". */
static void load_host_state(struct guest *g, const struct vmm_snapfile_header *h)
{
	static struct snapshot s;

	memset(&s, 0, sizeof(s));
	vmm_snapfile_apply(h, &s);
	g->gic = s.gic;
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct guest_vcpu *v = &g->vcpus[i];

		v->next_flags = s.vcpus[i].next_flags;
		v->next_mmio_value = s.vcpus[i].next_mmio_value;
		memcpy(v->next_call_ret, s.vcpus[i].next_call_ret, sizeof(v->next_call_ret));
		v->started = s.vcpus[i].started != 0;
	}
	g->vcpus[s.asking_vcpu].next_flags |= KC_RUN_CALL_DONE;
	g->vcpus[s.asking_vcpu].next_call_ret[0] = KC_TEST_SNAPSHOT_RESTORED;
	g->restored = true;
}

int hostvmm_restore(struct guest *g, struct hostvmm_snapfile *f)
{
	const struct vmm_snapfile_header *h = f->h;
	const u8 *base = (const u8 *)h;
	struct kcore_snapshot req = {
	    .records = (__u64)(uintptr_t)(base + VMM_SNAPFILE_HEADER_SIZE),
	    .records_size = h->records_size,
	    .data = (__u64)(uintptr_t)(base + VMM_SNAPFILE_HEADER_SIZE + h->records_size),
	    .data_size = (h->nr_pages + h->nr_vcpus) * VMM_PAGE_SIZE,
	    .nr_pages = h->nr_pages,
	    .nr_vcpus = h->nr_vcpus,
	};
	int status = HOSTVMM_OK;

	for (u32 i = 0; i < h->nr_vcpus; i++)
		req.vcpus_on |= (h->vcpus[i].started != 0 ? 1u : 0u) << i;
	if (ioctl(g->host->vm_fd, KCORE_VM_IOC_RESTORE, &req) != 0) {
		fprintf(stderr, "kcore-vmm: KCORE_VM_IOC_RESTORE: %s: %s\n", errno_name(errno),
			restore_meaning(errno));
		status = HOSTVMM_KCORE;
	} else {
		load_host_state(g, h);
		fprintf(stderr, "kcore-vmm: VM %s: restored from %s: %llu pages, %u vCPUs\n",
			g->name, f->path, (unsigned long long)h->nr_pages, h->nr_vcpus);
	}
	munmap((void *)(uintptr_t)f->h, f->size);
	f->h = NULL;
	return status;
}
