/* SPDX-License-Identifier: MIT */
#include "payload.h"

#include <kcore/abi.h>
#include <kcore/image.h>
#include <string.h>

#include "console.h"
#include "probe.h"

#define HEADERS_END(n) \
	(sizeof(struct kcore_payload_hdr) + (u64)(n) * sizeof(struct kcore_payload_vm))

_Static_assert(sizeof(struct kcore_payload_hdr) == 64, "payload header layout");
_Static_assert(sizeof(struct kcore_payload_vm) % 8 == 0, "payload VM record layout");

/* A name that can stand in a marker line: letters, digits, '.', '_', '-'. */
static bool name_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0 || n == max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return true;
}

static bool file_ok(const struct payload *p, u32 i, const char *what,
		    const struct kcore_payload_file *f, bool optional)
{
	const char *name = p->vms[i].name;

	if (f->offset == 0 && optional) {
		if (f->size == 0)
			return true;
		kprintf("kserv: payload: VM %s: %s has size %lu but no offset\n", name, what,
			f->size);
		return false;
	}
	if (f->offset == 0) {
		kprintf("kserv: payload: VM %s: no %s\n", name, what);
		return false;
	}
	if ((f->offset & (KSERV_PAGE_SIZE - 1)) != 0 || f->offset < HEADERS_END(p->nr_vms)) {
		kprintf("kserv: payload: VM %s: %s offset 0x%lx is not 4 KiB aligned after the "
			"headers\n",
			name, what, f->offset);
		return false;
	}
	if (f->size <= KCORE_IMG_TRAILER_SIZE || f->offset > p->size ||
	    f->size > p->size - f->offset) {
		kprintf("kserv: payload: VM %s: %s at 0x%lx, %lu bytes: not a signed file inside "
			"the %lu-byte payload\n",
			name, what, f->offset, f->size, p->size);
		return false;
	}
	return true;
}

static bool vm_ok(struct payload *p, u32 i)
{
	const struct kcore_payload_vm *v = &p->vms[i];

	if (!name_ok(v->name, sizeof(v->name))) {
		kprintf("kserv: payload: VM %u: name must be 1..%zu of [A-Za-z0-9._-], "
			"NUL-terminated\n",
			i, sizeof(v->name) - 1);
		return false;
	}
	for (u32 j = 0; j < i; j++) {
		if (strcmp(p->vms[j].name, v->name) == 0) {
			kprintf("kserv: payload: VM %s: the name is used twice\n", v->name);
			return false;
		}
	}
	if (v->nr_vcpus < 1 || v->nr_vcpus > 8) {
		kprintf("kserv: payload: VM %s: %u vCPUs (1..8)\n", v->name, v->nr_vcpus);
		return false;
	}
	if ((v->flags & ~KCORE_PAYLOAD_VM_FLAGS) != 0) {
		kprintf("kserv: payload: VM %s: unknown flags 0x%x\n", v->name, v->flags);
		return false;
	}
	if (v->mem_size == 0 || (v->mem_size & (KCORE_BLOCK_SIZE - 1)) != 0 ||
	    v->mem_size > GUEST_MAX_MEM) {
		kprintf("kserv: payload: VM %s: RAM size 0x%lx is not a multiple of 2 MiB up to "
			"%lu GiB\n",
			v->name, v->mem_size, GUEST_MAX_MEM >> 30);
		return false;
	}
	if (!text_ok(v->cmdline, sizeof(v->cmdline))) {
		kprintf("kserv: payload: VM %s: the command line is not printable text "
			"NUL-terminated within %zu bytes\n",
			v->name, sizeof(v->cmdline));
		return false;
	}
	if (!file_ok(p, i, "image", &v->image, false) || !file_ok(p, i, "initrd", &v->initrd, true))
		return false;
	return guest_layout_compute(v->name, v->mem_size, payload_file(p, &v->image), v->image.size,
				    v->initrd.offset != 0 ? v->initrd.size : 0, &p->layout[i]);
}

/* A snapshot file's path: absent, or size printable bytes inside the payload and a NUL. */
static bool path_ok(const struct payload *p, const char *what, const struct kcore_payload_file *f,
		    const char **out)
{
	const char *s;

	*out = NULL;
	if (f->offset == 0 && f->size == 0)
		return true;
	if (f->offset < HEADERS_END(p->nr_vms) || f->offset > p->size || f->size == 0 ||
	    f->size >= PAYLOAD_PATH_MAX || f->size >= p->size - f->offset) {
		kprintf(
		    "kserv: payload: the %s path at 0x%lx, %lu bytes, is not inside the payload "
		    "(or longer than %u)\n",
		    what, f->offset, f->size, PAYLOAD_PATH_MAX - 1);
		return false;
	}
	s = (const char *)payload_file(p, f);
	if (strnlen(s, f->size + 1) != f->size || !text_ok(s, f->size + 1)) {
		kprintf("kserv: payload: the %s path is not %lu printable characters and a NUL\n",
			what, f->size);
		return false;
	}
	*out = s;
	return true;
}

/* Each snapshot file belongs to exactly one VM that says so, and the other way round. */
static bool snapshot_files_ok(const struct payload *p)
{
	u32 savers = 0, restorers = 0;

	for (u32 i = 0; i < p->nr_vms; i++) {
		savers += (p->vms[i].flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_TO_FILE) != 0;
		restorers += (p->vms[i].flags & KCORE_PAYLOAD_VM_F_RESTORE_FROM_FILE) != 0;
	}
	if (savers != (p->snapshot_to != NULL ? 1u : 0u) ||
	    restorers != (p->restore_from != NULL ? 1u : 0u)) {
		kprintf("kserv: payload: %u VMs to snapshot to a file and %u to restore from one, "
			"for %s snapshot_to and %s restore_from path\n",
			savers, restorers, p->snapshot_to != NULL ? "a" : "no",
			p->restore_from != NULL ? "a" : "no");
		return false;
	}
	return true;
}

bool payload_parse(u64 pa, u64 avail, struct payload *out)
{
	const struct kcore_payload_hdr *h = (const void *)(uintptr_t)pa;
	u64 word;

	*out = (struct payload){.pa = pa};
	if ((pa & 7) != 0 || avail < sizeof(*h)) {
		kprintf("kserv: payload: %lu bytes at 0x%lx: too small or misaligned for a "
			"header\n",
			avail, pa);
		return false;
	}
	/* The DTB says where the initrd is; kserv checks it can read it before trusting it. */
	if (!kserv_probe_read(pa, &word) ||
	    !kserv_probe_read(align_down(pa + avail - 1, 8), &word)) {
		kprintf("kserv: payload: 0x%lx-0x%lx cannot be read\n", pa, pa + avail);
		return false;
	}
	if (memcmp(h->magic, KCORE_PAYLOAD_MAGIC, sizeof(h->magic)) != 0) {
		kprintf("kserv: payload: no %s magic at 0x%lx\n", KCORE_PAYLOAD_MAGIC, pa);
		return false;
	}
	if (h->nr_vms == 0 || h->nr_vms > KCORE_PAYLOAD_MAX_VMS) {
		kprintf("kserv: payload: %u VMs (1..%u)\n", h->nr_vms, KCORE_PAYLOAD_MAX_VMS);
		return false;
	}
	if ((h->flags & ~KCORE_PAYLOAD_F_ATTACKS) != 0) {
		kprintf("kserv: payload: unknown flags 0x%x\n", h->flags);
		return false;
	}
	if (h->total_size < HEADERS_END(h->nr_vms) || h->total_size > avail) {
		kprintf("kserv: payload: total size %lu: smaller than its headers (%lu) or larger "
			"than the initrd (%lu)\n",
			h->total_size, HEADERS_END(h->nr_vms), avail);
		return false;
	}
	out->size = h->total_size;
	out->nr_vms = h->nr_vms;
	out->flags = h->flags;
	out->vms = (const struct kcore_payload_vm *)(h + 1);
	for (u32 i = 0; i < out->nr_vms; i++) {
		if (!vm_ok(out, i))
			return false;
	}
	if (!path_ok(out, "snapshot_to", &h->snapshot_to, &out->snapshot_to) ||
	    !path_ok(out, "restore_from", &h->restore_from, &out->restore_from))
		return false;
	return snapshot_files_ok(out);
}
