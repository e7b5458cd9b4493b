/* SPDX-License-Identifier: MIT */
#include "payload.h"

#include <kcore/abi.h>
#include <kcore/image.h>
#include <string.h>

#include "backend.h"

#define HEADERS_END(n) \
	(sizeof(struct kcore_payload_hdr) + (u64)(n) * sizeof(struct kcore_payload_vm))

_Static_assert(sizeof(struct kcore_payload_hdr) == 64, "payload header layout");
_Static_assert(sizeof(struct kcore_payload_vm) % 8 == 0, "payload VM record layout");

/* strnlen, which C11 does not have. */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* A name that can stand in a marker line: letters, digits, '.', '_', '-'. */
static bool name_ok(const char *s, size_t max)
{
	size_t n = bounded_len(s, max);

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
	size_t n = bounded_len(s, max);

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
		vmm_log("payload: VM %s: %s has size %lu but no offset", name, what, f->size);
		return false;
	}
	if (f->offset == 0) {
		vmm_log("payload: VM %s: no %s", name, what);
		return false;
	}
	if ((f->offset & (VMM_PAGE_SIZE - 1)) != 0 || f->offset < HEADERS_END(p->nr_vms)) {
		vmm_log("payload: VM %s: %s offset 0x%lx is not 4 KiB aligned after the "
			"headers",
			name, what, f->offset);
		return false;
	}
	if (f->size <= KCORE_IMG_TRAILER_SIZE || f->offset > p->size ||
	    f->size > p->size - f->offset) {
		vmm_log("payload: VM %s: %s at 0x%lx, %lu bytes: not a signed file inside "
			"the %lu-byte payload",
			name, what, f->offset, f->size, p->size);
		return false;
	}
	return true;
}

static bool vm_ok(struct payload *p, u32 i)
{
	const struct kcore_payload_vm *v = &p->vms[i];

	if (!name_ok(v->name, sizeof(v->name))) {
		vmm_log("payload: VM %u: name must be 1..%zu of [A-Za-z0-9._-], "
			"NUL-terminated",
			i, sizeof(v->name) - 1);
		return false;
	}
	for (u32 j = 0; j < i; j++) {
		if (strcmp(p->vms[j].name, v->name) == 0) {
			vmm_log("payload: VM %s: the name is used twice", v->name);
			return false;
		}
	}
	if (v->nr_vcpus < 1 || v->nr_vcpus > 8) {
		vmm_log("payload: VM %s: %u vCPUs (1..8)", v->name, v->nr_vcpus);
		return false;
	}
	if ((v->flags & ~KCORE_PAYLOAD_VM_FLAGS) != 0) {
		vmm_log("payload: VM %s: unknown flags 0x%x", v->name, v->flags);
		return false;
	}
	if (v->mem_size == 0 || (v->mem_size & (KCORE_BLOCK_SIZE - 1)) != 0 ||
	    v->mem_size > GUEST_MAX_MEM) {
		vmm_log("payload: VM %s: RAM size 0x%lx is not a multiple of 2 MiB up to "
			"%lu GiB",
			v->name, v->mem_size, GUEST_MAX_MEM >> 30);
		return false;
	}
	if (!text_ok(v->cmdline, sizeof(v->cmdline))) {
		vmm_log("payload: VM %s: the command line is not printable text "
			"NUL-terminated within %zu bytes",
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
		vmm_log("payload: the %s path at 0x%lx, %lu bytes, is not inside the payload "
			"(or longer than %u)",
			what, f->offset, f->size, PAYLOAD_PATH_MAX - 1);
		return false;
	}
	s = (const char *)payload_file(p, f);
	if (bounded_len(s, f->size + 1) != f->size || !text_ok(s, f->size + 1)) {
		vmm_log("payload: the %s path is not %lu printable characters and a NUL", what,
			f->size);
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
		vmm_log("payload: %u VMs to snapshot to a file and %u to restore from one, "
			"for %s snapshot_to and %s restore_from path",
			savers, restorers, p->snapshot_to != NULL ? "a" : "no",
			p->restore_from != NULL ? "a" : "no");
		return false;
	}
	return true;
}

bool payload_parse(u64 pa, u64 avail, struct payload *out)
{
	const struct kcore_payload_hdr *h = (const void *)(uintptr_t)pa;

	*out = (struct payload){.pa = pa};
	if ((pa & 7) != 0 || avail < sizeof(*h)) {
		vmm_log("payload: %lu bytes at 0x%lx: too small or misaligned for a "
			"header",
			avail, pa);
		return false;
	}
	/* Where the payload is comes from outside (kserv: the DTB): readable before it is trusted.
	 */
	if (!vmm_host_readable(pa) || !vmm_host_readable(vmm_align_down(pa + avail - 1, 8))) {
		vmm_log("payload: 0x%lx-0x%lx cannot be read", pa, pa + avail);
		return false;
	}
	if (memcmp(h->magic, KCORE_PAYLOAD_MAGIC, sizeof(h->magic)) != 0) {
		vmm_log("payload: no %s magic at 0x%lx", KCORE_PAYLOAD_MAGIC, pa);
		return false;
	}
	if (h->nr_vms == 0 || h->nr_vms > KCORE_PAYLOAD_MAX_VMS) {
		vmm_log("payload: %u VMs (1..%u)", h->nr_vms, KCORE_PAYLOAD_MAX_VMS);
		return false;
	}
	if ((h->flags & ~KCORE_PAYLOAD_F_ATTACKS) != 0) {
		vmm_log("payload: unknown flags 0x%x", h->flags);
		return false;
	}
	if (h->total_size < HEADERS_END(h->nr_vms) || h->total_size > avail) {
		vmm_log("payload: total size %lu: smaller than its headers (%lu) or larger "
			"than the initrd (%lu)",
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
