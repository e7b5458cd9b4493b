/* SPDX-License-Identifier: MIT */
/*
 * "dma": DMA isolation on real (QEMU) hardware, with QEMU's edu device
 * behind kcore's SMMU (docs/kserv.md). The host gives edu a domain of its
 * own pages and DMAs into and out of them (data checked byte for byte), then
 * tries what kcore must refuse: a page it unmapped, kcore's memory, a stream
 * it detached, a VM's page through the host's domain, and, through a domain
 * the host made for a VM that shares nothing, the VM's page at its IPA (the
 * consentless IO domain: kcore maps a VM's page only while the VM shares
 * it) and host pages. Each refused DMA must leave its target as it was
 * (checked here where the host can read it; kcore's pages by the QEMU
 * monitor after power-off, from the "attack: cpu 0: write ADDR" lines) and
 * leave only faults of that stream, address and kind in kcore's fault
 * queue (KC_HC_IO_FAULT_POP). Ends with "DMA: OK" or "DMA: FAILED".
 */
#include <kcore/payload.h>
#include <string.h>

#include "drivers.h"
#include "io_faults.h"
#include "kserv/commands.h"
#include "kserv/console.h"
#include "kserv/edu.h"
#include "kserv/fdt_info.h"
#include "kserv/format.h"
#include "kserv/hvc.h"
#include "kserv/pages.h"

#define XFER	     2048u /* bytes per transfer: half the device's buffer */
/* Refused transfers are shorter: QEMU queues a fault per 4 bytes, its queue holds 128. */
#define ATTACK_LEN   256u
#define PROBE_OFF    0x800u /* where refused reads land in the buffer */
#define IOVA_SRC     0x100000ull
#define IOVA_DST     0x101000ull
#define IOVA_ZERO    0x102000ull
#define IOVA_KCORE   0x200000ull
#define VM_IPA	     KCORE_GUEST_RAM_BASE
#define KCORE_POISON ((u64)0x6b73657276212121) /* run-scenario.sh -p looks for it */

struct dma_run {
	struct edu edu;
	u32 host_dom;
	u64 src, dst, zero, copy; /* host pages: a pattern, a target, zeros, a read-back */
	u32 checks, failed;
};

static void verdict(struct dma_run *r, bool ok, const char *what, const char *detail)
{
	r->checks++;
	if (!ok)
		r->failed++;
	kprintf("DMA: %s (%s): %s\n", what, detail, ok ? "ok" : "FAILED");
}

static u32 setup_failures;

/* A call the test needs to succeed: a failure fails the test. */
static bool call4_ok(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 *out)
{
	struct kcore_ret ret;
	s64 err = kcore_call(id, a1, a2, a3, a4, 0, &ret);

	if (err != KCORE_OK) {
		setup_failures++;
		kprintf("DMA: call 0x%lx(0x%lx, 0x%lx, 0x%lx): %s: FAILED\n", id, a1, a2, a3,
			kcore_err_name(err));
	}
	if (out != NULL)
		*out = ret.x[1];
	return err == KCORE_OK;
}

static bool call_ok(u64 id, u64 a1, u64 a2, u64 a3, u64 *out)
{
	return call4_ok(id, a1, a2, a3, 0, out);
}

/* A call kcore must refuse with want, and nothing else. */
static void expect_refused(struct dma_run *r, const char *what, s64 want, u64 id, u64 a1, u64 a2,
			   u64 a3)
{
	s64 err = kcore_call(id, a1, a2, a3, 0, 0, NULL);
	char detail[64];

	format_buf(detail, sizeof(detail), "%s, documented %s", kcore_err_name(err),
		   kcore_err_name(want));
	verdict(r, err == want, what, detail);
}

static void fill(u64 pa, u64 seed, u32 len)
{
	u8 *p = (u8 *)(uintptr_t)pa;

	for (u32 i = 0; i < len; i++)
		p[i] = (u8)(seed >> ((i % 8) * 8)) ^ (u8)(i * 13);
}

static bool same(u64 a, u64 b, u32 len)
{
	return memcmp((const void *)(uintptr_t)a, (const void *)(uintptr_t)b, len) == 0;
}

static bool zero_bytes(u64 pa, u32 from, u32 to)
{
	const u8 *p = (const u8 *)(uintptr_t)pa;

	for (u32 i = from; i < to; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

static bool no_fault(void)
{
	return kcore_call0(KC_HC_IO_FAULT_POP, NULL) == KCORE_E_NOENT;
}

/* Buffer <- memory at iova (len bytes at buffer offset off); the device must finish. */
static bool to_buffer(struct dma_run *r, u64 iova, u32 off, u32 len)
{
	bool done = edu_dma(&r->edu, false, iova, off, len);

	if (!done)
		verdict(r, false, "edu transfer into its buffer", "the device never finished");
	return done;
}

static bool from_buffer(struct dma_run *r, u64 iova, u32 off, u32 len)
{
	bool done = edu_dma(&r->edu, true, iova, off, len);

	if (!done)
		verdict(r, false, "edu transfer out of its buffer", "the device never finished");
	return done;
}

/*
 * A write the SMMU must refuse: the buffer's first ATTACK_LEN bytes to iova. If
 * the host can read the target (target != 0), every byte of it must be as it
 * was; otherwise the caller has it checked elsewhere.
 */
static void refused_write(struct dma_run *r, const char *what, u64 iova, u64 type, u64 addr,
			  u64 access, u64 target)
{
	static u8 before[KSERV_PAGE_SIZE];
	char detail[128];
	bool ok;

	if (target != 0)
		memcpy(before, (const void *)(uintptr_t)target, sizeof(before));
	if (!from_buffer(r, iova, 0, ATTACK_LEN))
		return;
	ok = io_faults_expect(r->edu.sid, type, addr, ATTACK_LEN, access, detail, sizeof(detail));
	if (target != 0 && memcmp(before, (const void *)(uintptr_t)target, sizeof(before)) != 0) {
		ok = false;
		format_buf(detail, sizeof(detail), "the target page at 0x%lx CHANGED", target);
	}
	r->checks++;
	if (!ok)
		r->failed++;
	kprintf("DMA-ATTACK: %s (%s): %s\n", what, detail,
		ok ? (target != 0 ? "refused, target intact" : "refused")
		   : "NOT REFUSED AS EXPECTED");
}

/*
 * A read the SMMU must refuse: from iova into the buffer at PROBE_OFF, which
 * holds a known pattern first. Afterwards it holds the pattern or zeros (QEMU
 * completes a refused read with zeros), never anything of the target's.
 */
static void refused_read(struct dma_run *r, const char *what, u64 iova, u64 addr)
{
	char detail[128];
	bool ok;

	/* The pattern into the probe area, from the source page. */
	if (!to_buffer(r, IOVA_SRC, PROBE_OFF, ATTACK_LEN) ||
	    !to_buffer(r, iova, PROBE_OFF, ATTACK_LEN))
		return;
	ok = io_faults_expect(r->edu.sid, KC_IO_FAULT_F_TRANSLATION, addr, ATTACK_LEN,
			      KC_IO_FAULT_ACCESS_READ, detail, sizeof(detail));
	/* The probe area out to a host page, to look at it. */
	memset((void *)(uintptr_t)r->copy, 0xee, KSERV_PAGE_SIZE);
	if (!from_buffer(r, IOVA_ZERO + KSERV_PAGE_SIZE, PROBE_OFF, ATTACK_LEN))
		return;
	if (!zero_bytes(r->copy, 0, ATTACK_LEN) && !same(r->copy, r->src, ATTACK_LEN)) {
		ok = false;
		format_buf(detail, sizeof(detail), "the buffer holds something new");
	}
	r->checks++;
	if (!ok)
		r->failed++;
	kprintf("DMA-ATTACK: %s (%s): %s\n", what, detail,
		ok ? "refused, nothing read" : "NOT REFUSED AS EXPECTED");
}

static bool attach(struct dma_run *r, u64 dom)
{
	return call_ok(KC_HC_IO_ATTACH, dom, r->edu.sid, 0, NULL);
}

static bool detach(struct dma_run *r)
{
	return call_ok(KC_HC_IO_DETACH, r->edu.sid, 0, 0, NULL);
}

/* The host's own pages, into and out of its domain: the data must arrive intact. */
static bool host_round_trip(struct dma_run *r)
{
	char detail[96];
	bool ok;

	if (!to_buffer(r, IOVA_SRC, 0, XFER) || !from_buffer(r, IOVA_DST, 0, XFER))
		return false;
	ok = same(r->src, r->dst, XFER) && zero_bytes(r->dst, XFER, KSERV_PAGE_SIZE) && no_fault();
	format_buf(detail, sizeof(detail), "%u bytes, host page 0x%lx -> edu -> host page 0x%lx",
		   XFER, r->src, r->dst);
	verdict(r, ok, "the host's own pages through its domain, byte for byte", detail);
	return ok;
}

/*
 * kcore's invariant checker while edu is attached: it reads the SMMU's
 * stream table back (arch/aarch64/smmuv3.c) and compares every entry, this
 * translating one included, with the core's.
 */
static void invariants_attached(struct dma_run *r)
{
	struct kcore_ret ret;
	s64 err = kcore_call0(KC_HC_CHECK_INVARIANTS, &ret);
	char detail[96];

	format_buf(detail, sizeof(detail), "%s, %lu violations", kcore_err_name(err),
		   err == KCORE_OK ? ret.x[1] : 0);
	verdict(r, err == KCORE_OK && ret.x[1] == 0,
		"the invariant checker with edu attached (the SMMU's entries read back)", detail);
}

static void kcore_attacks(struct dma_run *r)
{
	for (u32 i = 0; i < machine.nr_reserved && i < 2; i++) {
		u64 pa = align_up(machine.reserved[i].base, KSERV_PAGE_SIZE);
		char what[96];

		format_buf(what, sizeof(what), "map kcore's page 0x%lx into the host's domain", pa);
		expect_refused(r, what, KCORE_E_PERM, KC_HC_IO_MAP, r->host_dom, IOVA_KCORE, pa);
		/* The poison, so that the monitor can tell whether anything landed. */
		for (u32 w = 0; w < ATTACK_LEN / 8; w++)
			((volatile u64 *)(uintptr_t)r->zero)[w] = KCORE_POISON;
		if (!to_buffer(r, IOVA_ZERO, 0, ATTACK_LEN))
			return;
		memset((void *)(uintptr_t)r->zero, 0, ATTACK_LEN);
		kprintf("attack: cpu 0: write 0x%lx (kcore's memory, by DMA at IOVA = PA)\n", pa);
		format_buf(what, sizeof(what), "edu writes kcore's page 0x%lx (IOVA = its PA)", pa);
		refused_write(r, what, pa, KC_IO_FAULT_F_TRANSLATION, pa, KC_IO_FAULT_ACCESS_WRITE,
			      0);
		format_buf(what, sizeof(what), "edu reads kcore's page 0x%lx (IOVA = its PA)", pa);
		refused_read(r, what, pa, pa);
	}
}

/*
 * edu, attached to domain dom, reads iova into its buffer (which holds the
 * source page's pattern first, loaded through the host's domain); the SMMU
 * must refuse it, and the buffer, copied out to a host page, must hold the
 * pattern or zeros, nothing of the page behind iova.
 */
static void refused_read_in(struct dma_run *r, u64 dom, const char *what, u64 iova)
{
	char detail[128];
	bool ok;

	if (!attach(r, r->host_dom) || !to_buffer(r, IOVA_SRC, 0, ATTACK_LEN) || !detach(r) ||
	    !attach(r, dom) || !to_buffer(r, iova, 0, ATTACK_LEN))
		return;
	ok = io_faults_expect(r->edu.sid, KC_IO_FAULT_F_TRANSLATION, iova, ATTACK_LEN,
			      KC_IO_FAULT_ACCESS_READ, detail, sizeof(detail));
	memset((void *)(uintptr_t)r->copy, 0xee, KSERV_PAGE_SIZE);
	if (!detach(r) || !attach(r, r->host_dom) ||
	    !from_buffer(r, IOVA_ZERO + KSERV_PAGE_SIZE, 0, ATTACK_LEN) || !detach(r))
		return;
	if (!zero_bytes(r->copy, 0, ATTACK_LEN) && !same(r->copy, r->src, ATTACK_LEN)) {
		ok = false;
		format_buf(detail, sizeof(detail), "the buffer holds something new");
	}
	r->checks++;
	if (!ok)
		r->failed++;
	kprintf("DMA-ATTACK: %s (%s): %s\n", what, detail,
		ok ? "refused, nothing read" : "NOT REFUSED AS EXPECTED");
}

/*
 * A VM of kserv's own (registered, one page donated; READY is all a VM
 * domain needs) and a domain for it, with edu attached. The VM never ran, so
 * it shares nothing, and a VM's page reaches a device only while the VM
 * shares it (docs/abi.md, DMA isolation): the domain may map none of its
 * pages, and edu in it reaches neither the VM's page at its IPA (the
 * consentless IO domain) nor anything of the host's. Power-off blocks edu.
 * A VM's domain over a page the VM does share: the attack suite, where the
 * ioshare guest shares one (vm_attacks.c).
 */
static void vm_domain(struct dma_run *r)
{
	u64 vm, vm_dom, vm_pa = page_alloc();

	if (vm_pa == 0 || !call_ok(KC_HC_REGISTER_VM, 0, 0, 0, &vm))
		return;
	/* The VM's page holds a pattern of its own, so that a read of it would show. */
	fill(vm_pa, 0x5a5aa5a55a5aa5a5ull, KSERV_PAGE_SIZE);
	if (!call4_ok(KC_HC_VM_DONATE, vm, VM_IPA, vm_pa, KSERV_PAGE_SIZE, NULL) ||
	    !call_ok(KC_HC_IO_DOMAIN_ALLOC, vm, 0, 0, &vm_dom))
		return;
	expect_refused(r, "map the VM's page into the host's domain", KCORE_E_PERM, KC_HC_IO_MAP,
		       r->host_dom, IOVA_KCORE, vm_pa);
	expect_refused(r, "map a host page into the VM's domain", KCORE_E_PERM, KC_HC_IO_MAP,
		       vm_dom, VM_IPA + KSERV_PAGE_SIZE, r->dst);
	expect_refused(r, "map the VM's page into its domain at another IPA", KCORE_E_PERM,
		       KC_HC_IO_MAP, vm_dom, VM_IPA + KSERV_PAGE_SIZE, vm_pa);
	expect_refused(r, "map the VM's page, never shared, into its domain at its IPA",
		       KCORE_E_PERM, KC_HC_IO_MAP, vm_dom, VM_IPA, vm_pa);

	/* First the read: the VM's page still holds only its own pattern. */
	refused_read_in(r, vm_dom,
			"edu in the VM's domain reads the VM's page at its IPA (never shared)",
			VM_IPA);
	/* The pattern into the buffer (host domain), then at the VM's page (its domain). */
	if (!attach(r, r->host_dom) || !to_buffer(r, IOVA_SRC, 0, XFER) || !detach(r) ||
	    !attach(r, vm_dom))
		return;
	refused_write(r, "edu in the VM's domain writes the VM's page at its IPA (never shared)",
		      VM_IPA, KC_IO_FAULT_F_TRANSLATION, VM_IPA, KC_IO_FAULT_ACCESS_WRITE, 0);
	refused_write(r, "edu in the VM's domain writes a host page (IOVA = its PA)", r->dst,
		      KC_IO_FAULT_F_TRANSLATION, r->dst, KC_IO_FAULT_ACCESS_WRITE, r->dst);
	/* Power-off tears the VM's domain down and blocks its device at once. */
	if (!call_ok(KC_HC_VM_POWEROFF, vm, 0, 0, NULL))
		return;
	expect_refused(r, "detach edu after its VM powered off (kcore did already)", KCORE_E_NOENT,
		       KC_HC_IO_DETACH, r->edu.sid, 0, 0);
	refused_write(r, "edu writes the powered-off VM's page", VM_IPA, KC_IO_FAULT_C_BAD_STE, 0,
		      KC_IO_FAULT_ACCESS_UNKNOWN, 0);
	/* Back in the host's domain, as the caller left it. */
	attach(r, r->host_dom);
	if (call_ok(KC_HC_VM_CLEAR_RANGE, vm, VM_IPA, KSERV_PAGE_SIZE, NULL) &&
	    call_ok(KC_HC_VM_FREE, vm, 0, 0, NULL))
		page_free(vm_pa); /* zeroed by kcore when it came back */
}

int cmd_dma(int argc, char **argv)
{
	struct dma_run r = {0};
	u64 dom;
	bool ok;

	(void)argc;
	(void)argv;
	setup_failures = 0;
	if (!edu_probe(&r.edu)) {
		kprintf("DMA: no edu device on PCI bus 0 (QEMU: -device edu)\n");
		kprintf("DMA: FAILED\n");
		return 1;
	}
	kprintf("DMA: edu at %02x:%02x.%x, stream 0x%x, BAR0 at 0x%lx\n", r.edu.pci.bus,
		r.edu.pci.dev, r.edu.pci.fn, r.edu.sid, r.edu.regs);
	r.src = page_alloc();
	r.dst = page_alloc();
	r.zero = page_alloc();
	r.copy = page_alloc();
	if (r.src == 0 || r.dst == 0 || r.zero == 0 || r.copy == 0 ||
	    !call_ok(KC_HC_IO_DOMAIN_ALLOC, 0, 0, 0, &dom)) {
		kprintf("DMA: FAILED (setup)\n");
		return 1;
	}
	r.host_dom = (u32)dom;
	fill(r.src, 0x0123456789abcdefull, KSERV_PAGE_SIZE);
	memset((void *)(uintptr_t)r.dst, 0, KSERV_PAGE_SIZE);
	if (!no_fault())
		kprintf("DMA: faults were queued before the test; they were dropped\n");
	while (kcore_call0(KC_HC_IO_FAULT_POP, NULL) == KCORE_OK)
		;
	if (call_ok(KC_HC_IO_MAP, dom, IOVA_SRC, r.src, NULL) &&
	    call_ok(KC_HC_IO_MAP, dom, IOVA_DST, r.dst, NULL) &&
	    call_ok(KC_HC_IO_MAP, dom, IOVA_ZERO, r.zero, NULL) &&
	    call_ok(KC_HC_IO_MAP, dom, IOVA_ZERO + KSERV_PAGE_SIZE, r.copy, NULL) &&
	    attach(&r, dom) && host_round_trip(&r)) {
		invariants_attached(&r);
		/* A page the host mapped, then unmapped: gone for the device at once. */
		if (call_ok(KC_HC_IO_UNMAP, dom, IOVA_DST, 0, NULL)) {
			fill(r.dst, 0xfeedfacecafebeefull, KSERV_PAGE_SIZE);
			refused_write(&r, "edu writes a host page after its unmap", IOVA_DST,
				      KC_IO_FAULT_F_TRANSLATION, IOVA_DST, KC_IO_FAULT_ACCESS_WRITE,
				      r.dst);
		}
		kcore_attacks(&r);
		/* A detached stream is blocked: no domain, no DMA. */
		if (detach(&r))
			refused_write(
			    &r, "edu writes a mapped host page after its stream was detached",
			    IOVA_SRC, KC_IO_FAULT_C_BAD_STE, 0, KC_IO_FAULT_ACCESS_UNKNOWN, r.src);
		vm_domain(&r);
		call_ok(KC_HC_IO_DETACH, r.edu.sid, 0, 0, NULL);
	}
	call_ok(KC_HC_IO_UNMAP, dom, IOVA_SRC, 0, NULL);
	call_ok(KC_HC_IO_UNMAP, dom, IOVA_ZERO, 0, NULL);
	call_ok(KC_HC_IO_UNMAP, dom, IOVA_ZERO + KSERV_PAGE_SIZE, 0, NULL);
	if (call_ok(KC_HC_IO_DOMAIN_FREE, dom, 0, 0, NULL)) {
		page_free_zeroed(r.src);
		page_free_zeroed(r.dst);
		page_free_zeroed(r.zero);
		page_free_zeroed(r.copy);
	}
	ok = r.failed == 0 && setup_failures == 0 && r.checks > 0;
	kprintf("DMA: %u checks, %u failed, %u setup calls failed\n", r.checks, r.failed,
		setup_failures);
	kprintf("DMA: %s\n", ok ? "OK" : "FAILED");
	return ok ? 0 : 1;
}
