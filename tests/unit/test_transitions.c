/* SPDX-License-Identifier: MIT */
/*
 * pKVM's ownership self-test, done exhaustively: every host hypercall from
 * every page state and every VM state, the guest calls kcore answers itself
 * from every page state, and the host's stage-2 fault path on every kind of
 * page. Each row runs on a freshly booted machine (with a host IO domain
 * that one stream uses and one host page is mapped in, and, once a VM is set
 * up, that VM's own IO domain with a stream and its page) and says what docs/abi.md
 * makes of it: allowed (and then its effect is checked) or refused with a
 * given error (and then nothing may have changed: fx_expect_refused compares
 * the whole state before and after and runs the invariant checker and the
 * TLB stale check).
 *
 * The expectations are written from docs/abi.md, not from the code. Where
 * the document lists several errors that apply to one call and does not say
 * which check comes first, a row accepts either (its `also` field).
 */
#include <kcore/psci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/memops/host_mem.h"
#include "core/mm/kmap.h"
#include "core/mm/pgowner.h"
#include "core/smmu/iommu.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"

/* ---- addresses ------------------------------------------------------------ */

#define PG	  KCORE_PAGE_SIZE
#define BLK	  KCORE_BLOCK_SIZE
#define IPA_LIMIT (1ull << 40) /* the fixture's ipa_bits */

#define IPA_OWN	  0x10000000ull	 /* the VM's donated 4 KiB page */
#define IPA_NEW	  0x20000000ull	 /* free in every VM: where calls map things */
#define IPA_IO	  0x30000000ull	 /* the VM's device page (FX_DEVICE_BASE) */
#define IPA_BLOCK 0x40000000ull	 /* a 2 MiB donation */
#define IPA_AUX	  0x50000000ull	 /* a second donation, for setups that need one */
#define IPA_IMG2  0x100000000ull /* free: where a second image may load */

/* DMA: the host's IO domain (ctx.hdom) and the VM's (ctx.vdom), each with one stream. */
#define SID_HOST    0x08u		       /* attached to the host's domain */
#define SID_VM	    0x10u		       /* attached to the VM's domain */
#define SID_NEW	    0x20u		       /* never attached */
#define IOVA_DMA    0x100000ull		       /* ctx.dma_pa in the host's domain */
#define IOVA_SHARED 0x200000ull		       /* the VM's shared page, in S_SHARED_DMA */
#define IOVA_NEW    0x300000ull		       /* free in every domain */
#define IO_FREE_ID  (KCORE_MAX_IO_DOMAINS - 1) /* a domain id never allocated */

#define RAM_END	   (FX_RAM_BASE + FX_RAM_SIZE)
#define CARVE_PAGE (RAM_END - PG) /* top of RAM: kcore's carve-out */
#define KIMG_LAST  (FX_RAM_BASE + FX_KCORE_IMAGE_SIZE - PG)
#define NONRAM_PA  0x100000000ull /* neither RAM nor a device we know: device memory */
#define TOP	   (1ull << 63)

#define ABI_VERSION (((u64)KCORE_ABI_MAJOR << 16) | KCORE_ABI_MINOR)

#define PAT_HOST  0x11223344aabbccddull /* what the host wrote into its page */
#define PAT_VM	  0x5a5a0000c0ffee01ull /* what the VM writes */
#define PAT_VM2	  0x5a5a0000c0ffee02ull
#define PAT_PROBE 0x0badf00ddeadbeefull /* a host write that must not land */

/* Argument placeholders, resolved per row once the setup has run. */
#define X_VM	  0xa5a5000000000001ull /* the VM under test */
#define X_PA	  0xa5a5000000000002ull /* the page under test */
#define X_PFN	  0xa5a5000000000003ull /* its frame number */
#define X_PFNWRAP 0xa5a5000000000004ull /* its frame number | 1 << 52: shifted, wraps to it */
#define X_HDOM	  0xa5a5000000000005ull /* the host's IO domain */
#define X_VDOM	  0xa5a5000000000006ull /* the VM's IO domain (IO_FREE_ID when it has none) */

/* Status shorthands for the tables. */
#define OK     KCORE_OK
#define NOSUP  KCORE_E_NOT_SUPPORTED
#define INVAL  KCORE_E_INVAL
#define STATE  KCORE_E_STATE
#define PERM   KCORE_E_PERM
#define NOMEM  KCORE_E_NOMEM
#define BUSY   KCORE_E_BUSY
#define EXIST  KCORE_E_EXIST
#define VERIFY KCORE_E_VERIFY
#define NOENT  KCORE_E_NOENT

/* ---- machine and VM states ------------------------------------------------ */

enum setup {
	S_NONE,		     /* fresh machine: VM 1 is an UNUSED slot */
	S_READY,	     /* VM READY: vCPUs 0, 1; a page at IPA_OWN; FX_DEVICE_BASE at IPA_IO */
	S_IMG_DECL,	     /* + an image declared (2 pages), none remapped */
	S_IMG_PART,	     /* + its first page remapped */
	S_IMG_FULL,	     /* + every page remapped, vCPU 0's entry set */
	S_TWO_IMG,	     /* S_IMG_PART + a second image declared at IPA_IMG2 */
	S_IMG_UNTRUSTED,     /* S_IMG_FULL, image signed with a key kcore does not trust */
	S_IMG_SHORT,	     /* S_IMG_FULL, image declared one byte short */
	S_VERIFIED,	     /* S_IMG_FULL + VERIFY_VM */
	S_ACTIVE,	     /* + vCPU 0 ACTIVE */
	S_RAN,		     /* + vCPU 0 deactivated: VERIFIED, vCPU 0 has run */
	S_SHARED,	     /* S_ACTIVE + the VM shares IPA_OWN, the host has mapped it */
	S_UNSHARED,	     /* + the VM unshared it */
	S_BLOCK_ACTIVE,	     /* S_VERIFIED + 2 MiB at IPA_BLOCK, vCPU 0 ACTIVE */
	S_TWO_ACTIVE,	     /* S_ACTIVE + a second verified VM with vCPU 0 ACTIVE */
	S_OFF_ACTIVE,	     /* S_ACTIVE + guest PSCI SYSTEM_OFF, vCPU 0 still ACTIVE */
	S_OFF_GUEST,	     /* + vCPU 0 deactivated */
	S_OFF_SHARED,	     /* S_SHARED + guest SYSTEM_OFF + deactivated */
	S_OFF_HOST,	     /* S_VERIFIED + host VM_POWEROFF */
	S_OFF_READY,	     /* S_IMG_PART + host VM_POWEROFF */
	S_OFF_READY_CLEARED, /* + VM_CLEAR_RANGE of the whole IPA space */
	S_VFAIL,	     /* no donations; untrusted image: VERIFY_VM failed, POWEROFF */
	S_CLEARED,	     /* S_OFF_GUEST + VM_CLEAR_RANGE of the whole IPA space */
	S_CLEARED_BUT_IO,    /* S_OFF_GUEST, cleared except the device page at IPA_IO */
	S_FREED,	     /* S_CLEARED + VM_FREE: UNUSED again */
	S_FOUR_IMAGES,	     /* S_READY + 4 images declared */
	S_BLOCK_OFF,	     /* S_VERIFIED + 2 MiB at IPA_BLOCK + host VM_POWEROFF */
	S_VMS_FULL,	     /* every VM slot registered */
	S_POOL_FULL,	     /* VM pool of 4 table pages, all used by a page at IPA_OWN */
	S_POOL_FULL_IMG,     /* the same with a complete image whose tables will not fit */
	S_KPOOL_FULL,	     /* kcore pool of 4 table pages: 512 image pages remapped */
	S_SHARED_DMA,	     /* S_SHARED + the host maps the shared page in its domain */
	S_OFF_SHARED_DMA,    /* + guest SYSTEM_OFF + deactivated */
	S_SHARED_VDOM,	     /* S_SHARED + the VM's domain maps the shared page at IPA_OWN */
	S_HOST_DETACHED,     /* S_READY + SID_HOST detached: the host's domain has no stream */
	S_DOMS_FULL,	     /* S_READY + host domains until the domain table is full */
	S_IOPOOL_FULL,	     /* S_READY, an IO pool of 6 pages, all used (see boot_for) */
	S_NO_IO,	     /* S_READY on a kcore without an IO pool: no IO calls */
};

/* ---- page states (what X_PA / X_PFN stand for) ---------------------------- */

enum page {
	P_NONE,
	P_FRESH,	    /* host page never touched */
	P_TOUCHED,	    /* host page the host has mapped (written through its stage-2) */
	P_SCRUBBED,	    /* host page that came back from a VM by VM_CLEAR_RANGE */
	P_FREED_IMG,	    /* host page that came back by VM_FREE of a failed image */
	P_OWN,		    /* this VM's page at IPA_OWN */
	P_OWN_BLOCK,	    /* a page inside this VM's 2 MiB block at IPA_BLOCK */
	P_IMG_LOADED,	    /* this VM's verified image page */
	P_AWAIT_OWN,	    /* this VM's image page awaiting verification (kcore's) */
	P_OTHER,	    /* another VM's page */
	P_OTHER_SHARED,	    /* another VM's page that it shares with the host */
	P_UNSHARED,	    /* another VM's page it shared, then unshared */
	P_AWAIT,	    /* another VM's image page awaiting verification */
	P_KIMAGE,	    /* kcore's image: first page (FX_RAM_BASE) */
	P_KIMAGE_END,	    /* kcore's image: last page */
	P_CARVE,	    /* kcore's carve-out: top page of RAM */
	P_POOL,		    /* the host's stage-2 root (host pool, in the carve-out) */
	P_VMPOOL,	    /* this VM's stage-2 root */
	P_KMAP_ROOT,	    /* kcore's own stage-1 root */
	P_DEVICE,	    /* FX_DEVICE_BASE */
	P_DEV_TOUCHED,	    /* FX_DEVICE_BASE after the host mapped it */
	P_DEV_UNALIGNED,    /* FX_DEVICE_BASE + 0x800 */
	P_DEV_HIGH,	    /* FX_DEVICE_BASE | 1 << 63 */
	P_DEV_ALIAS48,	    /* FX_DEVICE_BASE | 1 << 48 */
	P_KDEVICE,	    /* FX_KCORE_DEVICE */
	P_KDEV_ALIAS48,	    /* FX_KCORE_DEVICE | 1 << 48 */
	P_KDEV_NEAR_DEV,    /* FX_KCORE_DEVICE after the host mapped FX_DEVICE_BASE (same 2 MiB) */
	P_KIMAGE_NEAR_HOST, /* kcore's last image page after the host mapped the page above it */
	P_CARVE_NEAR_HOST,  /* kcore's first carve-out page after the host mapped the one below */
	P_NONRAM,	    /* NONRAM_PA */
	P_RAM_END,	    /* the first address after RAM */
	P_MEDIATED,	    /* FX_MEDIATED_DEVICE: the platform policy's MEDIATED page */
	P_DENIED,	    /* FX_DENIED_DEVICE: a DENIED device (like fw_cfg) */
	P_SMMU_WIN,	    /* FX_SMMU_WINDOW: BEHIND_SMMU (like a PCIe MMIO window) */
	P_BEYOND,	    /* 1 << 40: beyond the IPA space */
	P_UNALIGNED,	    /* a fresh host page + 0x800 */
	P_HIGH,		    /* a fresh host page | 1 << 63 */
	P_ALIAS48,	    /* a fresh host page | 1 << 48 */
	P_BLK_FRESH,	    /* 2 MiB of fresh host pages */
	P_BLK_TOUCHED,	    /* ... some mapped by the host */
	P_BLK_UNALIGNED,    /* ... + 4 KiB */
	P_BLK_DONATED,	    /* 2 MiB already donated to this VM at IPA_BLOCK */
	P_BLK_WITH_OWN,	    /* ... one page of which this VM owns */
	P_BLK_WITH_OTHER,   /* ... one page of which another VM owns */
	P_BLK_WITH_SHARED,  /* ... one page of which another VM owns and shares */
	P_BLK_WITH_AWAIT,   /* ... one page of which is another VM's image page */
	P_BLK_KIMAGE,	    /* FX_RAM_BASE: half kcore's image, half the host's */
	P_BLK_CARVE,	    /* the top 2 MiB of RAM */
	P_BLK_DEVICE,	    /* FX_DEVICE_BASE (2 MiB aligned) */
	P_BLK_NONRAM,	    /* NONRAM_PA */
	P_BLK_HIGH,	    /* 2 MiB of fresh host pages | 1 << 63 */
	P_DMA,		    /* the host page mapped in the host's IO domain (ctx.dma_pa) */
	P_BLK_WITH_DMA,	    /* 2 MiB of fresh host pages, one of which the host maps for DMA */
};

/* What a run sets up; the placeholders resolve against it. */
static struct {
	u64 vm;
	u64 other; /* a second VM, when a page state needs one */
	u64 own_pa;
	u64 block_pa;
	u64 img_pa; /* first page of this VM's (first) image */
	u64 img_pages;
	u64 page;
	bool no_io; /* S_NO_IO: kcore has no IO pool */
	u32 hdom;   /* the host's IO domain */
	u32 vdom;   /* the VM's IO domain, IO_FREE_ID if none */
	u64 dma_pa; /* the host page the host's domain maps at IOVA_DMA */
} ctx;

/* Signed once for the whole run: 4 KiB of payload, so 2 pages with the trailer. */
static uint8_t payload[4096];
static uint8_t *img_good, *img_bad;
static size_t img_size;

/* ---- small helpers -------------------------------------------------------- */

static void ok_hc(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 *out)
{
	s64 err = fx_hc(id, a1, a2, a3, a4, out);

	if (err != KCORE_OK)
		print_error("setup: call %llx(%llx, %llx, %llx, %llx) returned %lld\n",
			    (unsigned long long)id, (unsigned long long)a1, (unsigned long long)a2,
			    (unsigned long long)a3, (unsigned long long)a4, (long long)err);
	assert_int_equal(err, KCORE_OK);
}

static s64 guest(u64 vm, u32 vcpu, u64 id, u64 a1, u64 *x1)
{
	struct kcore_hvc_regs regs = {{id, a1, 0xdead, 0, 0, 0, 0, 0}};

	assert_true(vm_hvc_dispatch((u32)vm, vcpu, &regs));
	if (x1 != NULL)
		*x1 = regs.x[1];
	return (s64)regs.x[0];
}

static void activate(u64 vm, u32 vcpu)
{
	u64 pc = 0;

	assert_int_equal(vcpu_activate((u32)vm, vcpu, &pc), KCORE_OK);
}

static u64 host_read(u64 pa, enum sim_access_result expect)
{
	u64 v = 0;

	assert_int_equal(sim_host_access(ipa_init(pa), false, &v), expect);
	return v;
}

static u64 vm_read(u64 vm, u64 ipa)
{
	u64 v = 0;

	assert_int_equal(sim_vm_access((u32)vm, ipa_init(ipa), false, &v), SIM_OK);
	return v;
}

static void vm_write(u64 vm, u64 ipa, u64 v)
{
	assert_int_equal(sim_vm_access((u32)vm, ipa_init(ipa), true, &v), SIM_OK);
}

static u64 ram_u64(u64 pa)
{
	u64 v;

	memcpy(&v, sim_ram_ptr(pa_init(pa)), sizeof(v));
	return v;
}

static bool page_is_zero(u64 pa)
{
	const uint8_t *p = sim_ram_ptr(pa_init(pa));

	for (size_t i = 0; i < PG; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/* Where vm's stage-2 maps ipa (asserts that it does). */
static u64 vm_pa_of(u64 vm, u64 ipa)
{
	struct sim_xlate x;
	paddr_t root;

	assert_true(kcore_s2_root((u32)vm, &root));
	assert_int_equal(sim_s2_walk(root, 40, ipa_init(ipa), &x), SIM_XLATE_OK);
	return pa_addr(x.pa);
}

/* Writes img into fresh host pages, declares it and remaps the first nremap pages. */
static u64 load_image(u64 vm, u64 ipa, const uint8_t *img, u64 declared, u64 nremap, u64 *idx)
{
	u64 npages = (img_size + PG - 1) / PG;
	u64 pa = fx_host_alloc(npages * PG, PG);

	assert_int_equal(
	    sim_host_access_bytes(ipa_init(pa), (void *)(uintptr_t)img, img_size, true), SIM_OK);
	ok_hc(KC_HC_SET_BOOT_INFO, vm, ipa, declared, 0, idx);
	for (u64 i = 0; i < nremap; i++)
		ok_hc(KC_HC_REMAP_VM_IMAGE, vm, (pa >> 12) + i, *idx, 0, NULL);
	return pa;
}

/* Registers a VM with vCPUs 0 and 1. */
static u64 new_vm(void)
{
	u64 vm;

	ok_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vm);
	ok_hc(KC_HC_REGISTER_VCPU, vm, 0, 0, 0, NULL);
	ok_hc(KC_HC_REGISTER_VCPU, vm, 1, 0, 0, NULL);
	return vm;
}

static u64 donate_fresh(u64 vm, u64 ipa)
{
	u64 pa = fx_host_page();
	u64 v = PAT_HOST;

	assert_int_equal(sim_host_access(ipa_init(pa), true, &v), SIM_OK);
	ok_hc(KC_HC_VM_DONATE, vm, ipa, pa, PG, NULL);
	return pa;
}

/*
 * The VM under test, READY: vCPUs 0 and 1, a page at IPA_OWN, a device page
 * at IPA_IO, and its own IO domain with SID_VM attached. The domain maps
 * nothing: a VM that never ran has shared nothing (S_SHARED_VDOM maps it).
 */
static void vm_base(void)
{
	u64 dom;

	ctx.vm = new_vm();
	ctx.own_pa = donate_fresh(ctx.vm, IPA_OWN);
	ok_hc(KC_HC_VM_MAP_IO, ctx.vm, IPA_IO, FX_DEVICE_BASE, 0, NULL);
	if (ctx.no_io)
		return;
	ok_hc(KC_HC_IO_DOMAIN_ALLOC, ctx.vm, 0, 0, 0, &dom);
	ctx.vdom = (u32)dom;
	ok_hc(KC_HC_IO_ATTACH, dom, SID_VM, 0, 0, NULL);
}

/* Every machine: the host's IO domain, SID_HOST attached, a host page mapped at IOVA_DMA. */
static void io_base(void)
{
	u64 dom, v = PAT_HOST;

	ctx.vdom = IO_FREE_ID;
	if (ctx.no_io)
		return;
	ok_hc(KC_HC_IO_DOMAIN_ALLOC, OWNER_HOST, 0, 0, 0, &dom);
	ctx.hdom = (u32)dom;
	ok_hc(KC_HC_IO_ATTACH, dom, SID_HOST, 0, 0, NULL);
	/* Not the first host page: P_KIMAGE_NEAR_HOST needs that one untouched. */
	ctx.dma_pa = fx_host_alloc(2 * PG, PG) + PG;
	assert_int_equal(sim_host_access(ipa_init(ctx.dma_pa), true, &v), SIM_OK);
	ok_hc(KC_HC_IO_MAP, dom, IOVA_DMA, ctx.dma_pa, 0, NULL);
}

static void vm_image(const uint8_t *img, u64 declared, u64 nremap)
{
	u64 idx;

	ctx.img_pa = load_image(ctx.vm, FX_LOAD_IPA, img, declared, nremap, &idx);
	ctx.img_pages = (declared + PG - 1) / PG;
	assert_int_equal(idx, 0);
}

/* A second VM, VERIFIED (its own image at FX_LOAD_IPA). */
static u64 other_verified(void)
{
	u64 vm = fx_boot_vm(1, payload, sizeof(payload));

	assert_int_not_equal(vm, ctx.vm);
	return vm;
}

static u64 other_ready(void)
{
	u64 vm = new_vm();

	assert_int_not_equal(vm, ctx.vm);
	return vm;
}

/* Another VM's page that it shares with the host, which has read it; unshared if asked. */
static u64 other_shared_page(u64 pa, bool unshare)
{
	u64 vm = other_verified();

	ok_hc(KC_HC_VM_DONATE, vm, IPA_OWN, pa, PG, NULL);
	activate(vm, 0);
	vm_write(vm, IPA_OWN, PAT_VM2);
	assert_int_equal(guest(vm, 0, KC_GC_SHARE_PAGE, IPA_OWN, NULL), KCORE_OK);
	assert_int_equal(host_read(pa, SIM_OK), PAT_VM2);
	if (unshare)
		assert_int_equal(guest(vm, 0, KC_GC_UNSHARE_PAGE, IPA_OWN, NULL), KCORE_OK);
	vcpu_deactivate((u32)vm, 0);
	return vm;
}

static void clear_all(u64 vm)
{
	ok_hc(KC_HC_VM_CLEAR_RANGE, vm, 0, IPA_LIMIT, 0, NULL);
}

static void boot_for(enum setup s)
{
	struct fx_config c = fx_default_config();

	memset(&ctx, 0, sizeof(ctx));
	if (s == S_POOL_FULL || s == S_POOL_FULL_IMG)
		c.vm_pool_pages = 4; /* the root and one path of tables to a 4 KiB page */
	if (s == S_KPOOL_FULL)
		c.kcore_pool_pages = 4;
	if (s == S_IOPOOL_FULL)
		/*
		 * The host's domain (a root and one path of tables), the VM's root and
		 * a second host domain's root (allocated in do_setup). Even: an odd
		 * total of pool pages misaligns the carve-out's window log (kcore.c).
		 */
		c.io_pool_pages = 6;
	if (s == S_NO_IO) {
		c.io_pool_pages = 0;
		ctx.no_io = true;
	}
	fx_boot(&c);
	io_base();
}

static void do_setup(enum setup s)
{
	u64 idx;

	switch (s) {
	case S_NONE:
		ctx.vm = 1;
		break;
	case S_READY:
		vm_base();
		break;
	case S_IMG_DECL:
		vm_base();
		vm_image(img_good, img_size, 0);
		break;
	case S_IMG_PART:
		vm_base();
		vm_image(img_good, img_size, 1);
		break;
	case S_IMG_FULL:
		vm_base();
		vm_image(img_good, img_size, 2);
		ok_hc(KC_HC_VCPU_SET_ENTRY, ctx.vm, 0, FX_LOAD_IPA, 0, NULL);
		break;
	case S_TWO_IMG:
		do_setup(S_IMG_PART);
		ok_hc(KC_HC_SET_BOOT_INFO, ctx.vm, IPA_IMG2, PG, 0, &idx);
		assert_int_equal(idx, 1);
		break;
	case S_IMG_UNTRUSTED:
		vm_base();
		vm_image(img_bad, img_size, 2);
		ok_hc(KC_HC_VCPU_SET_ENTRY, ctx.vm, 0, FX_LOAD_IPA, 0, NULL);
		break;
	case S_IMG_SHORT:
		vm_base();
		vm_image(img_good, img_size - 1, 2);
		ok_hc(KC_HC_VCPU_SET_ENTRY, ctx.vm, 0, FX_LOAD_IPA, 0, NULL);
		break;
	case S_VERIFIED:
		do_setup(S_IMG_FULL);
		ok_hc(KC_HC_VERIFY_VM, ctx.vm, 0, 0, 0, NULL);
		break;
	case S_ACTIVE:
		do_setup(S_VERIFIED);
		activate(ctx.vm, 0);
		break;
	case S_RAN:
		do_setup(S_ACTIVE);
		vcpu_deactivate((u32)ctx.vm, 0);
		break;
	case S_SHARED:
		do_setup(S_ACTIVE);
		vm_write(ctx.vm, IPA_OWN, PAT_VM);
		assert_int_equal(guest(ctx.vm, 0, KC_GC_SHARE_PAGE, IPA_OWN, NULL), KCORE_OK);
		assert_int_equal(host_read(ctx.own_pa, SIM_OK), PAT_VM);
		break;
	case S_UNSHARED:
		do_setup(S_SHARED);
		assert_int_equal(guest(ctx.vm, 0, KC_GC_UNSHARE_PAGE, IPA_OWN, NULL), KCORE_OK);
		break;
	case S_BLOCK_ACTIVE:
		do_setup(S_VERIFIED);
		ctx.block_pa = fx_host_alloc(BLK, BLK);
		ok_hc(KC_HC_VM_DONATE, ctx.vm, IPA_BLOCK, ctx.block_pa, BLK, NULL);
		activate(ctx.vm, 0);
		break;
	case S_TWO_ACTIVE:
		do_setup(S_ACTIVE);
		ctx.other = other_verified();
		activate(ctx.other, 0);
		break;
	case S_OFF_ACTIVE:
		do_setup(S_ACTIVE);
		assert_int_equal(guest(ctx.vm, 0, PSCI_SYSTEM_OFF, 0, NULL), KCORE_OK);
		break;
	case S_OFF_GUEST:
		do_setup(S_OFF_ACTIVE);
		vcpu_deactivate((u32)ctx.vm, 0);
		break;
	case S_OFF_SHARED:
		do_setup(S_SHARED);
		assert_int_equal(guest(ctx.vm, 0, PSCI_SYSTEM_OFF, 0, NULL), KCORE_OK);
		vcpu_deactivate((u32)ctx.vm, 0);
		break;
	case S_OFF_HOST:
		do_setup(S_VERIFIED);
		ok_hc(KC_HC_VM_POWEROFF, ctx.vm, 0, 0, 0, NULL);
		break;
	case S_OFF_READY:
		do_setup(S_IMG_PART);
		ok_hc(KC_HC_VM_POWEROFF, ctx.vm, 0, 0, 0, NULL);
		break;
	case S_OFF_READY_CLEARED:
		do_setup(S_OFF_READY);
		clear_all(ctx.vm);
		break;
	case S_VFAIL:
		ctx.vm = new_vm();
		vm_image(img_bad, img_size, 2);
		ok_hc(KC_HC_VCPU_SET_ENTRY, ctx.vm, 0, FX_LOAD_IPA, 0, NULL);
		assert_int_equal(fx_hc(KC_HC_VERIFY_VM, ctx.vm, 0, 0, 0, NULL), KCORE_E_VERIFY);
		break;
	case S_CLEARED:
		do_setup(S_OFF_GUEST);
		clear_all(ctx.vm);
		break;
	case S_CLEARED_BUT_IO:
		do_setup(S_OFF_GUEST);
		ok_hc(KC_HC_VM_CLEAR_RANGE, ctx.vm, 0, IPA_IO, 0, NULL);
		ok_hc(KC_HC_VM_CLEAR_RANGE, ctx.vm, IPA_IO + PG, IPA_LIMIT - IPA_IO - PG, 0, NULL);
		break;
	case S_FREED:
		do_setup(S_CLEARED);
		ok_hc(KC_HC_VM_FREE, ctx.vm, 0, 0, 0, NULL);
		break;
	case S_FOUR_IMAGES:
		vm_base();
		for (u64 i = 0; i < KCORE_MAX_LOAD_IMAGES; i++)
			ok_hc(KC_HC_SET_BOOT_INFO, ctx.vm, FX_LOAD_IPA + i * 0x100000, PG, 0, NULL);
		break;
	case S_BLOCK_OFF:
		do_setup(S_VERIFIED);
		ctx.block_pa = fx_host_alloc(BLK, BLK);
		ok_hc(KC_HC_VM_DONATE, ctx.vm, IPA_BLOCK, ctx.block_pa, BLK, NULL);
		ok_hc(KC_HC_VM_POWEROFF, ctx.vm, 0, 0, 0, NULL);
		break;
	case S_VMS_FULL:
		for (u32 i = 0; i < fx_default_config().max_vms; i++)
			ok_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, NULL);
		ctx.vm = 1;
		break;
	case S_POOL_FULL:
		ctx.vm = new_vm();
		ctx.own_pa = donate_fresh(ctx.vm, IPA_OWN);
		break;
	case S_POOL_FULL_IMG:
		ctx.vm = new_vm();
		vm_image(img_good, img_size, 2);
		ctx.own_pa = donate_fresh(ctx.vm, IPA_OWN);
		break;
	case S_SHARED_DMA:
		do_setup(S_SHARED);
		ok_hc(KC_HC_IO_MAP, ctx.hdom, IOVA_SHARED, ctx.own_pa, 0, NULL);
		break;
	case S_SHARED_VDOM:
		do_setup(S_SHARED);
		ok_hc(KC_HC_IO_MAP, ctx.vdom, IPA_OWN, ctx.own_pa, 0, NULL);
		break;
	case S_OFF_SHARED_DMA:
		do_setup(S_SHARED_DMA);
		assert_int_equal(guest(ctx.vm, 0, PSCI_SYSTEM_OFF, 0, NULL), KCORE_OK);
		vcpu_deactivate((u32)ctx.vm, 0);
		break;
	case S_HOST_DETACHED:
		vm_base();
		ok_hc(KC_HC_IO_DETACH, SID_HOST, 0, 0, 0, NULL);
		break;
	case S_DOMS_FULL:
		vm_base();
		while (fx_hc(KC_HC_IO_DOMAIN_ALLOC, OWNER_HOST, 0, 0, 0, NULL) == KCORE_OK)
			;
		break;
	case S_IOPOOL_FULL:
		vm_base();
		ok_hc(KC_HC_IO_DOMAIN_ALLOC, OWNER_HOST, 0, 0, 0, NULL);
		assert_int_equal(iommu_pool()->nr_free, 0);
		break;
	case S_NO_IO:
		vm_base();
		break;
	case S_KPOOL_FULL: {
		/* One 2 MiB-aligned window: its 512 pages fill one table; page 513 needs another.
		 */
		u64 pa = fx_host_alloc(512 * PG, PG);

		ctx.vm = new_vm();
		ok_hc(KC_HC_SET_BOOT_INFO, ctx.vm, FX_LOAD_IPA, 513 * PG, 0, &idx);
		for (u64 i = 0; i < 512; i++)
			ok_hc(KC_HC_REMAP_VM_IMAGE, ctx.vm, (pa >> 12) + i, idx, 0, NULL);
		break;
	}
	}
}

/* A fresh 2 MiB run with one page (index 100) in some other state. */
#define BLK_ODD_PAGE (100 * PG)

static void prep_page(enum page p)
{
	u64 v = PAT_HOST, o;

	switch (p) {
	case P_NONE:
		break;
	case P_FRESH:
		ctx.page = fx_host_page();
		break;
	case P_TOUCHED:
		ctx.page = fx_host_page();
		assert_int_equal(sim_host_access(ipa_init(ctx.page), true, &v), SIM_OK);
		break;
	case P_SCRUBBED:
		o = other_ready();
		ctx.page = donate_fresh(o, IPA_OWN);
		ok_hc(KC_HC_VM_POWEROFF, o, 0, 0, 0, NULL);
		clear_all(o);
		break;
	case P_FREED_IMG:
		o = other_ready();
		ctx.page = load_image(o, FX_LOAD_IPA, img_bad, img_size, 2, &v);
		assert_int_equal(fx_hc(KC_HC_VERIFY_VM, o, 0, 0, 0, NULL), KCORE_E_VERIFY);
		ok_hc(KC_HC_VM_FREE, o, 0, 0, 0, NULL);
		break;
	case P_OWN:
		assert_int_not_equal(ctx.own_pa, 0);
		ctx.page = ctx.own_pa;
		break;
	case P_OWN_BLOCK:
		assert_int_not_equal(ctx.block_pa, 0);
		ctx.page = ctx.block_pa + 5 * PG;
		break;
	case P_IMG_LOADED:
	case P_AWAIT_OWN:
		assert_int_not_equal(ctx.img_pa, 0);
		ctx.page = ctx.img_pa;
		assert_int_equal(fx_owner(ctx.page), p == P_AWAIT_OWN ? OWNER_KCORE : ctx.vm);
		break;
	case P_OTHER:
		ctx.other = other_ready();
		ctx.page = donate_fresh(ctx.other, IPA_OWN);
		break;
	case P_OTHER_SHARED:
	case P_UNSHARED:
		ctx.page = fx_host_page();
		ctx.other = other_shared_page(ctx.page, p == P_UNSHARED);
		break;
	case P_AWAIT:
		ctx.other = other_ready();
		ctx.page = load_image(ctx.other, FX_LOAD_IPA, img_good, img_size, 1, &v);
		break;
	case P_KIMAGE:
		ctx.page = FX_RAM_BASE;
		break;
	case P_KIMAGE_END:
		ctx.page = KIMG_LAST;
		break;
	case P_CARVE:
		ctx.page = CARVE_PAGE;
		break;
	case P_POOL:
		ctx.page = pa_addr(host_s2_table()->root);
		break;
	case P_VMPOOL: {
		paddr_t root;

		assert_true(kcore_s2_root((u32)ctx.vm, &root));
		ctx.page = pa_addr(root);
		break;
	}
	case P_KMAP_ROOT:
		ctx.page = pa_addr(kcore_s1_root());
		break;
	case P_DEVICE:
		ctx.page = FX_DEVICE_BASE;
		break;
	case P_DEV_TOUCHED:
		ctx.page = FX_DEVICE_BASE;
		assert_int_equal(host_read(ctx.page, SIM_NOT_RAM), 0);
		assert_true(sim_can_access(0, ipa_init(ctx.page), true));
		break;
	case P_DEV_UNALIGNED:
		ctx.page = FX_DEVICE_BASE + 0x800;
		break;
	case P_DEV_HIGH:
		ctx.page = FX_DEVICE_BASE | TOP;
		break;
	case P_DEV_ALIAS48:
		ctx.page = FX_DEVICE_BASE | (1ull << 48);
		break;
	case P_KDEVICE:
		ctx.page = FX_KCORE_DEVICE;
		break;
	case P_KDEV_ALIAS48:
		ctx.page = FX_KCORE_DEVICE | (1ull << 48);
		break;
	case P_KDEV_NEAR_DEV:
		assert_int_equal(host_read(FX_DEVICE_BASE, SIM_NOT_RAM), 0);
		ctx.page = FX_KCORE_DEVICE;
		break;
	case P_KIMAGE_NEAR_HOST:
		assert_int_equal(host_read(KIMG_LAST + PG, SIM_OK), 0);
		ctx.page = KIMG_LAST;
		break;
	case P_CARVE_NEAR_HOST:
		ctx.page = pa_addr(kcore_params()->carve.base);
		assert_int_equal(fx_owner(ctx.page - PG), OWNER_HOST);
		assert_int_equal(host_read(ctx.page - PG, SIM_OK), 0);
		break;
	case P_NONRAM:
		ctx.page = NONRAM_PA;
		break;
	case P_RAM_END:
		ctx.page = RAM_END;
		break;
	case P_MEDIATED:
		ctx.page = FX_MEDIATED_DEVICE;
		break;
	case P_DENIED:
		ctx.page = FX_DENIED_DEVICE;
		break;
	case P_SMMU_WIN:
		ctx.page = FX_SMMU_WINDOW + 0x5000;
		break;
	case P_BEYOND:
		ctx.page = IPA_LIMIT;
		break;
	case P_UNALIGNED:
		ctx.page = fx_host_page() + 0x800;
		break;
	case P_HIGH:
		ctx.page = fx_host_page() | TOP;
		break;
	case P_ALIAS48:
		ctx.page = fx_host_page() | (1ull << 48);
		break;
	case P_BLK_FRESH:
		ctx.page = fx_host_alloc(BLK, BLK);
		break;
	case P_BLK_TOUCHED:
		ctx.page = fx_host_alloc(BLK, BLK);
		for (u64 off = 0; off < BLK; off += 255 * PG)
			assert_int_equal(sim_host_access(ipa_init(ctx.page + off), true, &v),
					 SIM_OK);
		break;
	case P_BLK_UNALIGNED:
		ctx.page = fx_host_alloc(BLK + PG, BLK) + PG;
		break;
	case P_BLK_DONATED:
		ctx.page = fx_host_alloc(BLK, BLK);
		ok_hc(KC_HC_VM_DONATE, ctx.vm, IPA_BLOCK, ctx.page, BLK, NULL);
		break;
	case P_BLK_WITH_OWN:
		ctx.page = fx_host_alloc(BLK, BLK);
		ok_hc(KC_HC_VM_DONATE, ctx.vm, IPA_AUX, ctx.page + BLK_ODD_PAGE, PG, NULL);
		break;
	case P_BLK_WITH_OTHER:
		ctx.other = other_ready();
		ctx.page = fx_host_alloc(BLK, BLK);
		ok_hc(KC_HC_VM_DONATE, ctx.other, IPA_OWN, ctx.page + BLK_ODD_PAGE, PG, NULL);
		break;
	case P_BLK_WITH_SHARED:
		ctx.page = fx_host_alloc(BLK, BLK);
		ctx.other = other_shared_page(ctx.page + BLK_ODD_PAGE, false);
		break;
	case P_BLK_WITH_AWAIT:
		ctx.other = other_ready();
		ctx.page = fx_host_alloc(BLK, BLK);
		ok_hc(KC_HC_SET_BOOT_INFO, ctx.other, FX_LOAD_IPA, PG, 0, &o);
		ok_hc(KC_HC_REMAP_VM_IMAGE, ctx.other, (ctx.page + BLK_ODD_PAGE) >> 12, o, 0, NULL);
		break;
	case P_BLK_KIMAGE:
		ctx.page = FX_RAM_BASE;
		break;
	case P_BLK_CARVE:
		ctx.page = RAM_END - BLK;
		break;
	case P_BLK_DEVICE:
		ctx.page = FX_DEVICE_BASE;
		break;
	case P_BLK_NONRAM:
		ctx.page = NONRAM_PA;
		break;
	case P_BLK_HIGH:
		ctx.page = fx_host_alloc(BLK, BLK) | TOP;
		break;
	case P_DMA:
		ctx.page = ctx.dma_pa;
		assert_int_equal(fx_dma_count(ctx.page), 1);
		break;
	case P_BLK_WITH_DMA:
		ctx.page = fx_host_alloc(BLK, BLK);
		ok_hc(KC_HC_IO_MAP, ctx.hdom, IOVA_NEW, ctx.page + BLK_ODD_PAGE, 0, NULL);
		break;
	}
}

static u64 resolve(u64 v)
{
	switch (v) {
	case X_VM:
		return ctx.vm;
	case X_PA:
		return ctx.page;
	case X_PFN:
		return ctx.page >> 12;
	case X_PFNWRAP:
		return (ctx.page >> 12) | (1ull << 52);
	case X_HDOM:
		return ctx.hdom;
	case X_VDOM:
		return ctx.vdom;
	default:
		return v;
	}
}

static void prepare(enum setup s, enum page p)
{
	boot_for(s);
	do_setup(s);
	prep_page(p);
	/* Prime the TLB with every translation, so a missing invalidation shows. */
	fx_check();
}

/*
 * Which row runs, and whether it got to its end: a failed assertion leaves a row
 * early, and the teardown then names it.
 */
static const char *cur_row;
static bool row_done;

static void row_start(const char *name)
{
	cur_row = name;
	row_done = false;
}

static int row_teardown(void **state)
{
	(void)state;
	if (!row_done)
		print_error("FAILED ROW: %s\n", cur_row != NULL ? cur_row : "?");
	return 0;
}

/* ---- host calls ------------------------------------------------------------ */

struct hc_row {
	const char *what;
	enum setup setup;
	enum page page;
	u64 id;
	u64 a[4];
	s64 expect;
	s64 also; /* another refusal the doc allows here (it does not order its checks) */
	char *name;
};

#define R(s, p, what, id, a1, a2, a3, a4, ex)                 \
	{                                                     \
		what, s, p, id, {a1, a2, a3, a4}, ex, 0, NULL \
	}
#define R2(s, p, what, id, a1, a2, a3, a4, ex, al)             \
	{                                                      \
		what, s, p, id, {a1, a2, a3, a4}, ex, al, NULL \
	}

/* Per call, with the arguments most rows use. */
#define REG_VCPU(s, what, vm, vcpu, ex) R(s, P_NONE, what, KC_HC_REGISTER_VCPU, vm, vcpu, 0, 0, ex)
#define BOOTINFO(s, what, vm, ipa, size, ex) \
	R(s, P_NONE, what, KC_HC_SET_BOOT_INFO, vm, ipa, size, 0, ex)
#define REMAP(s, p, what, pfn, idx, ex) R(s, p, what, KC_HC_REMAP_VM_IMAGE, X_VM, pfn, idx, 0, ex)
#define REMAP2(s, p, what, pfn, idx, ex, al) \
	R2(s, p, what, KC_HC_REMAP_VM_IMAGE, X_VM, pfn, idx, 0, ex, al)
#define VERIFY_VM(s, what, vm, ex) R(s, P_NONE, what, KC_HC_VERIFY_VM, vm, 0, 0, 0, ex)
#define ENTRY(s, what, vm, vcpu, pc, ex) \
	R(s, P_NONE, what, KC_HC_VCPU_SET_ENTRY, vm, vcpu, pc, 0, ex)
#define DONATE(s, p, what, ipa, pa, size, ex) \
	R(s, p, what, KC_HC_VM_DONATE, X_VM, ipa, pa, size, ex)
#define DONATE2(s, p, what, ipa, pa, size, ex, al) \
	R2(s, p, what, KC_HC_VM_DONATE, X_VM, ipa, pa, size, ex, al)
#define MAP_IO(s, p, what, ipa, pa, ex) R(s, p, what, KC_HC_VM_MAP_IO, X_VM, ipa, pa, 0, ex)
#define POWEROFF(s, what, vm, ex)	R(s, P_NONE, what, KC_HC_VM_POWEROFF, vm, 0, 0, 0, ex)
#define CLEAR(s, what, vm, ipa, size, ex) \
	R(s, P_NONE, what, KC_HC_VM_CLEAR_RANGE, vm, ipa, size, 0, ex)
#define FREE(s, what, vm, ex)		      R(s, P_NONE, what, KC_HC_VM_FREE, vm, 0, 0, 0, ex)
#define IO_ALLOC(s, what, owner, ex)	      R(s, P_NONE, what, KC_HC_IO_DOMAIN_ALLOC, owner, 0, 0, 0, ex)
#define IO_FREE(s, what, dom, ex)	      R(s, P_NONE, what, KC_HC_IO_DOMAIN_FREE, dom, 0, 0, 0, ex)
#define IO_ATTACH(s, what, dom, sid, ex)      R(s, P_NONE, what, KC_HC_IO_ATTACH, dom, sid, 0, 0, ex)
#define IO_DETACH(s, what, sid, ex)	      R(s, P_NONE, what, KC_HC_IO_DETACH, sid, 0, 0, 0, ex)
#define IO_MAP(s, p, what, dom, iova, pa, ex) R(s, p, what, KC_HC_IO_MAP, dom, iova, pa, 0, ex)
#define IO_UNMAP(s, what, dom, iova, ex)      R(s, P_NONE, what, KC_HC_IO_UNMAP, dom, iova, 0, 0, ex)
#define IO_XLATE(s, what, dom, iova, ex) \
	R(s, P_NONE, what, KC_HC_IO_IOVA_TO_PHYS, dom, iova, 0, 0, ex)

/* The VM ids no call may accept: 0 is the host, 5 is past max_vms (4), and two truncations. */
#define BAD_IDS(M, s, ...)                                                                     \
	M(s, "vmid 0 (the host)", 0, __VA_ARGS__), M(s, "vmid 5 (> max_vms)", 5, __VA_ARGS__), \
	    M(s, "vmid 32 (KCORE_MAX_VMS)", 32, __VA_ARGS__),                                  \
	    M(s, "vmid 0x100000001 (truncates to VM 1)", 0x100000001ull, __VA_ARGS__),         \
	    M(s, "vmid ~0", ~0ull, __VA_ARGS__)

#define ID_REG_VCPU(s, what, vm, ...) REG_VCPU(s, what, vm, 2, INVAL)
#define ID_BOOTINFO(s, what, vm, ...) BOOTINFO(s, what, vm, IPA_IMG2, PG, INVAL)
#define ID_REMAP(s, what, vm, ...)    R(s, P_FRESH, what, KC_HC_REMAP_VM_IMAGE, vm, X_PFN, 0, 0, INVAL)
#define ID_VERIFY(s, what, vm, ...)   VERIFY_VM(s, what, vm, INVAL)
#define ID_ENTRY(s, what, vm, ...)    ENTRY(s, what, vm, 1, FX_LOAD_IPA, INVAL)
#define ID_DONATE(s, what, vm, ...) \
	R(s, P_FRESH, what, KC_HC_VM_DONATE, vm, IPA_NEW, X_PA, PG, INVAL)
#define ID_MAP_IO(s, what, vm, ...) \
	R(s, P_NONE, what, KC_HC_VM_MAP_IO, vm, IPA_NEW, FX_DEVICE_BASE, 0, INVAL)
#define ID_POWEROFF(s, what, vm, ...) POWEROFF(s, what, vm, INVAL)
#define ID_CLEAR(s, what, vm, ...)    CLEAR(s, what, vm, 0, IPA_LIMIT, INVAL)
#define ID_FREE(s, what, vm, ...)     FREE(s, what, vm, INVAL)

static struct hc_row hc_rows[] = {
    /* ---- function ids ---- */
    R(S_NONE, P_NONE, "VERSION", KC_HC_VERSION, 0, 0, 0, 0, OK),
    R(S_VERIFIED, P_NONE, "CHECK_INVARIANTS", KC_HC_CHECK_INVARIANTS, 0, 0, 0, 0, OK),
    R(S_VERIFIED, P_NONE, "unknown id KCORE_HC(0x30)", KCORE_HC(0x30), X_VM, 0, 0, 0, NOSUP),
    R(S_VERIFIED, P_NONE, "function id 0", 0, X_VM, 0, 0, 0, NOSUP),
    R(S_VERIFIED, P_NONE, "one past the last call, KCORE_HC(0x21)", KCORE_HC(0x21), X_VM, 0, 0, 0,
      NOSUP),
    R(S_NONE, P_NONE, "KEY_INFO of the one trusted key", KC_HC_KEY_INFO, 0, 0, 0, 0, OK),
    R(S_NONE, P_NONE, "KEY_INFO past the last key", KC_HC_KEY_INFO, 1, 0, 0, 0, INVAL),
    R(S_NONE, P_NONE, "KEY_INFO index 0x1_0000_0000", KC_HC_KEY_INFO, 1ull << 32, 0, 0, 0, INVAL),
    R(S_VERIFIED, P_NONE, "guest call KC_GC_SHARE_PAGE from the host", KC_GC_SHARE_PAGE, IPA_OWN, 0,
      0, 0, NOSUP),
    R(S_VERIFIED, P_NONE, "guest call KC_GC_VERSION from the host", KC_GC_VERSION, 0, 0, 0, 0,
      NOSUP),
    R(S_VERIFIED, P_NONE, "PSCI SYSTEM_OFF from the host", PSCI_SYSTEM_OFF, 0, 0, 0, 0, NOSUP),
    R(S_VERIFIED, P_NONE, "VM_POWEROFF with bit 32 set in the id", KC_HC_VM_POWEROFF | (1ull << 32),
      X_VM, 0, 0, 0, NOSUP),
    R(S_CLEARED, P_NONE, "VM_FREE as an SMC32 id (0x8600000b)", 0x8600000bull, X_VM, 0, 0, 0,
      NOSUP),
    R(S_VERIFIED, P_NONE, "function id ~0", ~0ull, X_VM, 0, 0, 0, NOSUP),

    /* ---- REGISTER_VM ---- */
    R(S_NONE, P_NONE, "fresh machine", KC_HC_REGISTER_VM, 0, 0, 0, 0, OK),
    R(S_VMS_FULL, P_NONE, "every slot taken", KC_HC_REGISTER_VM, 0, 0, 0, 0, NOMEM),
    R(S_FREED, P_NONE, "reuses a freed slot", KC_HC_REGISTER_VM, 0, 0, 0, 0, OK),

    /* ---- REGISTER_VCPU: needs VM READY and vCPU UNUSED ---- */
    REG_VCPU(S_NONE, "UNUSED slot", X_VM, 2, STATE),
    REG_VCPU(S_READY, "READY", X_VM, 2, OK),
    REG_VCPU(S_READY, "READY, last vcpuid (3)", X_VM, 3, OK),
    REG_VCPU(S_IMG_PART, "READY, image half remapped", X_VM, 2, OK),
    REG_VCPU(S_IMG_FULL, "READY, image complete", X_VM, 2, OK),
    REG_VCPU(S_VERIFIED, "VERIFIED", X_VM, 2, STATE),
    REG_VCPU(S_ACTIVE, "VERIFIED, vCPU 0 ACTIVE", X_VM, 2, STATE),
    REG_VCPU(S_OFF_GUEST, "POWEROFF by the guest", X_VM, 2, STATE),
    REG_VCPU(S_OFF_HOST, "POWEROFF by the host", X_VM, 2, STATE),
    REG_VCPU(S_OFF_READY, "POWEROFF before verification", X_VM, 2, STATE),
    REG_VCPU(S_VFAIL, "image rejected by VERIFY_VM", X_VM, 2, STATE),
    REG_VCPU(S_CLEARED, "POWEROFF, cleared", X_VM, 2, STATE),
    REG_VCPU(S_FREED, "freed (UNUSED again)", X_VM, 2, STATE),
    REG_VCPU(S_READY, "vCPU 0 twice", X_VM, 0, STATE),
    REG_VCPU(S_READY, "vcpuid 4 (= max_vcpus)", X_VM, 4, INVAL),
    REG_VCPU(S_READY, "vcpuid 16 (KCORE_MAX_VCPUS)", X_VM, 16, INVAL),
    REG_VCPU(S_READY, "vcpuid 0x100000002 (truncates to 2)", X_VM, 0x100000002ull, INVAL),
    REG_VCPU(S_READY, "vcpuid ~0", X_VM, ~0ull, INVAL),
    BAD_IDS(ID_REG_VCPU, S_READY, 0),

    /* ---- SET_BOOT_INFO: needs VM READY, < 4 images, range free ---- */
    BOOTINFO(S_NONE, "UNUSED slot", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_READY, "READY, first image", X_VM, IPA_IMG2, PG, OK),
    BOOTINFO(S_IMG_DECL, "READY, second image", X_VM, IPA_IMG2, PG, OK),
    BOOTINFO(S_IMG_PART, "READY, first image half remapped", X_VM, IPA_IMG2, PG, OK),
    BOOTINFO(S_IMG_FULL, "READY, first image complete", X_VM, IPA_IMG2, PG, OK),
    BOOTINFO(S_VERIFIED, "VERIFIED", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_ACTIVE, "VERIFIED, vCPU ACTIVE", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_OFF_GUEST, "POWEROFF by the guest", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_OFF_HOST, "POWEROFF by the host", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_OFF_READY, "POWEROFF before verification", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_VFAIL, "image rejected by VERIFY_VM", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_FREED, "freed", X_VM, IPA_IMG2, PG, STATE),
    BOOTINFO(S_IMG_FULL, "size 0", X_VM, IPA_IMG2, 0, INVAL),
    BOOTINFO(S_IMG_FULL, "size 1", X_VM, IPA_IMG2, 1, INVAL),
    BOOTINFO(S_IMG_FULL, "size 256 (trailer only)", X_VM, IPA_IMG2, 256, INVAL),
    BOOTINFO(S_IMG_FULL, "size 257 (one payload byte)", X_VM, IPA_IMG2, 257, OK),
    BOOTINFO(S_IMG_FULL, "size 8 KiB", X_VM, IPA_IMG2, 2 * PG, OK),
    BOOTINFO(S_IMG_FULL, "size 17 MiB (more than the 16 MiB window)", X_VM, IPA_IMG2, 17ull << 20,
	     NOMEM),
    R2(S_IMG_FULL, P_NONE, "size 512 MiB + 1 (no maximum in the doc)", KC_HC_SET_BOOT_INFO, X_VM,
       IPA_IMG2, (512ull << 20) + 1, 0, INVAL, NOMEM),
    BOOTINFO(S_IMG_FULL, "size 1 << 63", X_VM, IPA_IMG2, TOP, INVAL),
    BOOTINFO(S_IMG_FULL, "size ~0", X_VM, IPA_IMG2, ~0ull, INVAL),
    BOOTINFO(S_IMG_FULL, "IPA unaligned", X_VM, IPA_IMG2 + 0x10, PG, INVAL),
    BOOTINFO(S_IMG_FULL, "IPA 1 << 40 (outside the IPA space)", X_VM, IPA_LIMIT, PG, INVAL),
    BOOTINFO(S_IMG_FULL, "IPA 1 << 40 | IPA_IMG2", X_VM, IPA_LIMIT | IPA_IMG2, PG, INVAL),
    BOOTINFO(S_IMG_FULL, "IPA 1 << 63 | IPA_IMG2", X_VM, TOP | IPA_IMG2, PG, INVAL),
    BOOTINFO(S_IMG_FULL, "last page of the IPA space", X_VM, IPA_LIMIT - PG, PG, OK),
    BOOTINFO(S_IMG_FULL, "ends past the IPA space", X_VM, IPA_LIMIT - PG, PG + 1, INVAL),
    BOOTINFO(S_IMG_FULL, "same IPA as the first image", X_VM, FX_LOAD_IPA, PG, EXIST),
    BOOTINFO(S_IMG_FULL, "overlaps the first image's tail", X_VM, FX_LOAD_IPA + PG, PG, EXIST),
    BOOTINFO(S_IMG_FULL, "runs into the first image", X_VM, FX_LOAD_IPA - PG, PG + 1, EXIST),
    BOOTINFO(S_IMG_FULL, "right after the first image", X_VM, FX_LOAD_IPA + 2 * PG, PG, OK),
    BOOTINFO(S_IMG_FULL, "over donated memory", X_VM, IPA_OWN, PG, EXIST),
    BOOTINFO(S_IMG_FULL, "runs into donated memory", X_VM, IPA_OWN - PG, PG + 1, EXIST),
    BOOTINFO(S_IMG_FULL, "over the device page", X_VM, IPA_IO, PG, EXIST),
    BOOTINFO(S_FOUR_IMAGES, "5th image", X_VM, IPA_IMG2, PG, NOMEM),
    BAD_IDS(ID_BOOTINFO, S_READY, 0),

    /* ---- REMAP_VM_IMAGE: VM READY; page the host's, unshared; image not complete ---- */
    REMAP2(S_NONE, P_FRESH, "UNUSED slot (no image either)", X_PFN, 0, STATE, INVAL),
    REMAP(S_READY, P_FRESH, "READY, no image: load_idx 0 out of range", X_PFN, 0, INVAL),
    REMAP(S_IMG_DECL, P_FRESH, "READY, first page", X_PFN, 0, OK),
    REMAP(S_IMG_PART, P_FRESH, "READY, second page", X_PFN, 0, OK),
    REMAP(S_IMG_FULL, P_FRESH, "READY, image already complete", X_PFN, 0, EXIST),
    REMAP(S_TWO_IMG, P_FRESH, "second image while the first is incomplete", X_PFN, 1, OK),
    REMAP2(S_VERIFIED, P_FRESH, "VERIFIED", X_PFN, 0, STATE, EXIST),
    REMAP2(S_ACTIVE, P_FRESH, "VERIFIED, vCPU ACTIVE", X_PFN, 0, STATE, EXIST),
    REMAP2(S_OFF_GUEST, P_FRESH, "POWEROFF by the guest", X_PFN, 0, STATE, EXIST),
    REMAP2(S_OFF_HOST, P_FRESH, "POWEROFF by the host", X_PFN, 0, STATE, EXIST),
    REMAP(S_OFF_READY, P_FRESH, "POWEROFF with the image half remapped", X_PFN, 0, STATE),
    REMAP2(S_VFAIL, P_FRESH, "image rejected by VERIFY_VM", X_PFN, 0, STATE, EXIST),
    REMAP2(S_FREED, P_FRESH, "freed", X_PFN, 0, STATE, INVAL),
    REMAP(S_IMG_PART, P_TOUCHED, "host page the host has mapped", X_PFN, 0, OK),
    REMAP(S_IMG_PART, P_SCRUBBED, "host page back from a VM", X_PFN, 0, OK),
    REMAP(S_IMG_PART, P_FREED_IMG, "host page back from a rejected image", X_PFN, 0, OK),
    REMAP(S_IMG_PART, P_OWN, "page donated to this VM", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_AWAIT_OWN, "this image's page again", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_OTHER, "another VM's page", X_PFN, 0, PERM),
    REMAP2(S_IMG_PART, P_OTHER_SHARED, "another VM's page it shares", X_PFN, 0, PERM, BUSY),
    REMAP(S_IMG_PART, P_UNSHARED, "another VM's page it unshared", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_AWAIT, "another VM's image page awaiting verification", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_KIMAGE, "kcore's image (FX_RAM_BASE)", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_KIMAGE_END, "kcore's image, last page", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_CARVE, "kcore's carve-out (top of RAM)", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_POOL, "host stage-2 root", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_VMPOOL, "this VM's stage-2 root", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_KMAP_ROOT, "kcore's stage-1 root", X_PFN, 0, PERM),
    REMAP(S_IMG_PART, P_DEVICE, "device page", X_PFN, 0, INVAL),
    REMAP2(S_IMG_PART, P_KDEVICE, "kcore's device", X_PFN, 0, INVAL, PERM),
    REMAP(S_IMG_PART, P_NONRAM, "beyond RAM, no known device", X_PFN, 0, INVAL),
    REMAP(S_IMG_PART, P_RAM_END, "first frame after RAM", X_PFN, 0, INVAL),
    REMAP(S_IMG_PART, P_HIGH, "pfn of a host page | 1 << 63 (pfn bit 51)", X_PFN, 0, INVAL),
    REMAP(S_IMG_PART, P_ALIAS48, "pfn of a host page | 1 << 48 (pfn bit 36)", X_PFN, 0, INVAL),
    REMAP(S_IMG_PART, P_FRESH, "pfn | 1 << 52 (pfn << 12 wraps to the page)", X_PFNWRAP, 0, INVAL),
    REMAP(S_IMG_PART, P_NONE, "pfn ~0", ~0ull, 0, INVAL),
    REMAP(S_IMG_PART, P_FRESH, "load_idx 1 (one image)", X_PFN, 1, INVAL),
    REMAP(S_IMG_PART, P_FRESH, "load_idx 4", X_PFN, 4, INVAL),
    REMAP(S_IMG_PART, P_FRESH, "load_idx 0x100000000 (truncates to 0)", X_PFN, 0x100000000ull,
	  INVAL),
    REMAP(S_IMG_PART, P_FRESH, "load_idx ~0", X_PFN, ~0ull, INVAL),
    REMAP(S_KPOOL_FULL, P_FRESH, "kcore's table pool exhausted", X_PFN, 0, NOMEM),
    REMAP(S_IMG_PART, P_DMA, "host page the host maps for DMA", X_PFN, 0, BUSY),
    BAD_IDS(ID_REMAP, S_IMG_PART, 0),

    /* ---- VERIFY_VM: VM READY, >= 1 image, every image complete ---- */
    VERIFY_VM(S_NONE, "UNUSED slot", X_VM, STATE),
    VERIFY_VM(S_READY, "no image", X_VM, STATE),
    VERIFY_VM(S_IMG_DECL, "image declared, nothing remapped", X_VM, STATE),
    VERIFY_VM(S_IMG_PART, "image incomplete", X_VM, STATE),
    VERIFY_VM(S_IMG_FULL, "image complete", X_VM, OK),
    VERIFY_VM(S_TWO_IMG, "second image incomplete", X_VM, STATE),
    VERIFY_VM(S_VERIFIED, "twice", X_VM, STATE),
    VERIFY_VM(S_ACTIVE, "VERIFIED, vCPU ACTIVE", X_VM, STATE),
    VERIFY_VM(S_RAN, "VERIFIED, vCPU has run", X_VM, STATE),
    VERIFY_VM(S_OFF_GUEST, "POWEROFF by the guest", X_VM, STATE),
    VERIFY_VM(S_OFF_HOST, "POWEROFF by the host", X_VM, STATE),
    VERIFY_VM(S_OFF_READY, "POWEROFF before verification", X_VM, STATE),
    VERIFY_VM(S_VFAIL, "again after it rejected the image", X_VM, STATE),
    VERIFY_VM(S_CLEARED, "POWEROFF, cleared", X_VM, STATE),
    VERIFY_VM(S_FREED, "freed", X_VM, STATE),
    VERIFY_VM(S_POOL_FULL_IMG, "no table pages left for the image", X_VM, NOMEM),
    VERIFY_VM(S_IMG_UNTRUSTED, "image signed with an untrusted key", X_VM, VERIFY),
    VERIFY_VM(S_IMG_SHORT, "image declared one byte short", X_VM, VERIFY),
    BAD_IDS(ID_VERIFY, S_IMG_FULL, 0),

    /*
     * ---- VCPU_SET_ENTRY: the boot vCPU (0) only, else PERM (the others start only by the
     * guest's CPU_ON); VM READY or VERIFIED, vCPU READY and no vCPU of the VM ever ran,
     * else STATE; PC 4-byte aligned ----
     */
    ENTRY(S_NONE, "UNUSED slot", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_READY, "READY", X_VM, 0, FX_LOAD_IPA, OK),
    ENTRY(S_IMG_FULL, "READY, image complete", X_VM, 0, FX_LOAD_IPA + 4, OK),
    ENTRY(S_VERIFIED, "VERIFIED, vCPU 0 again before it ran", X_VM, 0, FX_LOAD_IPA + 4, OK),
    ENTRY(S_READY, "READY, vCPU 1 (not the boot vCPU)", X_VM, 1, FX_LOAD_IPA, PERM),
    ENTRY(S_VERIFIED, "VERIFIED, vCPU 1 (not the boot vCPU)", X_VM, 1, FX_LOAD_IPA, PERM),
    ENTRY(S_ACTIVE, "vCPU 1 while vCPU 0 runs", X_VM, 1, FX_LOAD_IPA, PERM),
    ENTRY(S_ACTIVE, "vCPU 0 while ACTIVE", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_RAN, "vCPU 0 after it ran", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_RAN, "vCPU 1, never run, after vCPU 0 ran", X_VM, 1, FX_LOAD_IPA, PERM),
    ENTRY(S_OFF_GUEST, "POWEROFF by the guest", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_OFF_HOST, "POWEROFF by the host", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_OFF_READY, "POWEROFF before verification", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_VFAIL, "image rejected by VERIFY_VM", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_FREED, "freed", X_VM, 0, FX_LOAD_IPA, STATE),
    ENTRY(S_READY, "PC + 2 (unaligned)", X_VM, 0, FX_LOAD_IPA + 2, INVAL),
    ENTRY(S_READY, "PC + 1 (unaligned)", X_VM, 0, FX_LOAD_IPA + 1, INVAL),
    ENTRY(S_READY, "PC outside any image (checked at first run)", X_VM, 0, 0x1000, OK),
    ENTRY(S_READY, "unregistered vCPU 2", X_VM, 2, FX_LOAD_IPA, PERM),
    ENTRY(S_READY, "vcpuid 4", X_VM, 4, FX_LOAD_IPA, INVAL),
    ENTRY(S_READY, "vcpuid 0x100000001 (truncates to 1)", X_VM, 0x100000001ull, FX_LOAD_IPA, INVAL),
    BAD_IDS(ID_ENTRY, S_READY, 0),

    /* ---- VM_DONATE: VM READY or VERIFIED; pages the host's, unshared; IPA free ---- */
    DONATE(S_NONE, P_FRESH, "UNUSED slot", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_READY, P_FRESH, "READY", IPA_NEW, X_PA, PG, OK),
    DONATE(S_IMG_DECL, P_FRESH, "READY, image declared", IPA_NEW, X_PA, PG, OK),
    DONATE(S_IMG_PART, P_FRESH, "READY, image half remapped", IPA_NEW, X_PA, PG, OK),
    DONATE(S_IMG_FULL, P_FRESH, "READY, image complete", IPA_NEW, X_PA, PG, OK),
    DONATE(S_VERIFIED, P_FRESH, "VERIFIED", IPA_NEW, X_PA, PG, OK),
    DONATE(S_ACTIVE, P_FRESH, "VERIFIED, vCPU ACTIVE", IPA_NEW, X_PA, PG, OK),
    DONATE(S_RAN, P_FRESH, "VERIFIED, vCPU has run", IPA_NEW, X_PA, PG, OK),
    DONATE(S_OFF_ACTIVE, P_FRESH, "POWEROFF, vCPU still ACTIVE", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_OFF_GUEST, P_FRESH, "POWEROFF by the guest", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_OFF_HOST, P_FRESH, "POWEROFF by the host", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_OFF_READY, P_FRESH, "POWEROFF before verification", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_VFAIL, P_FRESH, "image rejected by VERIFY_VM", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_CLEARED, P_FRESH, "POWEROFF, cleared", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_FREED, P_FRESH, "freed", IPA_NEW, X_PA, PG, STATE),
    DONATE(S_IMG_PART, P_TOUCHED, "host page the host has mapped", IPA_NEW, X_PA, PG, OK),
    DONATE(S_IMG_PART, P_SCRUBBED, "host page back from a VM", IPA_NEW, X_PA, PG, OK),
    DONATE(S_IMG_PART, P_FREED_IMG, "host page back from a rejected image", IPA_NEW, X_PA, PG, OK),
    DONATE(S_IMG_PART, P_OWN, "page already this VM's, another gfn", IPA_NEW, X_PA, PG, PERM),
    DONATE2(S_IMG_PART, P_OWN, "page already this VM's, same gfn", IPA_OWN, X_PA, PG, EXIST, PERM),
    DONATE(S_VERIFIED, P_IMG_LOADED, "this VM's verified image page", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_AWAIT_OWN, "this VM's image page awaiting verification", IPA_NEW, X_PA, PG,
	   PERM),
    DONATE(S_IMG_PART, P_OTHER, "another VM's page", IPA_NEW, X_PA, PG, PERM),
    DONATE2(S_IMG_PART, P_OTHER_SHARED, "another VM's page it shares", IPA_NEW, X_PA, PG, PERM,
	    BUSY),
    DONATE(S_IMG_PART, P_UNSHARED, "another VM's page it unshared", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_AWAIT, "another VM's image page awaiting verification", IPA_NEW, X_PA, PG,
	   PERM),
    DONATE(S_IMG_PART, P_KIMAGE, "kcore's image (FX_RAM_BASE)", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_KIMAGE_END, "kcore's image, last page", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_CARVE, "kcore's carve-out (top of RAM)", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_POOL, "host stage-2 root", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_VMPOOL, "this VM's stage-2 root", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_KMAP_ROOT, "kcore's stage-1 root", IPA_NEW, X_PA, PG, PERM),
    DONATE(S_IMG_PART, P_DEVICE, "device page", IPA_NEW, X_PA, PG, INVAL),
    DONATE2(S_IMG_PART, P_KDEVICE, "kcore's device", IPA_NEW, X_PA, PG, INVAL, PERM),
    DONATE(S_IMG_PART, P_NONRAM, "beyond RAM, no known device", IPA_NEW, X_PA, PG, INVAL),
    DONATE(S_IMG_PART, P_RAM_END, "first page after RAM", IPA_NEW, X_PA, PG, INVAL),
    DONATE(S_IMG_PART, P_UNALIGNED, "unaligned PA", IPA_NEW, X_PA, PG, INVAL),
    DONATE(S_IMG_PART, P_HIGH, "host page | 1 << 63", IPA_NEW, X_PA, PG, INVAL),
    DONATE(S_IMG_PART, P_ALIAS48, "host page | 1 << 48", IPA_NEW, X_PA, PG, INVAL),
    DONATE(S_VERIFIED, P_BLK_FRESH, "2 MiB of fresh host pages", IPA_BLOCK, X_PA, BLK, OK),
    DONATE(S_IMG_PART, P_BLK_FRESH, "2 MiB, VM READY", IPA_BLOCK, X_PA, BLK, OK),
    DONATE(S_VERIFIED, P_BLK_TOUCHED, "2 MiB, some mapped by the host", IPA_BLOCK, X_PA, BLK, OK),
    DONATE(S_VERIFIED, P_BLK_UNALIGNED, "2 MiB at a 4 KiB-aligned PA", IPA_BLOCK, X_PA, BLK, INVAL),
    DONATE2(S_VERIFIED, P_BLK_DONATED, "2 MiB already this VM's, same IPA", IPA_BLOCK, X_PA, BLK,
	    EXIST, PERM),
    DONATE(S_VERIFIED, P_BLK_DONATED, "2 MiB already this VM's, another IPA", IPA_BLOCK + BLK, X_PA,
	   BLK, PERM),
    DONATE(S_VERIFIED, P_BLK_WITH_OWN, "2 MiB, one page already this VM's", IPA_BLOCK, X_PA, BLK,
	   PERM),
    DONATE(S_VERIFIED, P_BLK_WITH_OTHER, "2 MiB, one page another VM's", IPA_BLOCK, X_PA, BLK,
	   PERM),
    DONATE2(S_VERIFIED, P_BLK_WITH_SHARED, "2 MiB, one page another VM shares", IPA_BLOCK, X_PA,
	    BLK, PERM, BUSY),
    DONATE(S_VERIFIED, P_BLK_WITH_AWAIT, "2 MiB, one page awaiting verification", IPA_BLOCK, X_PA,
	   BLK, PERM),
    DONATE(S_VERIFIED, P_BLK_KIMAGE, "2 MiB at FX_RAM_BASE (half kcore's)", IPA_BLOCK, X_PA, BLK,
	   PERM),
    DONATE(S_VERIFIED, P_BLK_CARVE, "2 MiB at the top of RAM (carve-out)", IPA_BLOCK, X_PA, BLK,
	   PERM),
    DONATE(S_VERIFIED, P_BLK_DEVICE, "2 MiB of device memory", IPA_BLOCK, X_PA, BLK, INVAL),
    DONATE(S_VERIFIED, P_BLK_NONRAM, "2 MiB beyond RAM", IPA_BLOCK, X_PA, BLK, INVAL),
    DONATE(S_VERIFIED, P_BLK_HIGH, "2 MiB | 1 << 63", IPA_BLOCK, X_PA, BLK, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "size 0", IPA_NEW, X_PA, 0, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "size 4095", IPA_NEW, X_PA, PG - 1, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "size 8 KiB", IPA_NEW, X_PA, 2 * PG, INVAL),
    DONATE(S_VERIFIED, P_BLK_FRESH, "size 1 MiB", IPA_BLOCK, X_PA, BLK / 2, INVAL),
    DONATE(S_VERIFIED, P_BLK_FRESH, "size 4 MiB", IPA_BLOCK, X_PA, 2 * BLK, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "size 1 << 32 | 4 KiB", IPA_NEW, X_PA, (1ull << 32) | PG, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "IPA unaligned", IPA_NEW + 8, X_PA, PG, INVAL),
    DONATE(S_VERIFIED, P_BLK_FRESH, "2 MiB at a 4 KiB-aligned IPA", IPA_BLOCK + PG, X_PA, BLK,
	   INVAL),
    DONATE(S_VERIFIED, P_FRESH, "IPA 1 << 40", IPA_LIMIT, X_PA, PG, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "IPA 1 << 40 | IPA_NEW", IPA_LIMIT | IPA_NEW, X_PA, PG, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "IPA 1 << 63 | IPA_NEW", TOP | IPA_NEW, X_PA, PG, INVAL),
    DONATE(S_VERIFIED, P_FRESH, "last page of the IPA space", IPA_LIMIT - PG, X_PA, PG, OK),
    DONATE(S_VERIFIED, P_BLK_FRESH, "last 2 MiB of the IPA space", IPA_LIMIT - BLK, X_PA, BLK, OK),
    DONATE(S_VERIFIED, P_FRESH, "IPA already mapped (IPA_OWN)", IPA_OWN, X_PA, PG, EXIST),
    DONATE(S_VERIFIED, P_FRESH, "IPA of the loaded image", FX_LOAD_IPA, X_PA, PG, EXIST),
    DONATE(S_IMG_PART, P_FRESH, "IPA of a declared image page not yet remapped", FX_LOAD_IPA + PG,
	   X_PA, PG, EXIST),
    DONATE(S_VERIFIED, P_FRESH, "IPA of the device page", IPA_IO, X_PA, PG, EXIST),
    DONATE(S_VERIFIED, P_BLK_FRESH, "2 MiB over the page at IPA_OWN", IPA_OWN & ~(BLK - 1), X_PA,
	   BLK, EXIST),
    DONATE(S_VERIFIED, P_BLK_FRESH, "2 MiB over the image", FX_LOAD_IPA, X_PA, BLK, EXIST),
    DONATE(S_POOL_FULL, P_FRESH, "no table pages left", IPA_NEW, X_PA, PG, NOMEM),
    DONATE(S_VERIFIED, P_DMA, "host page the host maps for DMA", IPA_NEW, X_PA, PG, BUSY),
    DONATE(S_VERIFIED, P_BLK_WITH_DMA, "2 MiB, one page the host maps for DMA", IPA_BLOCK, X_PA,
	   BLK, BUSY),
    DONATE(S_POOL_FULL, P_FRESH, "no table pages left, none needed", IPA_OWN + PG, X_PA, PG, OK),
    BAD_IDS(ID_DONATE, S_VERIFIED, 0),

    /* ---- VM_MAP_IO: VM READY or VERIFIED; PA not RAM, not kcore's ---- */
    MAP_IO(S_NONE, P_DEVICE, "UNUSED slot", IPA_NEW, X_PA, STATE),
    MAP_IO(S_READY, P_DEVICE, "READY", IPA_NEW, X_PA, OK),
    MAP_IO(S_IMG_PART, P_DEVICE, "READY, image half remapped", IPA_NEW, X_PA, OK),
    MAP_IO(S_VERIFIED, P_DEVICE, "VERIFIED", IPA_NEW, X_PA, OK),
    MAP_IO(S_ACTIVE, P_DEVICE, "VERIFIED, vCPU ACTIVE", IPA_NEW, X_PA, OK),
    MAP_IO(S_OFF_ACTIVE, P_DEVICE, "POWEROFF, vCPU still ACTIVE", IPA_NEW, X_PA, STATE),
    MAP_IO(S_OFF_GUEST, P_DEVICE, "POWEROFF by the guest", IPA_NEW, X_PA, STATE),
    MAP_IO(S_OFF_HOST, P_DEVICE, "POWEROFF by the host", IPA_NEW, X_PA, STATE),
    MAP_IO(S_OFF_READY, P_DEVICE, "POWEROFF before verification", IPA_NEW, X_PA, STATE),
    MAP_IO(S_VFAIL, P_DEVICE, "image rejected by VERIFY_VM", IPA_NEW, X_PA, STATE),
    MAP_IO(S_CLEARED, P_DEVICE, "POWEROFF, cleared", IPA_NEW, X_PA, STATE),
    MAP_IO(S_FREED, P_DEVICE, "freed", IPA_NEW, X_PA, STATE),
    MAP_IO(S_IMG_PART, P_DEV_TOUCHED, "device page the host has mapped", IPA_NEW, X_PA, OK),
    /* The platform policy: unknown space is DENIED; only HOST_SAFE and BEHIND_SMMU map. */
    MAP_IO(S_IMG_PART, P_NONRAM, "beyond RAM, no known device", IPA_NEW, X_PA, PERM),
    MAP_IO(S_IMG_PART, P_RAM_END, "first page after RAM", IPA_NEW, X_PA, PERM),
    MAP_IO(S_IMG_PART, P_MEDIATED, "a MEDIATED device page", IPA_NEW, X_PA, PERM),
    MAP_IO(S_IMG_PART, P_DENIED, "a DENIED device page", IPA_NEW, X_PA, PERM),
    MAP_IO(S_IMG_PART, P_SMMU_WIN, "a BEHIND_SMMU device page", IPA_NEW, X_PA, OK),
    MAP_IO(S_IMG_PART, P_KDEVICE, "kcore's device", IPA_NEW, X_PA, PERM),
    MAP_IO(S_IMG_PART, P_KDEV_ALIAS48, "kcore's device | 1 << 48", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_DEV_UNALIGNED, "device page + 0x800", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_DEV_HIGH, "device page | 1 << 63", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_DEV_ALIAS48, "device page | 1 << 48", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_FRESH, "host RAM page", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_TOUCHED, "host RAM page the host has mapped", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_OWN, "this VM's page", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_AWAIT_OWN, "this VM's image page awaiting verification", IPA_NEW, X_PA,
	   INVAL),
    MAP_IO(S_IMG_PART, P_OTHER, "another VM's page", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_OTHER_SHARED, "another VM's page it shares", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_AWAIT, "another VM's image page awaiting verification", IPA_NEW, X_PA,
	   INVAL),
    MAP_IO(S_IMG_PART, P_KIMAGE, "kcore's image", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_CARVE, "kcore's carve-out", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_POOL, "host stage-2 root", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_IMG_PART, P_HIGH, "host page | 1 << 63", IPA_NEW, X_PA, INVAL),
    MAP_IO(S_VERIFIED, P_DEVICE, "IPA already mapped (IPA_OWN)", IPA_OWN, X_PA, EXIST),
    MAP_IO(S_VERIFIED, P_DEVICE, "IPA of the device page", IPA_IO, X_PA, EXIST),
    MAP_IO(S_VERIFIED, P_DEVICE, "IPA of the loaded image", FX_LOAD_IPA, X_PA, EXIST),
    MAP_IO(S_IMG_PART, P_DEVICE, "IPA of a declared image page not yet remapped", FX_LOAD_IPA + PG,
	   X_PA, EXIST),
    MAP_IO(S_VERIFIED, P_DEVICE, "IPA unaligned", IPA_NEW + 8, X_PA, INVAL),
    MAP_IO(S_VERIFIED, P_DEVICE, "IPA 1 << 40", IPA_LIMIT, X_PA, INVAL),
    MAP_IO(S_VERIFIED, P_DEVICE, "IPA 1 << 63 | IPA_NEW", TOP | IPA_NEW, X_PA, INVAL),
    MAP_IO(S_VERIFIED, P_DEVICE, "last page of the IPA space", IPA_LIMIT - PG, X_PA, OK),
    MAP_IO(S_POOL_FULL, P_DEVICE, "no table pages left", IPA_NEW, X_PA, NOMEM),
    BAD_IDS(ID_MAP_IO, S_VERIFIED, 0),

    /* ---- VM_POWEROFF: VM READY or VERIFIED, no vCPU running ---- */
    POWEROFF(S_NONE, "UNUSED slot", X_VM, STATE),
    POWEROFF(S_READY, "READY", X_VM, OK),
    POWEROFF(S_IMG_PART, "READY, image half remapped", X_VM, OK),
    POWEROFF(S_IMG_FULL, "READY, image complete", X_VM, OK),
    POWEROFF(S_VERIFIED, "VERIFIED", X_VM, OK),
    POWEROFF(S_ACTIVE, "VERIFIED, vCPU ACTIVE", X_VM, BUSY),
    POWEROFF(S_SHARED, "VERIFIED, vCPU ACTIVE, page shared", X_VM, BUSY),
    POWEROFF(S_RAN, "VERIFIED, vCPU has run", X_VM, OK),
    R2(S_OFF_ACTIVE, P_NONE, "POWEROFF, vCPU still ACTIVE", KC_HC_VM_POWEROFF, X_VM, 0, 0, 0, STATE,
       BUSY),
    POWEROFF(S_OFF_GUEST, "POWEROFF by the guest", X_VM, STATE),
    POWEROFF(S_OFF_HOST, "twice", X_VM, STATE),
    POWEROFF(S_OFF_READY, "POWEROFF before verification", X_VM, STATE),
    POWEROFF(S_VFAIL, "image rejected by VERIFY_VM", X_VM, STATE),
    POWEROFF(S_CLEARED, "POWEROFF, cleared", X_VM, STATE),
    POWEROFF(S_FREED, "freed", X_VM, STATE),
    BAD_IDS(ID_POWEROFF, S_VERIFIED, 0),

    /* ---- VM_CLEAR_RANGE: VM POWEROFF, no vCPU running; no 2 MiB block cut ---- */
    CLEAR(S_NONE, "UNUSED slot", X_VM, 0, IPA_LIMIT, STATE),
    CLEAR(S_READY, "READY", X_VM, 0, IPA_LIMIT, STATE),
    CLEAR(S_IMG_FULL, "READY, image complete", X_VM, 0, IPA_LIMIT, STATE),
    CLEAR(S_VERIFIED, "VERIFIED", X_VM, 0, IPA_LIMIT, STATE),
    CLEAR(S_ACTIVE, "VERIFIED, vCPU ACTIVE", X_VM, 0, IPA_LIMIT, STATE),
    CLEAR(S_OFF_ACTIVE, "POWEROFF, vCPU still ACTIVE", X_VM, 0, IPA_LIMIT, BUSY),
    CLEAR(S_OFF_GUEST, "POWEROFF by the guest", X_VM, 0, IPA_LIMIT, OK),
    CLEAR(S_OFF_SHARED, "POWEROFF by the guest, a page shared", X_VM, 0, IPA_LIMIT, OK),
    CLEAR(S_OFF_SHARED_DMA, "POWEROFF, a shared page the host maps for DMA", X_VM, 0, IPA_LIMIT,
	  OK),
    CLEAR(S_OFF_HOST, "POWEROFF by the host", X_VM, 0, IPA_LIMIT, OK),
    CLEAR(S_OFF_READY, "POWEROFF before verification", X_VM, 0, IPA_LIMIT, OK),
    CLEAR(S_VFAIL, "image rejected by VERIFY_VM", X_VM, 0, IPA_LIMIT, OK),
    CLEAR(S_CLEARED, "twice", X_VM, 0, IPA_LIMIT, OK),
    CLEAR(S_BLOCK_OFF, "POWEROFF, with a 2 MiB block", X_VM, 0, IPA_LIMIT, OK),
    CLEAR(S_FREED, "freed", X_VM, 0, IPA_LIMIT, STATE),
    CLEAR(S_BLOCK_OFF, "first page of the block", X_VM, IPA_BLOCK, PG, INVAL),
    CLEAR(S_BLOCK_OFF, "last page of the block", X_VM, IPA_BLOCK + BLK - PG, PG, INVAL),
    CLEAR(S_BLOCK_OFF, "2 MiB across the block's middle", X_VM, IPA_BLOCK + BLK / 2, BLK, INVAL),
    CLEAR(S_BLOCK_OFF, "ends inside the block", X_VM, IPA_BLOCK - PG, 2 * PG, INVAL),
    CLEAR(S_BLOCK_OFF, "the block exactly", X_VM, IPA_BLOCK, BLK, OK),
    CLEAR(S_BLOCK_OFF, "the block and a page either side", X_VM, IPA_BLOCK - PG, BLK + 2 * PG, OK),
    CLEAR(S_OFF_GUEST, "one page", X_VM, IPA_OWN, PG, OK),
    CLEAR(S_OFF_GUEST, "the image", X_VM, FX_LOAD_IPA, 2 * PG, OK),
    CLEAR(S_OFF_GUEST, "the device page", X_VM, IPA_IO, PG, OK),
    CLEAR(S_OFF_GUEST, "nothing mapped there", X_VM, IPA_NEW, PG, OK),
    CLEAR(S_OFF_GUEST, "size 0", X_VM, IPA_OWN, 0, INVAL),
    CLEAR(S_OFF_GUEST, "IPA unaligned", X_VM, IPA_OWN + 8, PG, INVAL),
    CLEAR(S_OFF_GUEST, "size unaligned (4095)", X_VM, IPA_OWN, PG - 1, INVAL),
    CLEAR(S_OFF_GUEST, "size unaligned (4097)", X_VM, IPA_OWN, PG + 1, INVAL),
    CLEAR(S_OFF_GUEST, "IPA 1 << 40", X_VM, IPA_LIMIT, PG, INVAL),
    CLEAR(S_OFF_GUEST, "IPA 1 << 63 | IPA_OWN", X_VM, TOP | IPA_OWN, PG, INVAL),
    CLEAR(S_OFF_GUEST, "the IPA space and one page more", X_VM, 0, IPA_LIMIT + PG, INVAL),
    CLEAR(S_OFF_GUEST, "runs past the IPA space", X_VM, IPA_LIMIT - PG, 2 * PG, INVAL),
    CLEAR(S_OFF_GUEST, "size wraps (~0 & ~0xfff)", X_VM, PG, ~0xfffull, INVAL),
    BAD_IDS(ID_CLEAR, S_OFF_GUEST, 0),

    /* ---- VM_FREE: VM POWEROFF, nothing left mapped ---- */
    FREE(S_NONE, "UNUSED slot", X_VM, STATE),
    FREE(S_READY, "READY", X_VM, STATE),
    FREE(S_IMG_FULL, "READY, image complete", X_VM, STATE),
    FREE(S_VERIFIED, "VERIFIED", X_VM, STATE),
    FREE(S_ACTIVE, "VERIFIED, vCPU ACTIVE", X_VM, STATE),
    FREE(S_OFF_ACTIVE, "POWEROFF, vCPU still ACTIVE", X_VM, BUSY),
    FREE(S_OFF_GUEST, "POWEROFF, pages still mapped", X_VM, BUSY),
    FREE(S_OFF_HOST, "POWEROFF by the host, pages still mapped", X_VM, BUSY),
    FREE(S_OFF_READY, "POWEROFF before verification, pages mapped", X_VM, BUSY),
    FREE(S_BLOCK_OFF, "POWEROFF, 2 MiB block still mapped", X_VM, BUSY),
    FREE(S_CLEARED_BUT_IO, "POWEROFF, only the device page left", X_VM, BUSY),
    FREE(S_CLEARED, "POWEROFF, cleared", X_VM, OK),
    FREE(S_OFF_READY_CLEARED, "POWEROFF before verification, cleared", X_VM, OK),
    FREE(S_VFAIL, "image rejected by VERIFY_VM (its pages go back)", X_VM, OK),
    FREE(S_FREED, "twice", X_VM, STATE),
    BAD_IDS(ID_FREE, S_CLEARED, 0),

    /* ---- IO_DOMAIN_ALLOC: owner 0 (host) or a VM READY or VERIFIED; a free domain ---- */
    IO_ALLOC(S_NONE, "for the host", OWNER_HOST, OK),
    IO_ALLOC(S_NONE, "for an UNUSED slot", X_VM, STATE),
    IO_ALLOC(S_READY, "for a READY VM", X_VM, OK),
    IO_ALLOC(S_IMG_PART, "for a READY VM, image half remapped", X_VM, OK),
    IO_ALLOC(S_VERIFIED, "for a VERIFIED VM", X_VM, OK),
    IO_ALLOC(S_ACTIVE, "for a VERIFIED VM, vCPU ACTIVE", X_VM, OK),
    IO_ALLOC(S_OFF_ACTIVE, "for a POWEROFF VM, vCPU still ACTIVE", X_VM, STATE),
    IO_ALLOC(S_OFF_GUEST, "for a VM POWEROFF by the guest", X_VM, STATE),
    IO_ALLOC(S_OFF_HOST, "for a VM POWEROFF by the host", X_VM, STATE),
    IO_ALLOC(S_OFF_READY, "for a VM POWEROFF before verification", X_VM, STATE),
    IO_ALLOC(S_VFAIL, "for a VM whose image was rejected", X_VM, STATE),
    IO_ALLOC(S_CLEARED, "for a POWEROFF VM, cleared", X_VM, STATE),
    IO_ALLOC(S_FREED, "for a freed VM", X_VM, STATE),
    IO_ALLOC(S_DOMS_FULL, "for the host, every domain taken", OWNER_HOST, NOMEM),
    IO_ALLOC(S_DOMS_FULL, "for a VM, every domain taken", X_VM, NOMEM),
    IO_ALLOC(S_IOPOOL_FULL, "for the host, IO pool empty", OWNER_HOST, NOMEM),
    IO_ALLOC(S_NO_IO, "on a kcore without an IO pool", OWNER_HOST, NOSUP),
    IO_ALLOC(S_READY, "owner 5 (> max_vms)", 5, INVAL),
    IO_ALLOC(S_READY, "owner 32 (KCORE_MAX_VMS)", 32, INVAL),
    IO_ALLOC(S_READY, "owner 0x100000000 (truncates to the host)", 1ull << 32, INVAL),
    IO_ALLOC(S_READY, "owner 0x100000001 (truncates to VM 1)", 0x100000001ull, INVAL),
    IO_ALLOC(S_READY, "owner 0xffff (kcore)", 0xffff, INVAL),
    IO_ALLOC(S_READY, "owner ~0", ~0ull, INVAL),

    /* ---- IO_DOMAIN_FREE: allocated, no stream attached ---- */
    IO_FREE(S_HOST_DETACHED, "the host's domain, its stream detached", X_HDOM, OK),
    IO_FREE(S_READY, "the host's domain, a stream attached", X_HDOM, BUSY),
    IO_FREE(S_READY, "the VM's domain, a stream attached", X_VDOM, BUSY),
    IO_FREE(S_READY, "a domain never allocated", IO_FREE_ID, STATE),
    IO_FREE(S_OFF_HOST, "the VM's domain after power-off (gone with it)", X_VDOM, STATE),
    IO_FREE(S_OFF_GUEST, "the VM's domain after guest power-off", X_VDOM, STATE),
    IO_FREE(S_NO_IO, "on a kcore without an IO pool", 0, NOSUP),
    IO_FREE(S_READY, "domain 16 (KCORE_MAX_IO_DOMAINS)", KCORE_MAX_IO_DOMAINS, INVAL),
    IO_FREE(S_HOST_DETACHED, "domain 0x100000000 (truncates to the host's)", 1ull << 32, INVAL),
    IO_FREE(S_READY, "domain ~0", ~0ull, INVAL),

    /* ---- IO_ATTACH: domain allocated; stream < 256 and attached nowhere ---- */
    IO_ATTACH(S_READY, "a new stream to the host's domain", X_HDOM, SID_NEW, OK),
    IO_ATTACH(S_READY, "a new stream to the VM's domain", X_VDOM, SID_NEW, OK),
    IO_ATTACH(S_SHARED_VDOM, "a new stream to the VM's domain, its shared page mapped", X_VDOM,
	      SID_NEW, OK),
    IO_ATTACH(S_READY, "the last stream (255)", X_HDOM, KCORE_MAX_STREAMS - 1, OK),
    IO_ATTACH(S_HOST_DETACHED, "a detached stream again", X_HDOM, SID_HOST, OK),
    IO_ATTACH(S_READY, "a stream already attached here", X_HDOM, SID_HOST, EXIST),
    IO_ATTACH(S_READY, "the VM's stream to the host's domain", X_HDOM, SID_VM, BUSY),
    IO_ATTACH(S_READY, "the host's stream to the VM's domain", X_VDOM, SID_HOST, BUSY),
    IO_ATTACH(S_READY, "to a domain never allocated", IO_FREE_ID, SID_NEW, STATE),
    IO_ATTACH(S_OFF_HOST, "to the domain of a powered-off VM", X_VDOM, SID_VM, STATE),
    IO_ATTACH(S_NO_IO, "on a kcore without an IO pool", 0, SID_NEW, NOSUP),
    IO_ATTACH(S_READY, "stream 256", X_HDOM, KCORE_MAX_STREAMS, INVAL),
    IO_ATTACH(S_READY, "stream 0x100000020 (truncates to a free one)", X_HDOM,
	      (1ull << 32) | SID_NEW, INVAL),
    IO_ATTACH(S_READY, "stream ~0", X_HDOM, ~0ull, INVAL),
    IO_ATTACH(S_READY, "domain 16", KCORE_MAX_IO_DOMAINS, SID_NEW, INVAL),
    IO_ATTACH(S_READY, "domain 0x100000000 (truncates to the host's)", 1ull << 32, SID_NEW, INVAL),

    /* ---- IO_DETACH: stream < 256, attached ---- */
    IO_DETACH(S_READY, "the host's stream", SID_HOST, OK),
    IO_DETACH(S_READY, "the VM's stream", SID_VM, OK),
    IO_DETACH(S_ACTIVE, "the VM's stream while it runs", SID_VM, OK),
    IO_DETACH(S_READY, "a stream never attached", SID_NEW, NOENT),
    IO_DETACH(S_HOST_DETACHED, "twice", SID_HOST, NOENT),
    IO_DETACH(S_OFF_HOST, "the VM's stream after power-off (detached by kcore)", SID_VM, NOENT),
    IO_DETACH(S_OFF_GUEST, "the VM's stream after guest power-off", SID_VM, NOENT),
    IO_DETACH(S_NO_IO, "on a kcore without an IO pool", SID_HOST, NOSUP),
    IO_DETACH(S_READY, "stream 256", KCORE_MAX_STREAMS, INVAL),
    IO_DETACH(S_READY, "stream 0x100000008 (truncates to the host's)", (1ull << 32) | SID_HOST,
	      INVAL),

    /* ---- IO_MAP, the host's domain: host pages, pages a VM shares; never kcore's ---- */
    IO_MAP(S_READY, P_FRESH, "host page never touched", X_HDOM, IOVA_NEW, X_PA, OK),
    IO_MAP(S_READY, P_TOUCHED, "host page the host has mapped", X_HDOM, IOVA_NEW, X_PA, OK),
    IO_MAP(S_READY, P_SCRUBBED, "host page back from a VM", X_HDOM, IOVA_NEW, X_PA, OK),
    IO_MAP(S_READY, P_FREED_IMG, "host page back from a rejected image", X_HDOM, IOVA_NEW, X_PA,
	   OK),
    IO_MAP(S_READY, P_DMA, "host page already mapped, at a second iova", X_HDOM, IOVA_NEW, X_PA,
	   OK),
    IO_MAP(S_HOST_DETACHED, P_FRESH, "host page, no stream attached", X_HDOM, IOVA_NEW, X_PA, OK),
    IO_MAP(S_SHARED, P_OWN, "a page the VM shares", X_HDOM, IOVA_NEW, X_PA, OK),
    IO_MAP(S_OFF_SHARED, P_OWN, "a page a powered-off VM still shares", X_HDOM, IOVA_NEW, X_PA, OK),
    IO_MAP(S_VERIFIED, P_OTHER_SHARED, "another VM's page it shares", X_HDOM, IOVA_NEW, X_PA, OK),
    IO_MAP(S_READY, P_OWN, "a VM's page", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_UNSHARED, P_OWN, "a page the VM unshared", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_VERIFIED, P_IMG_LOADED, "a VM's verified image page", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_BLOCK_ACTIVE, P_OWN_BLOCK, "a page of a VM's 2 MiB block", X_HDOM, IOVA_NEW, X_PA,
	   PERM),
    IO_MAP(S_IMG_PART, P_AWAIT_OWN, "an image page awaiting verification", X_HDOM, IOVA_NEW, X_PA,
	   PERM),
    IO_MAP(S_VFAIL, P_AWAIT_OWN, "an image page VERIFY_VM rejected", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_OTHER, "another VM's page", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_VERIFIED, P_UNSHARED, "another VM's page it unshared", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_AWAIT, "another VM's image page awaiting verification", X_HDOM, IOVA_NEW,
	   X_PA, PERM),
    IO_MAP(S_READY, P_KIMAGE, "kcore's image (FX_RAM_BASE)", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_KIMAGE_END, "kcore's image, last page", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_CARVE, "kcore's carve-out (top of RAM)", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_POOL, "host stage-2 root", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_VMPOOL, "a VM's stage-2 root", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_KMAP_ROOT, "kcore's stage-1 root", X_HDOM, IOVA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_DEVICE, "device page", X_HDOM, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_KDEVICE, "kcore's device", X_HDOM, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_NONRAM, "beyond RAM, no known device", X_HDOM, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_RAM_END, "first page after RAM", X_HDOM, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_UNALIGNED, "unaligned PA", X_HDOM, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_HIGH, "host page | 1 << 63", X_HDOM, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_ALIAS48, "host page | 1 << 48", X_HDOM, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_FRESH, "iova already mapped", X_HDOM, IOVA_DMA, X_PA, EXIST),
    IO_MAP(S_READY, P_FRESH, "iova unaligned", X_HDOM, IOVA_NEW + 8, X_PA, INVAL),
    IO_MAP(S_READY, P_FRESH, "iova 1 << 40 (outside the IO space)", X_HDOM, IPA_LIMIT, X_PA, INVAL),
    IO_MAP(S_READY, P_FRESH, "iova 1 << 63 | IOVA_NEW", X_HDOM, TOP | IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_FRESH, "last page of the IO space", X_HDOM, IPA_LIMIT - PG, X_PA, OK),
    IO_MAP(S_READY, P_FRESH, "a domain never allocated", IO_FREE_ID, IOVA_NEW, X_PA, STATE),
    IO_MAP(S_READY, P_FRESH, "domain 16", KCORE_MAX_IO_DOMAINS, IOVA_NEW, X_PA, INVAL),
    IO_MAP(S_READY, P_FRESH, "domain 0x100000000 (truncates to the host's)", 1ull << 32, IOVA_NEW,
	   X_PA, INVAL),
    IO_MAP(S_IOPOOL_FULL, P_FRESH, "no IO table pages left", X_HDOM, 1ull << 39, X_PA, NOMEM),
    IO_MAP(S_IOPOOL_FULL, P_FRESH, "no IO table pages left, none needed", X_HDOM, IOVA_DMA + PG,
	   X_PA, OK),
    IO_MAP(S_NO_IO, P_FRESH, "on a kcore without an IO pool", 0, IOVA_NEW, X_PA, NOSUP),

    /* ---- IO_MAP, a VM's domain: pages that VM shares, each at its IPA ---- */
    IO_MAP(S_SHARED, P_OWN, "the page it shares, at its IPA", X_VDOM, IPA_OWN, X_PA, OK),
    IO_MAP(S_OFF_SHARED, P_OWN, "the page it shares, after power-off (the domain is gone)", X_VDOM,
	   IPA_OWN, X_PA, STATE),
    IO_MAP(S_SHARED_VDOM, P_OWN, "the page it shares, already mapped", X_VDOM, IPA_OWN, X_PA,
	   EXIST),
    IO_MAP(S_SHARED, P_OWN, "the page it shares, at another iova", X_VDOM, IPA_NEW, X_PA, PERM),
    /* The consentless IO domain (issue 14): a page the VM never shared, at its own IPA. */
    IO_MAP(S_READY, P_OWN, "its page at its IPA, never shared", X_VDOM, IPA_OWN, X_PA, PERM),
    IO_MAP(S_ACTIVE, P_OWN, "its page at its IPA, never shared, vCPU ACTIVE", X_VDOM, IPA_OWN, X_PA,
	   PERM),
    IO_MAP(S_UNSHARED, P_OWN, "its page at its IPA, unshared again", X_VDOM, IPA_OWN, X_PA, PERM),
    IO_MAP(S_VERIFIED, P_IMG_LOADED, "its verified image page at its IPA, never shared", X_VDOM,
	   FX_LOAD_IPA, X_PA, PERM),
    IO_MAP(S_BLOCK_ACTIVE, P_OWN_BLOCK, "a page of its 2 MiB block at its IPA, never shared",
	   X_VDOM, IPA_BLOCK + 5 * PG, X_PA, PERM),
    IO_MAP(S_READY, P_OWN, "its page at another iova", X_VDOM, IPA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_FRESH, "a host page", X_VDOM, IPA_NEW, X_PA, PERM),
    IO_MAP(S_VERIFIED, P_OTHER_SHARED, "another VM's page it shares", X_VDOM, IPA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_OTHER, "another VM's page", X_VDOM, IPA_NEW, X_PA, PERM),
    IO_MAP(S_IMG_PART, P_AWAIT_OWN, "its image page awaiting verification", X_VDOM, FX_LOAD_IPA,
	   X_PA, PERM),
    IO_MAP(S_READY, P_KIMAGE, "kcore's image", X_VDOM, IPA_NEW, X_PA, PERM),
    IO_MAP(S_READY, P_DEVICE, "its device page", X_VDOM, IPA_IO, X_PA, INVAL),
    IO_MAP(S_OFF_HOST, P_OWN, "after power-off (the domain is gone)", X_VDOM, IPA_OWN, X_PA, STATE),

    /* ---- IO_UNMAP: something mapped there ---- */
    IO_UNMAP(S_READY, "the host's DMA page", X_HDOM, IOVA_DMA, OK),
    IO_UNMAP(S_HOST_DETACHED, "the host's DMA page, no stream attached", X_HDOM, IOVA_DMA, OK),
    IO_UNMAP(S_SHARED_DMA, "a page the VM shares", X_HDOM, IOVA_SHARED, OK),
    IO_UNMAP(S_SHARED_VDOM, "the VM's shared page", X_VDOM, IPA_OWN, OK),
    IO_UNMAP(S_READY, "the VM's page, never mapped", X_VDOM, IPA_OWN, NOENT),
    IO_UNMAP(S_READY, "nothing mapped there", X_HDOM, IOVA_NEW, NOENT),
    IO_UNMAP(S_READY, "iova unaligned", X_HDOM, IOVA_DMA + 8, INVAL),
    IO_UNMAP(S_READY, "iova 1 << 40 | IOVA_DMA", X_HDOM, IPA_LIMIT | IOVA_DMA, INVAL),
    IO_UNMAP(S_READY, "a domain never allocated", IO_FREE_ID, IOVA_DMA, STATE),
    IO_UNMAP(S_OFF_HOST, "the VM's page after power-off", X_VDOM, IPA_OWN, STATE),
    IO_UNMAP(S_READY, "domain 0x100000000 (truncates to the host's)", 1ull << 32, IOVA_DMA, INVAL),
    IO_UNMAP(S_NO_IO, "on a kcore without an IO pool", 0, IOVA_DMA, NOSUP),

    /* ---- IO_IOVA_TO_PHYS: something mapped there ---- */
    IO_XLATE(S_READY, "the host's DMA page", X_HDOM, IOVA_DMA, OK),
    IO_XLATE(S_READY, "a byte inside it", X_HDOM, IOVA_DMA + 0x123, OK),
    IO_XLATE(S_SHARED_VDOM, "the VM's shared page", X_VDOM, IPA_OWN + 8, OK),
    IO_XLATE(S_READY, "the VM's page, never mapped", X_VDOM, IPA_OWN + 8, NOENT),
    IO_XLATE(S_READY, "nothing mapped there", X_HDOM, IOVA_NEW, NOENT),
    IO_XLATE(S_READY, "iova 1 << 40", X_HDOM, IPA_LIMIT, INVAL),
    IO_XLATE(S_READY, "a domain never allocated", IO_FREE_ID, IOVA_DMA, STATE),
    IO_XLATE(S_OFF_GUEST, "the VM's page after power-off", X_VDOM, IPA_OWN, STATE),
    IO_XLATE(S_READY, "domain 16", KCORE_MAX_IO_DOMAINS, IOVA_DMA, INVAL),
    IO_XLATE(S_NO_IO, "on a kcore without an IO pool", 0, IOVA_DMA, NOSUP),
};

/* ---- what an allowed call must have done ---------------------------------- */

static struct {
	struct vm vm;
	bool has_vm;
	u64 nr_vm_pages;
	u64 vm_pa[8192];
	u64 vm_gfn[8192];
	u64 nr_kcore;
	bool io_mapped;
	u64 window;
	u32 img_owner[8];
	u32 dma_count; /* of the page under test */
	bool had_vdom; /* the VM had its own IO domain */
} before;

static u64 count_owner(u32 owner)
{
	u64 n = 0;

	for (u64 i = 0; i < pgowner_nr_pages(); i++) {
		if (fx_owner(pa_addr(pgowner_page_at(i))) == owner)
			n++;
	}
	return n;
}

static void take_before(void)
{
	const struct vm *vm = vm_from_id(ctx.vm);

	memset(&before, 0, sizeof(before));
	before.has_vm = vm != NULL;
	if (vm != NULL)
		before.vm = *vm;
	for (u64 i = 0; i < pgowner_nr_pages(); i++) {
		u64 pa = pa_addr(pgowner_page_at(i));

		if (fx_owner(pa) == ctx.vm) {
			before.vm_pa[before.nr_vm_pages] = pa;
			before.vm_gfn[before.nr_vm_pages++] = fx_gfn(pa);
		}
	}
	before.nr_kcore = count_owner(OWNER_KCORE);
	before.io_mapped = vm != NULL && vm->state != VM_UNUSED &&
			   sim_can_access((u32)ctx.vm, ipa_init(IPA_IO), false);
	before.window = kmap_window_reserved();
	if (sim_is_ram(pa_init(ctx.page)) && is_aligned(ctx.page, PG))
		before.dma_count = fx_dma_count(ctx.page);
	before.had_vdom = ctx.vdom != IO_FREE_ID && iommu_domain(ctx.vdom)->state == IO_DOMAIN_LIVE;
	for (u64 i = 0; i < ctx.img_pages && i < 8; i++)
		before.img_owner[i] = fx_owner(ctx.img_pa + i * PG);
}

/* The host can neither reach pa now nor fault it in; its bytes stay as they are. */
static void host_locked_out(u64 pa)
{
	u64 aborts = sim_host_abort_count();
	u64 v = PAT_PROBE, old = ram_u64(pa);

	assert_false(sim_can_access(0, ipa_init(pa), false));
	assert_int_equal(sim_host_access(ipa_init(pa), true, &v), SIM_ABORTED);
	assert_int_equal(sim_host_abort_count(), aborts + 1);
	assert_int_equal(ram_u64(pa), old);
}

static void check_donated(u64 vm, u64 ipa, u64 pa, u64 size)
{
	for (u64 off = 0; off < size; off += PG) {
		assert_int_equal(fx_owner(pa + off), vm);
		assert_int_equal(fx_gfn(pa + off), (ipa + off) >> 12);
		assert_int_equal(fx_count(pa + off), 0);
		assert_false(sim_can_access(0, ipa_init(pa + off), false));
	}
	/* The VM reads and writes its new memory, the host is locked out of it. */
	vm_write(vm, ipa, PAT_VM);
	assert_int_equal(vm_read(vm, ipa), PAT_VM);
	assert_int_equal(ram_u64(pa), PAT_VM);
	vm_write(vm, ipa + size - 8, PAT_VM2);
	assert_int_equal(ram_u64(pa + size - 8), PAT_VM2);
	host_locked_out(pa);
	host_locked_out(pa + size - PG);
}

static void check_cleared(u64 ipa, u64 size)
{
	const struct vm *vm = vm_from_id(ctx.vm);
	u64 first = 0;

	assert_int_equal(vm->state, VM_POWEROFF);
	for (u64 i = 0; i < before.nr_vm_pages; i++) {
		u64 pa = before.vm_pa[i], gpa = before.vm_gfn[i] << 12;

		if (gpa >= ipa && gpa - ipa < size) {
			assert_int_equal(fx_owner(pa), OWNER_HOST);
			assert_int_equal(fx_count(pa), 0);
			assert_true(page_is_zero(pa));
			assert_false(sim_can_access((u32)ctx.vm, ipa_init(gpa), false));
			if (first == 0)
				first = pa;
		} else {
			assert_int_equal(fx_owner(pa), ctx.vm);
			assert_int_equal(fx_gfn(pa), before.vm_gfn[i]);
		}
	}
	/* Image pages still awaiting verification stay kcore's until VM_FREE. */
	assert_int_equal(count_owner(OWNER_KCORE), before.nr_kcore);
	if (before.io_mapped && IPA_IO >= ipa && IPA_IO - ipa < size)
		assert_false(sim_can_access((u32)ctx.vm, ipa_init(IPA_IO), false));
	/* A reclaimed page is the host's again, and zero. */
	if (first != 0)
		assert_int_equal(host_read(first, SIM_OK), 0);
}

static void check_freed(void)
{
	paddr_t root;
	u64 released = 0;

	assert_int_equal(vm_from_id(ctx.vm)->state, VM_UNUSED);
	assert_false(kcore_s2_root((u32)ctx.vm, &root));
	assert_int_equal(count_owner((u32)ctx.vm), 0);
	/* Every image page kcore or the VM held is the host's again, and zero. */
	for (u64 i = 0; i < ctx.img_pages; i++) {
		u64 pa = ctx.img_pa + i * PG;

		assert_int_equal(fx_owner(pa), OWNER_HOST);
		if (before.img_owner[i] != OWNER_HOST)
			assert_true(page_is_zero(pa));
	}
	/* Image pages kcore still held (never verified) went back to the host, zeroed. */
	for (u32 i = 0; i < before.vm.nr_images; i++) {
		if (!before.vm.images[i].loaded)
			released += before.vm.images[i].nr_remapped;
	}
	assert_int_equal(count_owner(OWNER_KCORE), before.nr_kcore - released);
	if (ctx.img_pages > 0)
		assert_int_equal(host_read(ctx.img_pa, SIM_OK), 0);
	/* The slot is usable again. */
	fx_check();
	{
		u64 id;

		ok_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id);
		assert_int_equal(id, ctx.vm);
	}
}

static void check_verified(void)
{
	const struct vm *vm = vm_from_id(ctx.vm);
	uint8_t back[sizeof(payload)];

	assert_int_equal(vm->state, VM_VERIFIED);
	for (u64 i = 0; i < ctx.img_pages; i++) {
		assert_int_equal(fx_owner(ctx.img_pa + i * PG), ctx.vm);
		assert_int_equal(fx_gfn(ctx.img_pa + i * PG), (FX_LOAD_IPA >> 12) + i);
		host_locked_out(ctx.img_pa + i * PG);
	}
	assert_int_equal(sim_vm_read_bytes((u32)ctx.vm, ipa_init(FX_LOAD_IPA), back, sizeof(back)),
			 SIM_OK);
	assert_memory_equal(back, payload, sizeof(payload));
}

/* VERIFY_VM's one documented side effect on failure: the VM is POWEROFF for good. */
static void check_verify_failed(void)
{
	const struct vm *vm = vm_from_id(ctx.vm);
	u64 pc;

	assert_int_equal(vm->state, VM_POWEROFF);
	for (u64 i = 0; i < ctx.img_pages; i++) {
		assert_int_equal(fx_owner(ctx.img_pa + i * PG), OWNER_KCORE);
		host_locked_out(ctx.img_pa + i * PG);
	}
	assert_false(sim_can_access((u32)ctx.vm, ipa_init(FX_LOAD_IPA), false));
	assert_int_equal(vm->nr_images, before.vm.nr_images);
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++) {
		assert_int_equal(vm->vcpus[i].state, before.vm.vcpus[i].state);
		assert_int_equal(vm->vcpus[i].entry_pc, before.vm.vcpus[i].entry_pc);
		assert_int_equal(vm->vcpus[i].has_run, before.vm.vcpus[i].has_run);
	}
	assert_int_equal(vcpu_activate((u32)ctx.vm, 0, &pc), KCORE_E_STATE);
	assert_int_equal(fx_owner(ctx.own_pa), ctx.vm);
}

/* The stream attached to domain dom in these setups, or KCORE_MAX_STREAMS for none. */
static u32 stream_of(u64 dom)
{
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++) {
		if (iommu_stream_domain(sid) == dom)
			return sid;
	}
	return KCORE_MAX_STREAMS;
}

/* Where domain dom's table maps iova, by the simulated SMMU's own walk; 0 if nowhere. */
static u64 io_pa_of(u64 dom, u64 iova)
{
	struct sim_xlate x;
	paddr_t root;

	if (!kcore_io_domain_root((u32)dom, &root) ||
	    sim_s2_walk(root, 40, ipa_init(iova), &x) != SIM_XLATE_OK)
		return 0;
	return pa_addr(x.pa);
}

/* A device on dom's stream reads pa's bytes at iova (if a stream is attached). */
static void dma_reaches(u64 dom, u64 iova, u64 pa)
{
	u32 sid = stream_of(dom);
	u64 v = 0;

	if (sid == KCORE_MAX_STREAMS)
		return;
	assert_int_equal(sim_dma_access(sid, iova, false, &v), SIM_OK);
	assert_int_equal(v, ram_u64(pa));
}

/* ... and is refused at iova, with an event. */
static void dma_refused_at(u32 sid, u64 iova, enum sim_access_result expect)
{
	u64 events = sim_smmu_event_count(), v = PAT_PROBE;

	assert_int_equal(sim_dma_access(sid, iova, true, &v), expect);
	assert_int_equal(sim_smmu_event_count(), events + 1);
}

/* Power-off took the VM's device off its memory: its domain is gone, its stream blocked. */
static void check_vm_devices_gone(void)
{
	if (!before.had_vdom)
		return;
	assert_int_equal(iommu_domain(ctx.vdom)->state, IO_DOMAIN_FREE);
	assert_int_equal(iommu_stream_domain(SID_VM), IO_DOMAIN_NONE);
	assert_false(sim_smmu_stream(SID_VM).attached);
	dma_refused_at(SID_VM, IPA_OWN, SIM_STREAM_FAULT);
}

static void check_io_allowed(const struct hc_row *r, const u64 a[4], u64 out)
{
	const struct io_domain *d = iommu_domain((u32)a[0]);

	switch (r->id) {
	case KC_HC_IO_DOMAIN_ALLOC:
		d = iommu_domain((u32)out);
		assert_true(out < KCORE_MAX_IO_DOMAINS);
		assert_int_equal(d->state, IO_DOMAIN_LIVE);
		assert_int_equal(d->owner, a[0]);
		assert_int_equal(d->nr_streams, 0);
		assert_int_equal(io_pa_of(out, IOVA_DMA), 0);
		break;
	case KC_HC_IO_DOMAIN_FREE:
		assert_int_equal(d->state, IO_DOMAIN_FREE);
		/* What it mapped is no longer held: the host may give its page away. */
		assert_int_equal(fx_dma_count(ctx.dma_pa), 0);
		ok_hc(KC_HC_VM_DONATE, ctx.vm, IPA_NEW, ctx.dma_pa, PG, NULL);
		break;
	case KC_HC_IO_ATTACH:
		assert_int_equal(iommu_stream_domain((u32)a[1]), a[0]);
		assert_true(sim_smmu_stream((u32)a[1]).attached);
		if (a[0] == ctx.hdom)
			dma_reaches(a[0], IOVA_DMA, ctx.dma_pa);
		else if (io_pa_of(a[0], IPA_OWN) != 0)
			dma_reaches(a[0], IPA_OWN, ctx.own_pa);
		else /* the VM shares nothing: its domain maps nothing */
			dma_refused_at((u32)a[1], IPA_OWN, SIM_S2_FAULT);
		break;
	case KC_HC_IO_DETACH:
		assert_int_equal(iommu_stream_domain((u32)a[0]), IO_DOMAIN_NONE);
		assert_false(sim_smmu_stream((u32)a[0]).attached);
		dma_refused_at((u32)a[0], a[0] == SID_HOST ? IOVA_DMA : IPA_OWN, SIM_STREAM_FAULT);
		break;
	case KC_HC_IO_MAP:
		assert_int_equal(io_pa_of(a[0], a[1]), a[2]);
		/* Every domain's mapping counts (smmu_count), a VM's too. */
		assert_int_equal(fx_dma_count(a[2]), before.dma_count + 1);
		dma_reaches(a[0], a[1], a[2]);
		break;
	case KC_HC_IO_UNMAP: {
		u32 sid = stream_of(a[0]);

		assert_int_equal(io_pa_of(a[0], a[1]), 0);
		if (sid != KCORE_MAX_STREAMS)
			dma_refused_at(sid, a[1], SIM_S2_FAULT);
		break;
	}
	case KC_HC_IO_IOVA_TO_PHYS:
		assert_int_equal(out, io_pa_of(a[0], a[1]));
		assert_int_equal(out, a[0] == ctx.hdom ? ctx.dma_pa + (a[1] - IOVA_DMA)
						       : ctx.own_pa + (a[1] - IPA_OWN));
		break;
	default:
		fail_msg("no effect check for %llx", (unsigned long long)r->id);
	}
}

static void check_allowed(const struct hc_row *r, const u64 a[4], u64 out)
{
	const struct vm *vm = vm_from_id(a[0]);

	switch (r->id) {
	case KC_HC_VERSION:
		assert_int_equal(out, ABI_VERSION);
		break;
	case KC_HC_CHECK_INVARIANTS:
		assert_int_equal(out, 0);
		break;
	case KC_HC_REGISTER_VM:
		assert_true(out >= 1 && out <= fx_default_config().max_vms);
		assert_int_equal(vm_from_id(out)->state, VM_READY);
		break;
	case KC_HC_REGISTER_VCPU:
		assert_int_equal(vm->vcpus[a[1]].state, VCPU_READY);
		assert_int_equal(vm->state, before.vm.state);
		break;
	case KC_HC_SET_BOOT_INFO:
		assert_int_equal(out, before.vm.nr_images);
		assert_int_equal(vm->nr_images, before.vm.nr_images + 1);
		assert_int_equal(ipa_addr(vm->images[out].load_ipa), a[1]);
		assert_int_equal(vm->images[out].size, a[2]);
		assert_int_equal(vm->images[out].nr_remapped, 0);
		assert_int_equal(kmap_window_reserved(), before.window + (a[2] + PG - 1) / PG);
		break;
	case KC_HC_REMAP_VM_IMAGE:
		assert_int_equal(fx_owner(ctx.page), OWNER_KCORE);
		assert_int_equal(vm->images[a[2]].nr_remapped,
				 before.vm.images[a[2]].nr_remapped + 1);
		host_locked_out(ctx.page);
		break;
	case KC_HC_VERIFY_VM:
		check_verified();
		break;
	case KC_HC_VCPU_SET_ENTRY:
		assert_true(vm->vcpus[a[1]].entry_set);
		assert_int_equal(vm->vcpus[a[1]].entry_pc, a[2]);
		assert_int_equal(vm->vcpus[a[1]].state, before.vm.vcpus[a[1]].state);
		break;
	case KC_HC_VM_DONATE:
		check_donated(a[0], a[1], a[2], a[3]);
		break;
	case KC_HC_VM_MAP_IO: {
		struct sim_xlate x;
		paddr_t root;
		u64 v;

		assert_true(kcore_s2_root((u32)a[0], &root));
		assert_int_equal(sim_s2_walk(root, 40, ipa_init(a[1]), &x), SIM_XLATE_OK);
		assert_int_equal(pa_addr(x.pa), a[2]);
		assert_true(x.device);
		assert_false(x.executable);
		assert_true(sim_can_access((u32)a[0], ipa_init(a[1]), true));
		/* Translated to device memory: the sim has no device model behind it. */
		assert_int_equal(sim_vm_access((u32)a[0], ipa_init(a[1]), false, &v), SIM_NOT_RAM);
		break;
	}
	case KC_HC_VM_POWEROFF:
		assert_int_equal(vm->state, VM_POWEROFF);
		assert_int_equal(count_owner((u32)a[0]), before.nr_vm_pages);
		check_vm_devices_gone();
		break;
	case KC_HC_VM_CLEAR_RANGE:
		check_cleared(a[1], a[2]);
		break;
	case KC_HC_VM_FREE:
		check_freed();
		break;
	case KC_HC_KEY_INFO:
		/* A query: the key's id is checked in test_vm_boot; here only that it is one. */
		assert_int_equal(out, 1);
		break;
	default:
		check_io_allowed(r, a, out);
	}
}

/* Compares the state now with snapshot b, and frees b (before anything can assert). */
static bool unchanged_since(struct fx_snapshot *b)
{
	struct fx_snapshot *after = fx_snapshot_take();
	bool same = fx_snapshot_equal(b, after);

	fx_snapshot_free(after);
	fx_snapshot_free(b);
	return same;
}

/* fx_expect_refused, for a row where the doc allows two errors. */
static void expect_refused_either(s64 e1, s64 e2, const u64 a[4], u64 id)
{
	struct fx_snapshot *b = fx_snapshot_take();
	u64 out = 0xdead;
	s64 err = fx_hc(id, a[0], a[1], a[2], a[3], &out);
	bool same = unchanged_since(b);

	if (err != e1 && err != e2)
		print_error("returned %lld, expected %lld or %lld\n", (long long)err, (long long)e1,
			    (long long)e2);
	assert_true(err == e1 || err == e2);
	assert_int_equal(out, 0);
	assert_true(same);
	fx_check();
}

static void run_hc_row(void **state)
{
	const struct hc_row *r = *state;
	u64 a[4], out = 0;
	s64 err;

	row_start(r->name);
	prepare(r->setup, r->page);
	for (int i = 0; i < 4; i++)
		a[i] = resolve(r->a[i]);
	take_before();
	if (r->expect == KCORE_E_VERIFY) {
		err = fx_hc(r->id, a[0], a[1], a[2], a[3], &out);
		if (err != r->expect)
			print_error("%s: returned %lld\n", r->name, (long long)err);
		assert_int_equal(err, r->expect);
		assert_int_equal(out, 0);
		check_verify_failed();
	} else if (r->expect != KCORE_OK && r->also != 0) {
		expect_refused_either(r->expect, r->also, a, r->id);
	} else if (r->expect != KCORE_OK) {
		fx_expect_refused(r->expect, r->id, a[0], a[1], a[2], a[3]);
	} else {
		err = fx_hc(r->id, a[0], a[1], a[2], a[3], &out);
		if (err != KCORE_OK)
			print_error("%s: returned %lld, expected 0\n", r->name, (long long)err);
		assert_int_equal(err, KCORE_OK);
		check_allowed(r, a, out);
	}
	fx_check();
	row_done = true;
}

/* ---- guest calls kcore answers ---------------------------------------------- */

struct gc_row {
	const char *what;
	u64 id;
	u64 ipa;
	s64 expect;
	s64 also;
	char *name;
	enum setup setup;
	bool from_other; /* issued by the second VM (S_TWO_ACTIVE) */
};

#define G(s_, what_, id_, ipa_, ex_)                                                        \
	{                                                                                   \
		.what = (what_), .setup = (s_), .id = (id_), .ipa = (ipa_), .expect = (ex_) \
	}
#define G2(s_, what_, id_, ipa_, ex_, al_)                                                   \
	{                                                                                    \
		.what = (what_), .setup = (s_), .id = (id_), .ipa = (ipa_), .expect = (ex_), \
		.also = (al_)                                                                \
	}
#define G_OTHER(s_, what_, id_, ipa_, ex_)                                                   \
	{                                                                                    \
		.what = (what_), .setup = (s_), .id = (id_), .ipa = (ipa_), .expect = (ex_), \
		.from_other = true                                                           \
	}
#define SHARE(s, what, ipa, ex)	       G(s, what, KC_GC_SHARE_PAGE, ipa, ex)
#define UNSHARE(s, what, ipa, ex)      G(s, what, KC_GC_UNSHARE_PAGE, ipa, ex)
#define SHARE2(s, what, ipa, ex, al)   G2(s, what, KC_GC_SHARE_PAGE, ipa, ex, al)
#define UNSHARE2(s, what, ipa, ex, al) G2(s, what, KC_GC_UNSHARE_PAGE, ipa, ex, al)
#define NOT_KCORES		       1 /* expect: kcore does not handle it, the call goes to the host */

static struct gc_row gc_rows[] = {
    G(S_ACTIVE, "VERSION", KC_GC_VERSION, 0, OK),
    SHARE(S_ACTIVE, "own donated page", IPA_OWN, OK),
    SHARE(S_ACTIVE, "own image page (payload)", FX_LOAD_IPA, OK),
    SHARE(S_ACTIVE, "own image page (trailer)", FX_LOAD_IPA + PG, OK),
    SHARE(S_BLOCK_ACTIVE, "a page inside own 2 MiB block", IPA_BLOCK + 5 * PG, OK),
    SHARE(S_UNSHARED, "again after unsharing", IPA_OWN, OK),
    SHARE(S_SHARED, "twice", IPA_OWN, EXIST),
    SHARE(S_ACTIVE, "unmapped IPA", IPA_NEW, NOENT),
    SHARE(S_ACTIVE, "IPA 0", 0, NOENT),
    G_OTHER(S_TWO_ACTIVE, "IPA where only the other VM has a page", KC_GC_SHARE_PAGE, IPA_OWN,
	    NOENT),
    SHARE2(S_ACTIVE, "IPA 1 << 40 (outside the IPA space)", IPA_LIMIT, INVAL, NOENT),
    SHARE2(S_ACTIVE, "IPA 1 << 63 | IPA_OWN", TOP | IPA_OWN, INVAL, NOENT),
    SHARE2(S_ACTIVE, "IPA 1 << 40 | IPA_OWN", IPA_LIMIT | IPA_OWN, INVAL, NOENT),
    /* A device page is mapped but is not one of the VM's (RAM) pages: nothing to share. */
    SHARE2(S_ACTIVE, "the device page (MMIO)", IPA_IO, INVAL, NOENT),
    /*
     * An unaligned IPA is a malformed argument (INVAL, docs/abi.md "Errors"; pKVM's
     * MEM_SHARE refuses it the same way): kcore must not round it down and share the page.
     */
    SHARE(S_ACTIVE, "unaligned IPA (IPA_OWN + 8)", IPA_OWN + 8, INVAL),
    UNSHARE(S_SHARED, "unaligned IPA (IPA_OWN + 8)", IPA_OWN + 8, INVAL),
    UNSHARE2(S_ACTIVE, "the device page (MMIO)", IPA_IO, INVAL, NOENT),
    UNSHARE(S_SHARED, "a shared page", IPA_OWN, OK),
    UNSHARE(S_ACTIVE, "a page never shared", IPA_OWN, STATE),
    UNSHARE(S_ACTIVE, "an image page never shared", FX_LOAD_IPA, STATE),
    UNSHARE(S_BLOCK_ACTIVE, "a block page never shared", IPA_BLOCK + 5 * PG, STATE),
    UNSHARE(S_UNSHARED, "twice", IPA_OWN, STATE),
    UNSHARE(S_SHARED_DMA, "a shared page the host maps for DMA", IPA_OWN, BUSY),
    UNSHARE(S_SHARED_VDOM, "a shared page its own IO domain maps", IPA_OWN, BUSY),
    UNSHARE(S_ACTIVE, "unmapped IPA", IPA_NEW, NOENT),
    UNSHARE2(S_ACTIVE, "IPA 1 << 40", IPA_LIMIT, INVAL, NOENT),
    UNSHARE2(S_SHARED, "IPA 1 << 63 | IPA_OWN (a shared page)", TOP | IPA_OWN, INVAL, NOENT),
    G(S_ACTIVE, "PSCI SYSTEM_OFF", PSCI_SYSTEM_OFF, 0, OK),
    G(S_ACTIVE, "PSCI SYSTEM_RESET", PSCI_SYSTEM_RESET, 0, OK),
    G(S_SHARED, "PSCI SYSTEM_OFF with a page shared", PSCI_SYSTEM_OFF, 0, OK),
    G(S_ACTIVE, "unknown KCORE_HC(0x43) goes to the host", KCORE_HC(0x43), 0, NOT_KCORES),
    /*
     * pKVM's calls (core/run/pkvm.c): every row passes x2 = 0xdead, a reserved
     * argument pKVM's rule refuses before anything is looked at.
     */
    G(S_ACTIVE, "pKVM MEM_SHARE with x2 set", KVM_HYP_MEM_SHARE, IPA_OWN, SMCCC_INVALID_PARAMETER),
    G(S_SHARED, "pKVM MEM_UNSHARE with x2 set", KVM_HYP_MEM_UNSHARE, IPA_OWN,
      SMCCC_INVALID_PARAMETER),
    G(S_ACTIVE, "pKVM HYP_MEMINFO with x2 set", KVM_HYP_MEMINFO, 0, SMCCC_INVALID_PARAMETER),
    G(S_ACTIVE, "KVM's PTP goes to the host", 0xc6000001ull, 0, NOT_KCORES),
    G(S_ACTIVE, "host call VM_FREE from a guest goes to the host", KC_HC_VM_FREE, 1, NOT_KCORES),
    /* Not VM_DONATE (0xC6000007): that value is pKVM's MMIO_GUARD, kcore's own (test_pkvm). */
    G(S_ACTIVE, "host call VM_MAP_IO from a guest goes to the host", KC_HC_VM_MAP_IO, 1,
      NOT_KCORES),
};

static void run_gc_row(void **state)
{
	const struct gc_row *r = *state;
	struct kcore_hvc_regs regs = {{r->id, r->ipa, 0xdead, 0, 0, 0, 0, 0}};
	struct fx_snapshot *b;
	u64 vm, pa = 0;
	bool handled, same;

	row_start(r->name);
	prepare(r->setup, P_NONE);
	vm = r->from_other ? ctx.other : ctx.vm;
	if (r->expect == OK && (r->id == KC_GC_SHARE_PAGE || r->id == KC_GC_UNSHARE_PAGE)) {
		pa = vm_pa_of(vm, r->ipa);
		/* What the VM writes must reach the host after share, and survive unshare. */
		vm_write(vm, r->ipa, PAT_VM);
		fx_check();
	}
	b = r->expect != OK ? fx_snapshot_take() : NULL;
	handled = vm_hvc_dispatch((u32)vm, 0, &regs);
	same = b == NULL || unchanged_since(b);
	if (r->expect == NOT_KCORES) {
		assert_false(handled);
		assert_int_equal(regs.x[0], r->id);
		assert_true(same);
		fx_check();
		row_done = true;
		return;
	}
	assert_true(handled);
	if ((s64)regs.x[0] != r->expect && ((s64)regs.x[0] != r->also || r->also == 0))
		print_error("%s: returned %lld, expected %lld\n", r->name, (long long)regs.x[0],
			    (long long)r->expect);
	assert_true((s64)regs.x[0] == r->expect || (r->also != 0 && (s64)regs.x[0] == r->also));
	if (r->expect != OK) {
		assert_int_equal(regs.x[1], 0);
		assert_true(same);
		fx_check();
		row_done = true;
		return;
	}
	switch (r->id) {
	case KC_GC_VERSION:
		assert_int_equal(regs.x[1], ABI_VERSION);
		break;
	case KC_GC_SHARE_PAGE: {
		u64 v = PAT_VM2;

		assert_int_equal(fx_count(pa), 1);
		assert_int_equal(fx_owner(pa), vm);
		/* The host faults the page in and sees what the VM wrote; the VM sees its write. */
		assert_int_equal(host_read(pa, SIM_OK), PAT_VM);
		assert_int_equal(sim_host_access(ipa_init(pa), true, &v), SIM_OK);
		assert_int_equal(vm_read(vm, r->ipa), PAT_VM2);
		assert_true(sim_can_access(0, ipa_init(pa), true));
		/* Only that page: its neighbours in a block stay out of reach. */
		if (r->setup == S_BLOCK_ACTIVE) {
			host_locked_out(pa - PG);
			host_locked_out(pa + PG);
		}
		break;
	}
	case KC_GC_UNSHARE_PAGE:
		assert_int_equal(fx_count(pa), 0);
		assert_int_equal(fx_owner(pa), vm);
		host_locked_out(pa);
		assert_int_equal(host_read(pa, SIM_ABORTED), 0);
		assert_int_equal(ram_u64(pa), PAT_VM);
		assert_int_equal(vm_read(vm, r->ipa), PAT_VM);
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		assert_int_equal(vm_from_id(vm)->state, VM_POWEROFF);
		before.had_vdom = true;
		check_vm_devices_gone();
		/* Still running until the run loop takes it off the CPU. */
		assert_int_equal(vm_from_id(vm)->vcpus[0].state, VCPU_ACTIVE);
		fx_expect_refused(BUSY, KC_HC_VM_CLEAR_RANGE, vm, 0, IPA_LIMIT, 0);
		vcpu_deactivate((u32)vm, 0);
		assert_int_equal(fx_owner(ctx.own_pa), vm);
		break;
	default:
		fail();
	}
	fx_check();
	row_done = true;
}

/* ---- the host's stage-2 faults, by page state ------------------------------- */

struct ha_row {
	const char *what;
	enum setup setup;
	enum page page;
	enum sim_access_result expect;
	bool zero; /* SIM_OK rows: the page must read as zero (scrubbed) */
	char *name;
};

static struct ha_row ha_rows[] = {
    {"host page never touched", S_VERIFIED, P_FRESH, SIM_OK, false, NULL},
    {"host page already mapped", S_VERIFIED, P_TOUCHED, SIM_OK, false, NULL},
    {"host page back from a VM", S_VERIFIED, P_SCRUBBED, SIM_OK, true, NULL},
    {"host page back from a rejected image", S_VERIFIED, P_FREED_IMG, SIM_OK, true, NULL},
    {"a VM's page", S_VERIFIED, P_OWN, SIM_ABORTED, false, NULL},
    {"a VM's verified image page", S_VERIFIED, P_IMG_LOADED, SIM_ABORTED, false, NULL},
    {"a page of a VM's 2 MiB block", S_BLOCK_ACTIVE, P_OWN_BLOCK, SIM_ABORTED, false, NULL},
    {"another VM's page", S_VERIFIED, P_OTHER, SIM_ABORTED, false, NULL},
    {"another VM's page it shares", S_VERIFIED, P_OTHER_SHARED, SIM_OK, false, NULL},
    {"another VM's page it unshared", S_VERIFIED, P_UNSHARED, SIM_ABORTED, false, NULL},
    {"host page the host maps for DMA", S_VERIFIED, P_DMA, SIM_OK, false, NULL},
    {"a page the VM shares", S_SHARED, P_OWN, SIM_OK, false, NULL},
    {"a page the VM unshared", S_UNSHARED, P_OWN, SIM_ABORTED, false, NULL},
    {"image page awaiting verification", S_IMG_PART, P_AWAIT_OWN, SIM_ABORTED, false, NULL},
    {"another VM's image page awaiting verification", S_VERIFIED, P_AWAIT, SIM_ABORTED, false,
     NULL},
    {"image page VERIFY_VM rejected", S_VFAIL, P_AWAIT_OWN, SIM_ABORTED, false, NULL},
    {"page of a powered-off VM, not yet cleared", S_OFF_HOST, P_OWN, SIM_ABORTED, false, NULL},
    {"page a powered-off VM still shares", S_OFF_SHARED, P_OWN, SIM_OK, false, NULL},
    {"page cleared from a powered-off VM", S_CLEARED, P_OWN, SIM_OK, true, NULL},
    {"kcore's image (FX_RAM_BASE)", S_VERIFIED, P_KIMAGE, SIM_ABORTED, false, NULL},
    {"kcore's image, last page", S_VERIFIED, P_KIMAGE_END, SIM_ABORTED, false, NULL},
    {"kcore's carve-out (top of RAM)", S_VERIFIED, P_CARVE, SIM_ABORTED, false, NULL},
    {"host stage-2 root (host pool)", S_VERIFIED, P_POOL, SIM_ABORTED, false, NULL},
    {"a VM's stage-2 root (VM pool)", S_VERIFIED, P_VMPOOL, SIM_ABORTED, false, NULL},
    {"kcore's stage-1 root (kcore pool)", S_VERIFIED, P_KMAP_ROOT, SIM_ABORTED, false, NULL},
    {"device page", S_VERIFIED, P_DEVICE, SIM_NOT_RAM, false, NULL},
    {"kcore's device", S_VERIFIED, P_KDEVICE, SIM_ABORTED, false, NULL},
    {"kcore's device after the host mapped a device page next to it", S_VERIFIED, P_KDEV_NEAR_DEV,
     SIM_ABORTED, false, NULL},
    /* On a fresh machine the page above kcore's image is the host's and untouched. */
    {"kcore's image after the host mapped the page above it", S_NONE, P_KIMAGE_NEAR_HOST,
     SIM_ABORTED, false, NULL},
    {"kcore's carve-out after the host mapped the page below it", S_VERIFIED, P_CARVE_NEAR_HOST,
     SIM_ABORTED, false, NULL},
    /* The platform policy: unknown space is DENIED. */
    {"beyond RAM, no known device", S_VERIFIED, P_NONRAM, SIM_ABORTED, false, NULL},
    {"first page after RAM", S_VERIFIED, P_RAM_END, SIM_ABORTED, false, NULL},
    {"a DENIED device page", S_VERIFIED, P_DENIED, SIM_ABORTED, false, NULL},
    {"a MEDIATED device page", S_VERIFIED, P_MEDIATED, SIM_MEDIATED, false, NULL},
    {"a BEHIND_SMMU device page", S_VERIFIED, P_SMMU_WIN, SIM_NOT_RAM, false, NULL},
    {"IPA 1 << 40 (beyond the IPA space)", S_VERIFIED, P_BEYOND, SIM_ABORTED, false, NULL},
    {"IPA of a host page | 1 << 63", S_VERIFIED, P_HIGH, SIM_ABORTED, false, NULL},
};

static void run_ha_row(void **state)
{
	const struct ha_row *r = *state;
	u64 ipa, aborts, v, old = 0;
	bool ram;

	row_start(r->name);
	prepare(r->setup, r->page);
	ipa = ctx.page;
	ram = sim_is_ram(pa_init(ipa));
	aborts = sim_host_abort_count();
	switch (r->expect) {
	case SIM_OK:
		old = ram_u64(ipa);
		if (r->zero)
			assert_true(page_is_zero(ipa));
		assert_int_equal(host_read(ipa, SIM_OK), old);
		v = PAT_PROBE;
		assert_int_equal(sim_host_access(ipa_init(ipa), true, &v), SIM_OK);
		assert_int_equal(ram_u64(ipa), PAT_PROBE);
		assert_true(sim_can_access(0, ipa_init(ipa), true));
		assert_int_equal(sim_host_abort_count(), aborts);
		break;
	case SIM_ABORTED:
		if (ram) {
			static uint8_t copy[PG];

			memcpy(copy, sim_ram_ptr(pa_init(ipa)), PG);
			host_locked_out(ipa);
			assert_memory_equal(copy, sim_ram_ptr(pa_init(ipa)), PG);
		} else {
			v = PAT_PROBE;
			assert_int_equal(sim_host_access(ipa_init(ipa), true, &v), SIM_ABORTED);
			assert_int_equal(sim_host_abort_count(), aborts + 1);
		}
		assert_int_equal(ipa_addr(sim_host_abort_last()), ipa);
		assert_int_equal(host_read(ipa, SIM_ABORTED), 0);
		assert_false(sim_can_access(0, ipa_init(ipa), false));
		break;
	case SIM_NOT_RAM:
		/* Device memory: mapped for the host (translated), but the sim has no device. */
		assert_false(ram);
		v = PAT_PROBE;
		assert_int_equal(sim_host_access(ipa_init(ipa), true, &v), SIM_NOT_RAM);
		assert_true(sim_can_access(0, ipa_init(ipa), true));
		assert_int_equal(sim_host_abort_count(), aborts);
		break;
	case SIM_MEDIATED:
		/* kcore would emulate it: no abort, and the page never enters the host's stage-2.
		 */
		assert_false(ram);
		for (int w = 0; w <= 1; w++) {
			v = PAT_PROBE;
			assert_int_equal(sim_host_access(ipa_init(ipa), w != 0, &v), SIM_MEDIATED);
			assert_false(sim_can_access(0, ipa_init(ipa), false));
		}
		assert_int_equal(sim_host_abort_count(), aborts);
		break;
	default:
		fail();
	}
	fx_check();
	row_done = true;
}

/* ---- the rest -------------------------------------------------------------------- */

/*
 * A regression test: kcore once halted the whole machine here, because
 * vm_guest_poweroff() asserted the VM was still VERIFIED, so any guest with
 * two vCPUs could stop kcore and every other VM.
 *
 * Two vCPUs run; vCPU 0 powers the VM off (PSCI SYSTEM_OFF) and, before the run
 * loop has stopped vCPU 1, vCPU 1 does the same. docs/abi.md: SYSTEM_OFF means
 * "the VM is powered off" - it is already; kcore must not halt the machine.
 * Run in a child: a kcore halt exits the process.
 */
static void test_system_off_from_two_vcpus(void **state)
{
	pid_t pid;
	int status = 0;

	(void)state;
	row_start("two vCPUs both call PSCI SYSTEM_OFF");
	prepare(S_VERIFIED, P_NONE);
	/* vCPU 1 starts as the guest starts it: vCPU 0's CPU_ON. */
	assert_int_equal(fx_guest_cpu_on((u32)ctx.vm, 0, 1, FX_LOAD_IPA, 0), 0);
	activate(ctx.vm, 0);
	activate(ctx.vm, 1);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct kcore_hvc_regs regs = {{PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0, 0, 0}};
		struct kcore_hvc_regs regs1 = regs;

		if (!vm_hvc_dispatch((u32)ctx.vm, 0, &regs) || regs.x[0] != 0)
			_exit(2);
		if (!vm_hvc_dispatch((u32)ctx.vm, 1, &regs1) || regs1.x[0] != 0)
			_exit(3);
		if (vm_from_id(ctx.vm)->state != VM_POWEROFF)
			_exit(4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == SIM_HALT_EXIT_CODE)
		print_error("kcore halted the machine on the second vCPU's SYSTEM_OFF\n");
	assert_int_equal(WEXITSTATUS(status), 0);
	row_done = true;
}

/* The run loop's side: a vCPU becomes ACTIVE only with its VM VERIFIED and a good entry. */
static void test_activation_needs_verified_entry(void **state)
{
	u64 pc;

	(void)state;
	row_start("activation needs a verified entry");
	prepare(S_IMG_FULL, P_NONE);
	assert_int_equal(vcpu_activate((u32)ctx.vm, 0, &pc), KCORE_E_STATE);
	ok_hc(KC_HC_VCPU_SET_ENTRY, ctx.vm, 0, 0x1000, 0, NULL); /* outside every image */
	ok_hc(KC_HC_VERIFY_VM, ctx.vm, 0, 0, 0, NULL);
	assert_int_equal(vcpu_activate((u32)ctx.vm, 0, &pc), KCORE_E_PERM);
	/* The payload is 4 KiB: the trailer page is not a place to start. */
	ok_hc(KC_HC_VCPU_SET_ENTRY, ctx.vm, 0, FX_LOAD_IPA + PG, 0, NULL);
	assert_int_equal(vcpu_activate((u32)ctx.vm, 0, &pc), KCORE_E_PERM);
	ok_hc(KC_HC_VCPU_SET_ENTRY, ctx.vm, 0, FX_LOAD_IPA + PG - 4, 0, NULL);
	assert_int_equal(vcpu_activate((u32)ctx.vm, 0, &pc), KCORE_OK);
	assert_int_equal(pc, FX_LOAD_IPA + PG - 4);
	vcpu_deactivate((u32)ctx.vm, 0);
	fx_check();
	row_done = true;
}

static const char *call_name(u64 id)
{
	switch (id) {
	case KC_HC_VERSION:
		return "VERSION";
	case KC_HC_REGISTER_VM:
		return "REGISTER_VM";
	case KC_HC_REGISTER_VCPU:
		return "REGISTER_VCPU";
	case KC_HC_SET_BOOT_INFO:
		return "SET_BOOT_INFO";
	case KC_HC_REMAP_VM_IMAGE:
		return "REMAP_VM_IMAGE";
	case KC_HC_VERIFY_VM:
		return "VERIFY_VM";
	case KC_HC_VCPU_SET_ENTRY:
		return "VCPU_SET_ENTRY";
	case KC_HC_VM_DONATE:
		return "VM_DONATE";
	case KC_HC_VM_MAP_IO:
		return "VM_MAP_IO";
	case KC_HC_VM_POWEROFF:
		return "VM_POWEROFF";
	case KC_HC_VM_CLEAR_RANGE:
		return "VM_CLEAR_RANGE";
	case KC_HC_VM_FREE:
		return "VM_FREE";
	case KC_HC_IO_DOMAIN_ALLOC:
		return "IO_DOMAIN_ALLOC";
	case KC_HC_IO_DOMAIN_FREE:
		return "IO_DOMAIN_FREE";
	case KC_HC_IO_ATTACH:
		return "IO_ATTACH";
	case KC_HC_IO_DETACH:
		return "IO_DETACH";
	case KC_HC_IO_MAP:
		return "IO_MAP";
	case KC_HC_IO_UNMAP:
		return "IO_UNMAP";
	case KC_HC_IO_IOVA_TO_PHYS:
		return "IO_IOVA_TO_PHYS";
	case KC_HC_CHECK_INVARIANTS:
		return "CHECK_INVARIANTS";
	default:
		return "host call";
	}
}

static const char *guest_call_name(u64 id)
{
	switch (id) {
	case KC_GC_VERSION:
		return "guest VERSION";
	case KC_GC_SHARE_PAGE:
		return "guest SHARE_PAGE";
	case KC_GC_UNSHARE_PAGE:
		return "guest UNSHARE_PAGE";
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		return "guest PSCI";
	default:
		return "guest call";
	}
}

static char *make_name(const char *prefix, const char *what)
{
	size_t len = strlen(prefix) + strlen(what) + 3;
	char *s = malloc(len);

	assert_non_null(s);
	snprintf(s, len, "%s: %s", prefix, what);
	return s;
}

static int group_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	fx_boot(NULL); /* the keys */
	img_good = fx_sign(fx_trusted_key(), payload, sizeof(payload), &img_size);
	img_bad = fx_sign(fx_untrusted_key(), payload, sizeof(payload), &img_size);
	assert_int_equal(img_size, sizeof(payload) + KCORE_IMG_TRAILER_SIZE);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(img_good);
	free(img_bad);
	return 0;
}

#define NR(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t n = NR(hc_rows) + NR(gc_rows) + NR(ha_rows) + 2, k = 0;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	int failed;

	if (tests == NULL)
		return 1;
	/*
	 * Every row boots a machine (32 MiB of RAM) and takes snapshots (32 MiB each):
	 * keep that memory in the heap for the next row instead of mapping and
	 * faulting it in afresh every time. Speed only.
	 */
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	for (size_t i = 0; i < NR(hc_rows); i++) {
		hc_rows[i].name = make_name(call_name(hc_rows[i].id), hc_rows[i].what);
		tests[k++] = (struct CMUnitTest){hc_rows[i].name, run_hc_row, NULL, row_teardown,
						 &hc_rows[i]};
	}
	for (size_t i = 0; i < NR(gc_rows); i++) {
		gc_rows[i].name = make_name(guest_call_name(gc_rows[i].id), gc_rows[i].what);
		tests[k++] = (struct CMUnitTest){gc_rows[i].name, run_gc_row, NULL, row_teardown,
						 &gc_rows[i]};
	}
	for (size_t i = 0; i < NR(ha_rows); i++) {
		ha_rows[i].name = make_name("host access", ha_rows[i].what);
		tests[k++] = (struct CMUnitTest){ha_rows[i].name, run_ha_row, NULL, row_teardown,
						 &ha_rows[i]};
	}
	tests[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_system_off_from_two_vcpus,
								  row_teardown);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(
	    test_activation_needs_verified_entry, row_teardown);
	failed = _cmocka_run_group_tests("transitions", tests, k, group_setup, group_teardown);
	for (size_t i = 0; i < NR(hc_rows); i++)
		free(hc_rows[i].name);
	for (size_t i = 0; i < NR(gc_rows); i++)
		free(gc_rows[i].name);
	for (size_t i = 0; i < NR(ha_rows); i++)
		free(ha_rows[i].name);
	free(tests);
	return failed;
}
