/* SPDX-License-Identifier: MIT */
/*
 * "hvc-garbage": every host hypercall of docs/abi.md with arguments it must
 * refuse, each checked against the one error the ABI documents for it (the
 * calls are chosen so that exactly one error applies). A refused call must
 * also zero x1..x5. Three groups: VM ids that name no VM (zero, too large,
 * a valid id in the low 32 bits only), unknown function ids, and, on a VM
 * registered for the purpose, bad sizes, alignments and addresses, states
 * (a second REGISTER_VCPU, calls after power-off and after free), and pages
 * the host may not give (kcore's, a device's). The VM is powered off and
 * freed again, so the machine ends as it started.
 *
 * Marker: "HVC-GARBAGE: N calls, N refused as expected, 0 unexpected".
 */
#include "drivers.h"
#include "kserv/commands.h"
#include "kserv/console.h"
#include "kserv/fdt_info.h"
#include "kserv/format.h"
#include "kserv/hvc.h"
#include "kserv/pages.h"

#define E(code) (1u << (u32)(-(code)))

#define IPA_OK	   0x80000000ull /* page- and block-aligned, inside any IPA space kcore uses */
#define IPA_HUGE   (1ull << 60)	 /* beyond any IPA space */
#define PA_HUGE	   (1ull << 52)	 /* beyond any physical address */
#define PFN_HUGE   (1ull << 40)
#define SIZE_BLOCK KCORE_BLOCK_SIZE
#define IO_DOMAINS 16u	/* IO domain ids are 0..15 (docs/abi.md) */
#define IO_STREAMS 256u /* stream ids 0..255 */

struct tally {
	u32 calls;
	u32 expected;
	u32 unexpected;
};

static const char *call_name(u64 id, char *buf, size_t size)
{
	static const char *const names[] = {
	    "VERSION",	       "REGISTER_VM",	 "REGISTER_VCPU",   "SET_BOOT_INFO",
	    "REMAP_VM_IMAGE",  "VERIFY_VM",	 "VCPU_SET_ENTRY",  "VM_DONATE",
	    "VM_MAP_IO",       "VM_POWEROFF",	 "VM_CLEAR_RANGE",  "VM_FREE",
	    "KEY_INFO",	       "VM_SET_RAM",	 "VCPU_RUN",	    "VCPU_INJECT_IRQ",
	    "IO_DOMAIN_ALLOC", "IO_DOMAIN_FREE", "IO_ATTACH",	    "IO_DETACH",
	    "IO_MAP",	       "IO_UNMAP",	 "IO_IOVA_TO_PHYS",
	};

	if (id >= KCORE_HC_BASE && id - KCORE_HC_BASE < ARRAY_SIZE(names))
		return names[id - KCORE_HC_BASE];
	format_buf(buf, size, "id 0x%lx", id);
	return buf;
}

static void errs_text(u32 mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (s64 e = 0; e >= -9; e--) {
		const char *name = kcore_err_name(e);

		if ((mask & E(e)) == 0)
			continue;
		if (n > 0 && n + 1 < size)
			buf[n++] = '|';
		for (const char *p = name + 6; *p != '\0' && n + 1 < size; p++) /* skip "KCORE_" */
			buf[n++] = *p;
		buf[n] = '\0';
	}
}

/* One garbage call: counts it, and says so if the answer is not the documented one. */
static void garbage(struct tally *t, const char *why, u32 expect, u64 id, u64 a1, u64 a2, u64 a3,
		    u64 a4)
{
	struct kcore_ret r;
	s64 err = kcore_call(id, a1, a2, a3, a4, 0, &r);
	bool clean = r.x[1] == 0 && r.x[2] == 0 && r.x[3] == 0 && r.x[4] == 0 && r.x[5] == 0;
	bool ok = err < 0 && err >= -31 && (expect & E(err)) != 0 && clean;
	char want[64], name[32];

	t->calls++;
	if (ok)
		t->expected++;
	else
		t->unexpected++;
	errs_text(expect, want, sizeof(want));
	kprintf("hvc-garbage: %-14s %-28s (0x%lx, 0x%lx, 0x%lx, 0x%lx) -> %s%s%s\n",
		call_name(id, name, sizeof(name)), why, a1, a2, a3, a4, kcore_err_name(err),
		ok ? "" : "  UNEXPECTED, want ", ok ? "" : want);
	if (!clean && err != KCORE_OK)
		kprintf("hvc-garbage: ... and x1..x5 were not zeroed\n");
}

/* A setup call that must succeed; a failure counts as unexpected. */
static bool setup(struct tally *t, const char *what, u64 id, u64 a1, u64 a2, struct kcore_ret *r)
{
	s64 err = kcore_call(id, a1, a2, 0, 0, 0, r);

	if (err == KCORE_OK)
		return true;
	kprintf("hvc-garbage: setup %s failed: %s (%ld)\n", what, kcore_err_name(err), err);
	t->unexpected++;
	return false;
}

static void bad_vmids(struct tally *t, u64 host_pa, u64 dev_pa)
{
	static const u64 vmids[] = {0, 0x10000, 0xffffffffull, 0x100000001ull, ~0ull};

	for (u32 i = 0; i < ARRAY_SIZE(vmids); i++) {
		u64 v = vmids[i];

		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_REGISTER_VCPU, v, 0, 0, 0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_SET_BOOT_INFO, v, IPA_OK, 0x2000,
			0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_REMAP_VM_IMAGE, v, host_pa >> 12,
			0, 0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_VERIFY_VM, v, 0, 0, 0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_VCPU_SET_ENTRY, v, 0, IPA_OK, 0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_VM_DONATE, v, IPA_OK, host_pa,
			KCORE_PAGE_SIZE);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_VM_MAP_IO, v, IPA_OK, dev_pa, 0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_VM_POWEROFF, v, 0, 0, 0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_VM_CLEAR_RANGE, v, 0,
			KCORE_PAGE_SIZE, 0);
		garbage(t, "no such VM", E(KCORE_E_INVAL), KC_HC_VM_FREE, v, 0, 0, 0);
	}
}

static void unknown_ids(struct tally *t)
{
	static const u64 ids[] = {KCORE_HC(0x2f),   KCORE_HC(0x30),    KCORE_HC(0x3e),
				  KCORE_HC(0xffff), 0x12345678,	       KC_GC_VERSION,
				  KC_GC_SHARE_PAGE, KC_GC_UNSHARE_PAGE};

	for (u32 i = 0; i < ARRAY_SIZE(ids); i++)
		garbage(t, "unknown function id", E(KCORE_E_NOT_SUPPORTED), ids[i], 1, 2, 3, 4);
}

static void bad_keys(struct tally *t)
{
	struct kcore_ret r;
	u64 nr = kcore_call(KC_HC_KEY_INFO, 0, 0, 0, 0, 0, &r) == KCORE_OK ? r.x[1] : 0;

	garbage(t, "key index = number of keys", E(KCORE_E_INVAL), KC_HC_KEY_INFO, nr, 0, 0, 0);
	garbage(t, "key index too large", E(KCORE_E_INVAL), KC_HC_KEY_INFO, 0xffffffffull, 0, 0, 0);
	garbage(t, "key index 2^32", E(KCORE_E_INVAL), KC_HC_KEY_INFO, 1ull << 32, 0, 0, 0);
}

/* Bad arguments and wrong states on a real, READY VM. */
static void on_ready_vm(struct tally *t, u64 vm, u64 host_pa, u64 dev_pa, u64 kcore_pa)
{
	const u32 inval = E(KCORE_E_INVAL), state = E(KCORE_E_STATE);

	garbage(t, "vcpu id 2^32-1", inval, KC_HC_REGISTER_VCPU, vm, 0xffffffffull, 0, 0);
	garbage(t, "vcpu id 2^32", inval, KC_HC_REGISTER_VCPU, vm, 1ull << 32, 0, 0);
	garbage(t, "vcpu already registered", state, KC_HC_REGISTER_VCPU, vm, 0, 0, 0);

	garbage(t, "unaligned load IPA", inval, KC_HC_SET_BOOT_INFO, vm, IPA_OK + 1, 0x2000, 0);
	garbage(t, "size 0", inval, KC_HC_SET_BOOT_INFO, vm, IPA_OK, 0, 0);
	garbage(t, "size 256 (trailer only)", inval, KC_HC_SET_BOOT_INFO, vm, IPA_OK, 256, 0);
	garbage(t, "size 512 MiB + 1", inval, KC_HC_SET_BOOT_INFO, vm, IPA_OK, (512ull << 20) + 1,
		0);
	garbage(t, "load IPA beyond IPA space", inval, KC_HC_SET_BOOT_INFO, vm, IPA_HUGE, 0x2000,
		0);

	garbage(t, "huge pfn", inval, KC_HC_REMAP_VM_IMAGE, vm, PFN_HUGE, 0, 0);
	garbage(t, "no image 0 yet", inval, KC_HC_REMAP_VM_IMAGE, vm, host_pa >> 12, 0, 0);
	garbage(t, "load_idx 2^32-1", inval, KC_HC_REMAP_VM_IMAGE, vm, host_pa >> 12, 0xffffffffull,
		0);
	garbage(t, "no images", state, KC_HC_VERIFY_VM, vm, 0, 0, 0);

	garbage(t, "unaligned PC", inval, KC_HC_VCPU_SET_ENTRY, vm, 0, IPA_OK + 2, 0);
	garbage(t, "vcpu id 2^32-1", inval, KC_HC_VCPU_SET_ENTRY, vm, 0xffffffffull, IPA_OK, 0);

	garbage(t, "unaligned PA", inval, KC_HC_VM_DONATE, vm, IPA_OK, host_pa + 8,
		KCORE_PAGE_SIZE);
	garbage(t, "unaligned IPA", inval, KC_HC_VM_DONATE, vm, IPA_OK + 0x800, host_pa,
		KCORE_PAGE_SIZE);
	garbage(t, "size 8 KiB", inval, KC_HC_VM_DONATE, vm, IPA_OK, host_pa, 0x2000);
	garbage(t, "size 0", inval, KC_HC_VM_DONATE, vm, IPA_OK, host_pa, 0);
	garbage(t, "2 MiB at a 4 KiB-aligned PA", inval, KC_HC_VM_DONATE, vm, IPA_OK,
		(host_pa & ~(SIZE_BLOCK - 1)) + KCORE_PAGE_SIZE, SIZE_BLOCK);
	garbage(t, "IPA beyond IPA space", inval, KC_HC_VM_DONATE, vm, IPA_HUGE, host_pa,
		KCORE_PAGE_SIZE);
	garbage(t, "PA beyond PA space", inval, KC_HC_VM_DONATE, vm, IPA_OK, PA_HUGE,
		KCORE_PAGE_SIZE);
	if (dev_pa != 0)
		garbage(t, "device page, not RAM", inval, KC_HC_VM_DONATE, vm, IPA_OK, dev_pa,
			KCORE_PAGE_SIZE);
	if (kcore_pa != 0)
		garbage(t, "kcore's own page", E(KCORE_E_PERM), KC_HC_VM_DONATE, vm, IPA_OK,
			kcore_pa, KCORE_PAGE_SIZE);

	garbage(t, "RAM, not a device", inval, KC_HC_VM_MAP_IO, vm, IPA_OK, host_pa, 0);
	garbage(t, "unaligned IPA", inval, KC_HC_VM_MAP_IO, vm, IPA_OK + 0x800, dev_pa, 0);
	garbage(t, "unaligned PA", inval, KC_HC_VM_MAP_IO, vm, IPA_OK, dev_pa + 4, 0);
	garbage(t, "IPA beyond IPA space", inval, KC_HC_VM_MAP_IO, vm, IPA_HUGE, dev_pa, 0);

	garbage(t, "VM not powered off", state, KC_HC_VM_CLEAR_RANGE, vm, 0, KCORE_PAGE_SIZE, 0);
	garbage(t, "size 0", inval, KC_HC_VM_CLEAR_RANGE, vm, 0, 0, 0);
	garbage(t, "unaligned IPA", inval, KC_HC_VM_CLEAR_RANGE, vm, 0x800, KCORE_PAGE_SIZE, 0);
	garbage(t, "VM not powered off", state, KC_HC_VM_FREE, vm, 0, 0, 0);
}

/* Calls that would succeed on a READY VM, on one that is powered off. */
static void on_poweroff_vm(struct tally *t, u64 vm, u64 host_pa)
{
	const u32 state = E(KCORE_E_STATE);

	garbage(t, "VM powered off", state, KC_HC_VM_POWEROFF, vm, 0, 0, 0);
	garbage(t, "VM powered off", state, KC_HC_REGISTER_VCPU, vm, 0, 0, 0);
	garbage(t, "VM powered off", state, KC_HC_SET_BOOT_INFO, vm, IPA_OK, 0x2000, 0);
	garbage(t, "VM powered off", state, KC_HC_VCPU_SET_ENTRY, vm, 0, IPA_OK, 0);
	garbage(t, "VM powered off", state, KC_HC_VM_DONATE, vm, IPA_OK, host_pa, KCORE_PAGE_SIZE);
	garbage(t, "VM powered off", state, KC_HC_VERIFY_VM, vm, 0, 0, 0);
}

static void on_freed_vm(struct tally *t, u64 vm)
{
	const u32 state = E(KCORE_E_STATE);

	garbage(t, "VM freed", state, KC_HC_REGISTER_VCPU, vm, 0, 0, 0);
	garbage(t, "VM freed", state, KC_HC_VERIFY_VM, vm, 0, 0, 0);
	garbage(t, "VM freed", state, KC_HC_VM_POWEROFF, vm, 0, 0, 0);
	garbage(t, "VM freed", state, KC_HC_VM_FREE, vm, 0, 0, 0);
}

/*
 * The IO calls (DMA isolation). Where kcore drives no SMMU each answers
 * NOT_SUPPORTED, which is then the one documented error.
 */
static void bad_io_calls(struct tally *t, u64 host_pa, u64 dev_pa, u64 kcore_pa)
{
	bool io = kcore_call(KC_HC_IO_IOVA_TO_PHYS, IO_DOMAINS, 0, 0, 0, 0, NULL) !=
		  KCORE_E_NOT_SUPPORTED;
	const u64 iova = 0x100000;
	struct kcore_ret r;

#define IO_E(code) (io ? E(code) : E(KCORE_E_NOT_SUPPORTED))
	garbage(t, "owner names no VM", IO_E(KCORE_E_INVAL), KC_HC_IO_DOMAIN_ALLOC, 0x10000, 0, 0,
		0);
	garbage(t, "domain out of range", IO_E(KCORE_E_INVAL), KC_HC_IO_DOMAIN_FREE, IO_DOMAINS, 0,
		0, 0);
	garbage(t, "domain 2^32 (low bits 0)", IO_E(KCORE_E_INVAL), KC_HC_IO_DOMAIN_FREE,
		1ull << 32, 0, 0, 0);
	garbage(t, "domain not allocated", IO_E(KCORE_E_STATE), KC_HC_IO_DOMAIN_FREE,
		IO_DOMAINS - 1, 0, 0, 0);
	garbage(t, "stream out of range", IO_E(KCORE_E_INVAL), KC_HC_IO_ATTACH, 0, IO_STREAMS, 0,
		0);
	garbage(t, "stream out of range", IO_E(KCORE_E_INVAL), KC_HC_IO_DETACH, IO_STREAMS, 0, 0,
		0);
	garbage(t, "stream not attached", IO_E(KCORE_E_NOENT), KC_HC_IO_DETACH, IO_STREAMS - 1, 0,
		0, 0);
	garbage(t, "domain out of range", IO_E(KCORE_E_INVAL), KC_HC_IO_MAP, IO_DOMAINS, iova,
		host_pa, 0);
	garbage(t, "domain out of range", IO_E(KCORE_E_INVAL), KC_HC_IO_UNMAP, IO_DOMAINS, iova, 0,
		0);
#undef IO_E
	if (!io || !setup(t, "IO_DOMAIN_ALLOC", KC_HC_IO_DOMAIN_ALLOC, 0, 0, &r))
		return;
	garbage(t, "IOVA not page aligned", E(KCORE_E_INVAL), KC_HC_IO_MAP, r.x[1], iova + 8,
		host_pa, 0);
	garbage(t, "IOVA beyond the IPA space", E(KCORE_E_INVAL), KC_HC_IO_MAP, r.x[1], IPA_HUGE,
		host_pa, 0);
	garbage(t, "a device page", E(KCORE_E_INVAL), KC_HC_IO_MAP, r.x[1], iova, dev_pa, 0);
	if (kcore_pa != 0)
		garbage(t, "kcore's page", E(KCORE_E_PERM), KC_HC_IO_MAP, r.x[1], iova, kcore_pa,
			0);
	garbage(t, "nothing mapped", E(KCORE_E_NOENT), KC_HC_IO_UNMAP, r.x[1], iova, 0, 0);
	garbage(t, "nothing mapped", E(KCORE_E_NOENT), KC_HC_IO_IOVA_TO_PHYS, r.x[1], iova, 0, 0);
	setup(t, "IO_DOMAIN_FREE", KC_HC_IO_DOMAIN_FREE, r.x[1], 0, &r);
}

int cmd_hvc_garbage(int argc, char **argv)
{
	struct tally t = {0};
	struct kcore_ret r;
	u64 host_pa = page_alloc();
	u64 dev_pa = machine.uart_base;
	u64 kcore_pa = machine.nr_reserved > 0 ? align_up(machine.reserved[0].base, 4096) : 0;
	u64 vm;

	(void)argc;
	(void)argv;
	if (host_pa == 0) {
		kprintf("hvc-garbage: no free page to offer\n");
		return 1;
	}
	bad_vmids(&t, host_pa, dev_pa);
	unknown_ids(&t);
	bad_keys(&t);
	bad_io_calls(&t, host_pa, dev_pa, kcore_pa);
	if (setup(&t, "REGISTER_VM", KC_HC_REGISTER_VM, 0, 0, &r)) {
		vm = r.x[1];
		kprintf("hvc-garbage: registered VM %lu for the state checks\n", vm);
		if (setup(&t, "REGISTER_VCPU 0", KC_HC_REGISTER_VCPU, vm, 0, &r))
			on_ready_vm(&t, vm, host_pa, dev_pa, kcore_pa);
		if (setup(&t, "VM_POWEROFF", KC_HC_VM_POWEROFF, vm, 0, &r))
			on_poweroff_vm(&t, vm, host_pa);
		if (setup(&t, "VM_FREE", KC_HC_VM_FREE, vm, 0, &r))
			on_freed_vm(&t, vm);
	}
	page_free(host_pa);
	kprintf("HVC-GARBAGE: %u calls, %u refused as expected, %u unexpected\n", t.calls,
		t.expected, t.unexpected);
	return t.unexpected == 0 ? 0 : 1;
}
