/* SPDX-License-Identifier: MIT */
#include "io_consent_share.h"

#include <string.h>

#include "attack_report.h"
#include "kserv/console.h"
#include "kserv/edu.h"
#include "kserv/format.h"
#include "kserv/hvc.h"
#include "kserv/pages.h"

#define XFER	  2048u	      /* bytes edu reads through the VM's domain */
#define HOST_IOVA 0x100000ull /* the host page edu's buffer is copied out to */

/* The page the guest shared last, while the host could read it. */
static u64 shared_vmid, shared_ipa, shared_pa;

static bool call_ok(const char *what, u64 id, u64 a1, u64 a2, u64 a3, u64 *out)
{
	struct kcore_ret r = {0};
	s64 err = kcore_call(id, a1, a2, a3, 0, 0, &r);

	if (err != KCORE_OK)
		kprintf("kserv: attacks: DMA-CONSENT: %s: %s (%ld)\n", what, kcore_err_name(err),
			err);
	if (out != NULL)
		*out = r.x[1];
	return err == KCORE_OK;
}

static bool no_fault(void)
{
	return kcore_call0(KC_HC_IO_FAULT_POP, NULL) == KCORE_E_NOENT;
}

/*
 * edu reads XFER bytes at ipa through vm_dom into its buffer, which then
 * goes out to host_pa through host_dom. edu is attached nowhere afterwards.
 */
static bool read_through(const struct edu *edu, u64 vm_dom, u64 ipa, u64 host_dom)
{
	bool ok = call_ok("KC_HC_IO_ATTACH (the VM's domain)", KC_HC_IO_ATTACH, vm_dom, edu->sid, 0,
			  NULL) &&
		  edu_dma(edu, false, ipa, 0, XFER);

	kcore_call(KC_HC_IO_DETACH, edu->sid, 0, 0, 0, 0, NULL);
	ok = ok &&
	     call_ok("KC_HC_IO_ATTACH (the host's domain)", KC_HC_IO_ATTACH, host_dom, edu->sid, 0,
		     NULL) &&
	     edu_dma(edu, true, HOST_IOVA, 0, XFER);
	kcore_call(KC_HC_IO_DETACH, edu->sid, 0, 0, 0, 0, NULL);
	return ok;
}

/* The guest shares the page: a domain of its VM maps it at its IPA and edu reads it. */
static void shared_dma(struct guest *g, u64 ipa, u64 pa, const struct edu *edu, u64 host_pa)
{
	u64 host_dom, vm_dom;
	char detail[128];
	bool ok = false;

	if (!call_ok("KC_HC_IO_DOMAIN_ALLOC (the host's)", KC_HC_IO_DOMAIN_ALLOC, 0, 0, 0,
		     &host_dom))
		return;
	while (kcore_call0(KC_HC_IO_FAULT_POP, NULL) == KCORE_OK)
		;
	format_buf(detail, sizeof(detail), "the map refused");
	if (call_ok("KC_HC_IO_MAP (the host's page)", KC_HC_IO_MAP, host_dom, HOST_IOVA, host_pa,
		    NULL) &&
	    call_ok("KC_HC_IO_DOMAIN_ALLOC (the VM's)", KC_HC_IO_DOMAIN_ALLOC, g->vmid, 0, 0,
		    &vm_dom)) {
		if (call_ok("KC_HC_IO_MAP (the page the VM shares, at its IPA)", KC_HC_IO_MAP,
			    vm_dom, ipa, pa, NULL)) {
			memset((void *)(uintptr_t)host_pa, 0xee, XFER);
			ok = read_through(edu, vm_dom, ipa, host_dom) && no_fault() &&
			     memcmp((const void *)(uintptr_t)host_pa, (const void *)(uintptr_t)pa,
				    XFER) == 0;
			format_buf(detail, sizeof(detail), "%u bytes at IPA 0x%lx (PA 0x%lx)%s",
				   XFER, ipa, pa, ok ? "" : ": NOT the page's bytes, or a fault");
			/* Gone again before the guest runs: its unshare would be BUSY. */
			call_ok("KC_HC_IO_UNMAP (the VM's page)", KC_HC_IO_UNMAP, vm_dom, ipa, 0,
				NULL);
		}
		call_ok("KC_HC_IO_DOMAIN_FREE (the VM's)", KC_HC_IO_DOMAIN_FREE, vm_dom, 0, 0,
			NULL);
	}
	call_ok("KC_HC_IO_DOMAIN_FREE (the host's)", KC_HC_IO_DOMAIN_FREE, host_dom, 0, 0, NULL);
	kprintf("DMA-CONSENT: edu in VM %s's own IO domain reads the page it shares, at its IPA "
		"(%s): %s\n",
		g->name, detail, ok ? "ok" : "FAILED");
}

/* The guest took the page back: the same map is now an attack. */
static void unshared_map(struct guest *g, u64 ipa, u64 pa)
{
	u64 vm_dom;
	char what[128];

	if (!call_ok("KC_HC_IO_DOMAIN_ALLOC (the VM's)", KC_HC_IO_DOMAIN_ALLOC, g->vmid, 0, 0,
		     &vm_dom))
		return;
	format_buf(what, sizeof(what),
		   "map VM %s's page at IPA 0x%lx into its own IO domain after it unshared it",
		   g->name, ipa);
	attack_call(what, KCORE_E_PERM, KC_HC_IO_MAP, vm_dom, ipa, pa, 0);
	call_ok("KC_HC_IO_DOMAIN_FREE (the VM's)", KC_HC_IO_DOMAIN_FREE, vm_dom, 0, 0, NULL);
}

void io_consent_shared_read(struct guest *g, u64 ipa, u64 pa, bool readable)
{
	struct edu edu;
	u64 host_pa;

	if (!readable) {
		if (shared_vmid == g->vmid && shared_ipa == ipa && shared_pa == pa)
			unshared_map(g, ipa, pa);
		shared_vmid = 0;
		return;
	}
	shared_vmid = g->vmid;
	shared_ipa = ipa;
	shared_pa = pa;
	host_pa = page_alloc();
	if (host_pa == 0)
		return;
	edu_claim();
	if (edu_probe(&edu))
		shared_dma(g, ipa, pa, &edu, host_pa);
	else
		kprintf("kserv: attacks: no edu device (kcore-run --edu): no DMA into a shared "
			"page\n");
	edu_release();
	page_free_zeroed(host_pa);
}
