/* SPDX-License-Identifier: MIT */
/*
 * The reference model of kcore's specification (see model.h for how it is
 * used). Written from docs/abi.md, docs/security.md, docs/image-format.md,
 * include/kcore/abi.h and the product brief only, never from core/: each
 * function below should read like the row of docs/abi.md it implements.
 *
 * The state is deliberately naive: one record per RAM page (owner, shared,
 * the IPA a VM page sits at, whether it came in a 2 MiB donation), one record
 * per VM slot (state, vCPUs, images, RAM regions, device pages), and a flat
 * copy of RAM. Lookups are linear scans; RAM is a few MiB.
 *
 * Several errors may apply to one call and the ABI does not fix which one
 * wins. So every check is evaluated on its own, as far as the arguments allow
 * (a page check is skipped for a page that is not RAM, a VM check when the vmid
 * is out of range), and the set of codes that apply is computed; the core's
 * error must be in that set, and success is allowed only when the set is
 * empty. A page or IPA check over a range whose base is not aligned is made
 * over every page the range touches (rounded out to the alignment the call
 * needs), so a core that looks at the aligned-down range is also accepted.
 *
 * Where the docs are silent
 * -------------------------
 * (decisions of this model; each one is what it accepts, and nothing else)
 *
 *  1. A vmid in range whose slot is not in use gets STATE (wrong state), not
 *     INVAL (INVAL is only for ids outside 1..max_vms).
 *  2. A call that has no result returns x1 = 0 on success too (the host learns
 *     nothing else). x1 = 0 on every error.
 *  3. The function id is x0 whole: an id with any of bits 63..32 set is not a
 *     known id (host: NOT_SUPPORTED; guest: not kcore's, goes to the host).
 *  4. REGISTER_VM may return any free slot; NOMEM only when none is free.
 *  5. SET_BOOT_INFO: the load IPA must be page aligned (else INVAL); the
 *     image's IPA range is [load_ipa, load_ipa + size rounded up to pages) and
 *     must lie inside the IPA space (else INVAL). "Range free" means it does
 *     not overlap another image of the VM, a donated page or a MAP_IO page
 *     (else EXIST). It need not lie inside a RAM region. load_idx is the
 *     number of images the VM had before: 0, 1, 2, 3.
 *  6. REMAP_VM_IMAGE: the PA is pfn << 12; a pfn whose PA is not RAM (or
 *     overflows) is INVAL. A load_idx that names no image the VM has
 *     (load_idx >= number of images) is INVAL. A complete image is EXIST
 *     ("already done"; first written as STATE, reconciled with the core and
 *     docs/abi.md). A page a VM shared with the host is not the host's (PERM)
 *     and is shared (BUSY): both are accepted.
 *  7. VERIFY_VM: with no error, the outcome is decided by the image_ok oracle
 *     on each image file, rebuilt from the first `size` bytes of its pages in
 *     order. Success leaves page contents as they were (including the bytes
 *     past the end of the file in the last page, and the trailer).
 *  8. Image pages that were handed over but never became the VM's (the VM
 *     failed verification, or was powered off while READY) stay kcore's until
 *     VM_FREE, which gives them back to the host zeroed.
 *  9. VCPU_SET_ENTRY checks only that the PC is 4-byte aligned (INVAL); where
 *     the PC lies is checked at the first run (PERM). Setting the entry again
 *     before the first run replaces it.
 * 10. VM_DONATE: a 2 MiB donation needs both the IPA and the PA 2 MiB aligned
 *     (else INVAL). The IPA need not lie in a RAM region. The pages keep their
 *     contents (the host gave them; kcore does not zero them on the way in).
 * 11. VM_MAP_IO: IPA and PA must be page aligned and the IPA inside the IPA
 *     space (else INVAL); a PA in RAM is INVAL; a device PA the platform
 *     policy does not let a VM have (kcore's, mediated, denied, unknown) PERM.
 *     The IPA must not be mapped (RAM or device) and not inside an image's
 *     range (else EXIST). The same device page may be given to several VMs or
 *     at several IPAs. A PA at or above 2^48 (the largest physical address
 *     space without LPA2) is no device: INVAL (reconciled with the core).
 * 12. VM_CLEAR_RANGE: IPA and size page aligned, size non-zero, the range
 *     inside the IPA space (else INVAL). A range that covers part of a 2 MiB
 *     donation (not all of it) is INVAL. Every VM page mapped in the range
 *     (donated or verified image page; shared or not) goes back to the host
 *     zeroed and unshared; every device page mapped in the range is unmapped.
 *     Unmapped IPAs in the range are fine (nothing happens there).
 * 13. VM_SET_RAM: size must be non-zero (else INVAL); regions of one VM must
 *     not overlap (else EXIST). Regions may overlap images and donations.
 * 14. VM_FREE: BUSY if any RAM page or device page is still mapped in the VM.
 * 15. VCPU_RUN: the run page must be page aligned and RAM (else INVAL) and
 *     the host's (else PERM; a page a VM shares is a VM's page: PERM). A
 *     vCPU whose entry was never set has no entry PC in a verified image:
 *     its first run is PERM (docs/abi.md, reconciled with the core). On the
 *     first run the entry PC must satisfy load_ipa <= pc < load_ipa + size -
 *     256 for some image of the VM (the payload), else PERM. The out part's
 *     words that the exit's union member does not use are zero. KC_EXIT_IRQ
 *     is never expected (the model has no physical interrupts).
 * 16. A guest access (in VCPU_RUN) at an IPA with no RAM page mapped: inside a
 *     RAM region -> MEM_FAULT (page-aligned IPA, is_write, is_exec 0); outside
 *     every region -> MMIO (exact IPA, size 8, is_write, the stored value for
 *     a store, 0 for a load), unless the VM is enrolled in the MMIO guard
 *     and did not register the page: then no exit for it (the guest takes
 *     an abort and goes on to its WFI: WFI, nothing reached memory).
 *     Accesses to MAP_IO pages and beyond the IPA space are not modelled
 *     (the driver must not make them).
 * 17. Guest calls: SHARE and UNSHARE return x1 = 0 on success; an IPA
 *     outside the IPA space is INVAL and NOENT (nothing is mapped there).
 *     PSCI (SMC32 0x8400xxxx, SMC64 0xC400xxxx, functions 0..0x1f) is
 *     kcore's: PSCI_VERSION -> x0 = 0x10001 (1.1); MIGRATE_INFO_TYPE -> 2;
 *     MIGRATE, MIGRATE_INFO_UP_CPU -> x0 = -1; SYSTEM_OFF / SYSTEM_RESET ->
 *     x0 = 0 and the VM is off. For PSCI only x0 is checked. FEATURES,
 *     CPU_ON, CPU_OFF, CPU_SUSPEND, AFFINITY_INFO, SYSTEM_RESET2 and the PSCI
 *     ids the docs do not name are not modelled (the driver must not make
 *     them). MMIO_GUARD(ipa) (x2, x3 zero): SUCCESS, x1..x3 0, and the VM
 *     enrolled, for a page-aligned IPA in the IPA space, in none of the
 *     VM's RAM regions and images, already registered or fitting kcore's 32
 *     ranges (runs of neighbouring pages); INVALID_PARAMETER otherwise,
 *     nothing changed. Cleared with the VM. SNAPSHOT_BEGIN of an enrolled
 *     VM is STATE.
 *     Everything else goes to the host.
 * 18. KC_HC_CHECK_INVARIANTS, if given to model_host_call anyway: OK with
 *     x1 = 0 violations, or NOT_SUPPORTED (a non-debug build), changing nothing.
 * 19. model_page_owner() of a PA outside RAM is MODEL_KCORE (nobody's to use).
 *
 * DMA isolation (the KC_HC_IO_* calls, docs/abi.md "DMA isolation"):
 *
 * 20. Without IO support (model_config.io_supported false) every IO call
 *     answers NOT_SUPPORTED whatever its arguments, and every DMA is refused
 *     (the streams stay blocked, as at boot).
 * 21. IO_DOMAIN_ALLOC: the owner is x1 whole: 0 the host, 1..max_vms a VM
 *     (STATE unless READY or VERIFIED; an unused slot is STATE too, as in
 *     decision 1), anything else INVAL. It may return any free domain.
 *     NOMEM only when all 16 domains are allocated: like the other pools,
 *     the IO pool is assumed never to run dry (the driver sizes it so).
 * 22. IO_DOMAIN_FREE frees any allocated domain, a VM's included ("the
 *     host's domains are the host's to free" does not forbid the host to
 *     free a VM's domain early).
 * 23. IO_MAP: the same page may be mapped at several IOVAs and in several
 *     domains; each mapping in any domain (the host's or a VM's) counts once
 *     in the page's DMA count (smmu_count). PERM for a host domain: the page
 *     is neither the host's nor a VM's page it shares (kcore's pages, image
 *     pages in flight and VMs' unshared pages included); for a VM's domain:
 *     the page is not that VM's, the VM does not share it (its consent), or
 *     the IOVA is not the IPA the VM maps it at (a verified image page's IPA
 *     is its load address). EXIST is per domain. The VM's UNSHARE is BUSY
 *     while any domain maps the page.
 * 24. IO_ATTACH: a stream attached to another domain is BUSY even when the
 *     domain argument is invalid or free (the checks are independent).
 * 25. IO_IOVA_TO_PHYS returns the mapped page's PA plus the IOVA's offset in
 *     the page.
 * 26. VM_CLEAR_RANGE of a page the VM shares and a host domain maps: the page
 *     goes back to the host zeroed and stays mapped in the host domain (its
 *     DMA count kept); VM_CLEAR_RANGE is not BUSY for it. VM_FREE is not
 *     BUSY for the VM's streams or domains (there are none after power-off).
 * 27. A DMA (model_dma_access) through a stream id >= 256, a blocked stream
 *     or at an IOVA the stream's domain does not map (IOVAs >= 2^ipa_bits
 *     included) is refused and changes nothing. Otherwise it reads or writes
 *     the mapped page's bytes: the same bytes the host, the VM and every other
 *     domain mapping the page see. *
 * Snapshots (the KC_HC_VM_SNAPSHOT_* / RESTORE_* calls, docs/abi.md "Snapshots"):
 *
 * 28. A record argument must be 128-byte aligned RAM, a data page argument
 *     page aligned RAM (else INVAL); either must be a host page (else PERM; a
 *     page a VM shares is the VM's). A host page an IO domain maps is fine.
 *     A record inside the same call's data page is INVAL.
 * 29. SNAPSHOT_BEGIN on a VM with a snapshot or a restore open: STATE or BUSY.
 * 30. SNAPSHOT_PAGE: an unaligned IPA or one outside the IPA space is INVAL;
 *     NOENT and EXIST are judged on the page the IPA falls in. A MAP_IO page
 *     is no RAM page (NOENT). The VM's RAM pages are every page it owns: its
 *     verified image pages too.
 * 31. While a snapshot or restore is open the VM is VERIFIED but paused:
 *     VCPU_RUN is STATE and the driver makes no guest access or call. Calls
 *     that only need VERIFIED (VM_DONATE, VM_MAP_IO, VCPU_INJECT_IRQ,
 *     VCPU_SET_ENTRY, the IO calls, VM_POWEROFF) are unaffected. A page
 *     donated below the last one written makes SNAPSHOT_END STATE for good
 *     (the host can only cancel).
 * 32. Authenticity: the model cannot decrypt, so a restore's record (all 128
 *     bytes) and data page (a PAGE blob: all 4,096 bytes) are authentic iff
 *     they are byte for byte those kcore wrote for that piece (the chance of
 *     a forgery is ignored). The header is authentic for a VM iff it is one
 *     kcore wrote since boot (a cancelled or unfinished snapshot's too: it
 *     can then never END) of a VM with the same measurement (decision 38).
 * 33. A VM whose vCPUs differ from the header's vcpu_mask: RESTORE_BEGIN may
 *     refuse it (AUTH) or not; then a vCPU the VM lacks is AUTH at
 *     RESTORE_VCPU and RESTORE_END is AUTH: it never runs.
 * 34. RESTORE_PAGE with a record and data page that are not the next page's:
 *     AUTH, or NOENT when the record's (unauthenticated) IPA has no RAM page
 *     of the VM. The next page's own, at an IPA without a page: NOENT.
 * 35. RESTORE_VCPU: a VCPU data page's bytes past KCORE_SNAP_VCPU_BYTES that
 *     are not zero may be refused (AUTH) or ignored. A vCPU that is restored
 *     takes the original's state: its entry (PC, x0) if it never ran, and
 *     whether it ran (then its first-run checks are over).
 * 36. Every power-off ends an open snapshot (never to be ended) or restore
 *     (never to run). A failed restore leaves the VM's pages unknown, but
 *     nobody can see them before VM_CLEAR_RANGE zeroes them.
 * 37. What kcore writes: a record's 128 bytes at its PA and (PAGE, VCPU) the
 *     whole data page; nothing else in the host's pages changes, on any
 *     call. A restore writes no host page. Pages of the new VM that no
 *     restored page covers keep their bytes.
 * 38. Checked in every record kcore writes: the magic, kind, index, ipa,
 *     nr_pages and vcpu_mask the docs give it (0 where unused), reserved
 *     zero, one format in every record since boot, the header's snapshot id
 *     and measurement; each header's id differs from every earlier one; two
 *     headers have the same measurement iff their VMs have the same images at
 *     the same IPAs (the model's measurement: the images' IPA, size and
 *     bytes, in order). PAGE data: no aligned 8-byte word equal to the VM
 *     page's word at the same offset (the page never in clear, not even in
 *     part). VCPU data: zero past KCORE_SNAP_VCPU_BYTES.
 * 39. Without a sealing key (model_config.snap_supported false)
 *     SNAPSHOT_BEGIN and RESTORE_BEGIN add NOT_SUPPORTED to what else
 *     applies and never succeed; the other snapshot calls have nothing open
 *     (STATE) or bad arguments, as always.
 * 40. RESTORE_BEGIN into a VM none of whose vCPUs ran, with pages it shares
 *     (the driver's guest calls need no vCPU run): allowed; the restored page
 *     stays shared.
 */
#include "model.h"
#include <kcore/psci.h>

#include <kcore/abi.h>
#include <kcore/snapshot.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE	      KCORE_PAGE_SIZE
#define BLOCK	      KCORE_BLOCK_SIZE
#define TRAILER	      256u
#define IMAGE_MIN     (TRAILER + 1u)
#define IMAGE_MAX     (512ull * 1024 * 1024)
#define MAX_IMAGES    4u
#define MAX_RAM	      4u
#define RUN_OUT_WORDS 9u

/* PSCI function ids (PSCI 1.0). */

enum vm_state { VM_UNUSED, VM_READY, VM_VERIFIED, VM_POWEROFF };

enum snap_phase { SNAP_NONE, SNAP_TAKING, SNAP_RESTORING };

struct page {
	uint32_t owner; /* MODEL_HOST, MODEL_KCORE or a vmid */
	bool shared;	/* a VM page the VM shared with the host */
	bool block;	/* a VM page that came in a 2 MiB donation */
	uint64_t ipa;	/* a VM page: where the VM maps it */
	uint32_t dma;	/* smmu_count: mappings of the page in IO domains, any owner's */
};

struct vcpu {
	bool registered;
	bool entry_set;
	bool has_run;
	uint64_t entry_pc;
	uint64_t entry_x0;
};

struct image {
	uint64_t load_ipa;
	uint64_t size;	 /* file size, trailer included */
	uint64_t npages; /* size rounded up to pages */
	uint64_t done;	 /* pages handed over so far */
	uint64_t *pa;	 /* [npages]: their PAs, in order */
};

struct device {
	uint64_t ipa;
	uint64_t pa;
};

/* The most MMIO pages the model keeps per VM (a driver that registers more is in error). */
#define MAX_GUARD_PAGES 1024u
/* kcore's ranges of them (core/vm/mmio_guard.h): neighbours merge. */
#define GUARD_RANGES	32u

struct vm {
	enum vm_state state;
	struct vcpu *vcpu; /* [max_vcpus] */
	uint32_t nr_images;
	struct image image[MAX_IMAGES];
	bool images_given; /* VERIFY_VM succeeded: the image pages are the VM's */
	uint32_t nr_ram;
	struct model_range ram[MAX_RAM];
	struct device *dev;
	size_t nr_dev;
	/* Snapshots (docs/abi.md "Snapshots"). */
	uint64_t meas;	       /* the model's measurement, set at VERIFY_VM */
	enum snap_phase phase; /* a snapshot or a restore open */
	size_t snap;	       /* the open one's index in model.snap */
	uint64_t pages_done;   /* RESTORING: pages restored so far */
	uint64_t vcpus_done;   /* RESTORING: the vCPUs restored so far (mask) */
	bool restored;	       /* RESTORE_BEGIN succeeded once */
	/* The MMIO guard (decision 17): enrolled, and the pages registered, in no order. */
	bool guard_enrolled;
	uint32_t nr_guard;
	uint64_t guard[MAX_GUARD_PAGES];
};

/* One 4 KiB mapping of an IO domain. */
struct io_map {
	uint32_t dom;
	uint64_t iova;
	uint64_t pa;
};

#define NO_DOMAIN UINT32_MAX

/*
 * A snapshot as kcore wrote it (docs/abi.md "Snapshots"): each record's 128
 * bytes, a digest of each data page's ciphertext, and what the model knew in
 * clear when the piece was written (the page's bytes, the vCPU's state).
 */
#define REC KCORE_SNAP_RECORD_SIZE

struct snap_page {
	uint64_t ipa;
	uint8_t rec[REC];
	uint64_t data_digest;
	uint8_t *plain; /* [PAGE] */
};

struct snap_vcpu {
	uint8_t rec[REC];
	uint64_t data_digest; /* of the first KCORE_SNAP_VCPU_BYTES bytes */
	struct vcpu state;
};

struct snapshot {
	uint64_t meas; /* the model's measurement of the VM it was taken of */
	uint64_t vcpu_mask;
	uint64_t vcpus_written; /* mask */
	uint8_t header[REC];
	struct snap_page *page;
	size_t nr_page, cap_page;
	struct snap_vcpu *vcpu; /* [max_vcpus] */
	bool ended;		/* SNAPSHOT_END wrote the trailer */
	uint8_t trailer[REC];
};

struct model {
	struct model_config cfg;
	/* IO domains: allocated, and the owner (MODEL_HOST or a vmid). */
	bool dom_alloc[MODEL_IO_DOMAINS];
	uint32_t dom_owner[MODEL_IO_DOMAINS];
	uint32_t stream_dom[MODEL_IO_STREAMS]; /* the domain, or NO_DOMAIN: blocked */
	struct io_map *iomap;		       /* every IO mapping, in no order */
	size_t nr_iomap, cap_iomap;
	uint64_t ipa_limit; /* 2^ipa_bits */
	uint64_t npages;
	struct page *page;     /* [npages], page i is at cfg.ram.base + i * PAGE */
	uint8_t *mem;	       /* [cfg.ram.size] */
	struct vm *vm;	       /* [max_vms + 1]; vm[0] unused (VMID 0 is the host) */
	struct snapshot *snap; /* every snapshot begun since boot */
	size_t nr_snap, cap_snap;
	bool format_known; /* a record's format field seen: every other must equal it */
	uint32_t format;
	char why[600];
};

/* ---- small helpers ---- */

__attribute__((format(printf, 2, 3))) static void set_why(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
}

/* base + size, saturating at 2^64 - 1. */
static uint64_t end_of(uint64_t base, uint64_t size)
{
	return base + size < base ? UINT64_MAX : base + size;
}

static uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

/* x rounded up to a multiple of a, saturating. */
static uint64_t align_up(uint64_t x, uint64_t a)
{
	uint64_t r = end_of(x, a - 1);

	return r == UINT64_MAX ? UINT64_MAX : align_down(r, a);
}

static bool overlaps(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
	return lo1 < hi2 && lo2 < hi1;
}

static bool in_range(uint64_t x, const struct model_range *r)
{
	return x >= r->base && x - r->base < r->size;
}

static bool is_ram(const struct model *m, uint64_t pa)
{
	return in_range(pa, &m->cfg.ram);
}

/* [base, base + size) lies inside RAM. */
static bool range_is_ram(const struct model *m, uint64_t base, uint64_t size)
{
	const struct model_range *r = &m->cfg.ram;

	return base >= r->base && size <= r->size && base - r->base <= r->size - size;
}

/* [base, base + size) lies inside the IPA space [0, 2^ipa_bits). */
static bool in_ipa_space(const struct model *m, uint64_t base, uint64_t size)
{
	return size <= m->ipa_limit && base <= m->ipa_limit - size;
}

static struct page *page_of(const struct model *m, uint64_t pa)
{
	return &m->page[(pa - m->cfg.ram.base) / PAGE];
}

static uint64_t page_pa(const struct model *m, uint64_t i)
{
	return m->cfg.ram.base + i * PAGE;
}

static uint8_t *mem_of(const struct model *m, uint64_t pa)
{
	return &m->mem[pa - m->cfg.ram.base];
}

static uint64_t load64(const struct model *m, uint64_t pa)
{
	uint64_t v;

	memcpy(&v, mem_of(m, pa), sizeof(v));
	return v;
}

static void store64(struct model *m, uint64_t pa, uint64_t v)
{
	memcpy(mem_of(m, pa), &v, sizeof(v));
}

static void zero_page(struct model *m, uint64_t pa)
{
	memset(mem_of(m, pa), 0, PAGE);
}

/* The RAM pages that [lo, hi) touches: page indexes [*first, *last). */
static void ram_pages(const struct model *m, uint64_t lo, uint64_t hi, uint64_t *first,
		      uint64_t *last)
{
	uint64_t rlo = m->cfg.ram.base, rhi = m->cfg.ram.base + m->cfg.ram.size;

	if (lo < rlo)
		lo = rlo;
	if (hi > rhi)
		hi = rhi;
	if (lo >= hi) {
		*first = *last = 0;
		return;
	}
	*first = (lo - rlo) / PAGE;
	*last = (hi - rlo + PAGE - 1) / PAGE;
}

/* The VM slot x names, or NULL if x is not 1..max_vms (INVAL). */
static struct vm *vm_arg(const struct model *m, uint64_t x)
{
	if (x < 1 || x > m->cfg.max_vms)
		return NULL;
	return &m->vm[x];
}

static uint32_t vmid_of(const struct model *m, const struct vm *vm)
{
	return (uint32_t)(vm - m->vm);
}

/* The vCPU x names in vm, or NULL if vm is NULL or x is not 0..max_vcpus-1. */
static struct vcpu *vcpu_arg(const struct model *m, struct vm *vm, uint64_t x)
{
	if (vm == NULL || x >= m->cfg.max_vcpus)
		return NULL;
	return &vm->vcpu[x];
}

/* The RAM page the VM maps at the page containing ipa, if any. */
static bool vm_page_at(const struct model *m, uint32_t vmid, uint64_t ipa, uint64_t *pa)
{
	uint64_t i;

	ipa = align_down(ipa, PAGE);
	for (i = 0; i < m->npages; i++) {
		if (m->page[i].owner == vmid && m->page[i].ipa == ipa) {
			*pa = page_pa(m, i);
			return true;
		}
	}
	return false;
}

static const struct device *vm_device_at(const struct vm *vm, uint64_t ipa)
{
	size_t i;

	ipa = align_down(ipa, PAGE);
	for (i = 0; i < vm->nr_dev; i++) {
		if (vm->dev[i].ipa == ipa)
			return &vm->dev[i];
	}
	return NULL;
}

/* Anything (a RAM page or a device page) mapped in the VM within [lo, hi). */
static bool vm_mapped_in(const struct model *m, const struct vm *vm, uint64_t lo, uint64_t hi)
{
	uint32_t vmid = vmid_of(m, vm);
	uint64_t i;
	size_t d;

	for (i = 0; i < m->npages; i++) {
		if (m->page[i].owner == vmid &&
		    overlaps(m->page[i].ipa, m->page[i].ipa + PAGE, lo, hi))
			return true;
	}
	for (d = 0; d < vm->nr_dev; d++) {
		if (overlaps(vm->dev[d].ipa, vm->dev[d].ipa + PAGE, lo, hi))
			return true;
	}
	return false;
}

/* [lo, hi) overlaps one of the VM's images' IPA ranges. */
static bool vm_image_in(const struct vm *vm, uint64_t lo, uint64_t hi)
{
	uint32_t i;

	for (i = 0; i < vm->nr_images; i++) {
		const struct image *img = &vm->image[i];

		if (overlaps(img->load_ipa, img->load_ipa + img->npages * PAGE, lo, hi))
			return true;
	}
	return false;
}

static bool in_ram_region(const struct vm *vm, uint64_t ipa)
{
	uint32_t i;

	for (i = 0; i < vm->nr_ram; i++) {
		if (in_range(ipa, &vm->ram[i]))
			return true;
	}
	return false;
}

/* ---- error sets and verdicts ---- */

#define ERR(code) (1u << (unsigned)(-(code)))

static const char *code_name(int64_t code)
{
	switch (code) {
	case KCORE_OK:
		return "OK";
	case KCORE_E_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case KCORE_E_INVAL:
		return "INVAL";
	case KCORE_E_STATE:
		return "STATE";
	case KCORE_E_PERM:
		return "PERM";
	case KCORE_E_NOMEM:
		return "NOMEM";
	case KCORE_E_BUSY:
		return "BUSY";
	case KCORE_E_EXIST:
		return "EXIST";
	case KCORE_E_VERIFY:
		return "VERIFY";
	case KCORE_E_NOENT:
		return "NOENT";
	case KCORE_E_AUTH:
		return "AUTH";
	default:
		return NULL;
	}
}

/* "OK", "PERM", or the number if it is no code at all. */
static const char *code_str(int64_t code, char *buf, size_t n)
{
	const char *s = code_name(code);

	if (s != NULL)
		return s;
	snprintf(buf, n, "%" PRId64 " (no such code)", code);
	return buf;
}

static bool in_set(unsigned errs, int64_t code)
{
	return code < 0 && code >= KCORE_E_AUTH && (errs & ERR(code)) != 0;
}

/* "{INVAL, PERM}" */
static void set_str(unsigned errs, char *buf, size_t n)
{
	int64_t c;
	size_t len = 0;

	buf[0] = '\0';
	len += (size_t)snprintf(buf + len, n - len, "{");
	for (c = KCORE_E_NOT_SUPPORTED; c >= KCORE_E_AUTH; c--) {
		if (errs & ERR(c))
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len > 1 ? ", " : "",
						code_name(c));
		if (len >= n)
			return;
	}
	snprintf(buf + len, n - len, "}");
}

/*
 * Whether the core's (x0, x1) is allowed when the errors errs apply and a
 * success would return want_x1. The caller applies the transition if this
 * returns true and got_x0 is KCORE_OK.
 */
static bool verdict(struct model *m, const char *call, unsigned errs, uint64_t want_x1,
		    int64_t got_x0, uint64_t got_x1)
{
	char set[128], got[48];

	if (errs == 0) {
		if (got_x0 != KCORE_OK) {
			set_why(m, "%s: expected OK, got %s", call,
				code_str(got_x0, got, sizeof(got)));
			return false;
		}
		if (got_x1 != want_x1) {
			set_why(m, "%s: OK as expected, but x1 = %#" PRIx64 ", expected %#" PRIx64,
				call, got_x1, want_x1);
			return false;
		}
		return true;
	}
	if (!in_set(errs, got_x0)) {
		set_str(errs, set, sizeof(set));
		set_why(m, "%s: expected one of %s, got %s", call, set,
			code_str(got_x0, got, sizeof(got)));
		return false;
	}
	if (got_x1 != 0) {
		set_why(m, "%s: %s as allowed, but x1 = %#" PRIx64 " (must be 0 on error)", call,
			code_name(got_x0), got_x1);
		return false;
	}
	return true;
}

/* ---- host calls ---- */

static const char *call_name(uint64_t id)
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
	case KC_HC_KEY_INFO:
		return "KEY_INFO";
	case KC_HC_VM_SET_RAM:
		return "VM_SET_RAM";
	case KC_HC_VCPU_RUN:
		return "VCPU_RUN";
	case KC_HC_VCPU_INJECT_IRQ:
		return "VCPU_INJECT_IRQ";
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
	case KC_HC_VM_SNAPSHOT_BEGIN:
		return "SNAPSHOT_BEGIN";
	case KC_HC_VM_SNAPSHOT_PAGE:
		return "SNAPSHOT_PAGE";
	case KC_HC_VM_SNAPSHOT_VCPU:
		return "SNAPSHOT_VCPU";
	case KC_HC_VM_SNAPSHOT_END:
		return "SNAPSHOT_END";
	case KC_HC_VM_SNAPSHOT_CANCEL:
		return "SNAPSHOT_CANCEL";
	case KC_HC_VM_RESTORE_BEGIN:
		return "RESTORE_BEGIN";
	case KC_HC_VM_RESTORE_PAGE:
		return "RESTORE_PAGE";
	case KC_HC_VM_RESTORE_VCPU:
		return "RESTORE_VCPU";
	case KC_HC_VM_RESTORE_END:
		return "RESTORE_END";
	case KC_HC_CHECK_INVARIANTS:
		return "CHECK_INVARIANTS";
	default:
		return NULL;
	}
}

/* "VM_DONATE(0x2, 0x80001000, 0x40123000, 0x1000)": the call and x1..x6 up to the last non-zero. */
static void describe(const uint64_t x[7], char *buf, size_t n)
{
	const char *name = call_name(x[0]);
	int last = 6, i;
	size_t len;

	while (last > 0 && x[last] == 0)
		last--;
	if (name != NULL)
		len = (size_t)snprintf(buf, n, "%s(", name);
	else
		len = (size_t)snprintf(buf, n, "HVC %#" PRIx64 "(", x[0]);
	for (i = 1; i <= last && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%#" PRIx64, i > 1 ? ", " : "", x[i]);
	if (len < n)
		snprintf(buf + len, n - len, ")");
}

static void vm_reset(const struct model *m, struct vm *vm)
{
	uint32_t i;

	for (i = 0; i < vm->nr_images; i++)
		free(vm->image[i].pa);
	free(vm->dev);
	memset(vm->vcpu, 0, m->cfg.max_vcpus * sizeof(*vm->vcpu));
	memset(vm->image, 0, sizeof(vm->image));
	memset(vm->ram, 0, sizeof(vm->ram));
	vm->state = VM_UNUSED;
	vm->nr_images = 0;
	vm->images_given = false;
	vm->nr_ram = 0;
	vm->dev = NULL;
	vm->nr_dev = 0;
	vm->meas = 0;
	vm->phase = SNAP_NONE;
	vm->snap = 0;
	vm->pages_done = 0;
	vm->vcpus_done = 0;
	vm->restored = false;
	vm->guard_enrolled = false;
	vm->nr_guard = 0;
}

/* ---- IO domains, streams, IO mappings ---- */

/* The mapping of domain d at the page containing iova, or -1. */
static long iomap_find(const struct model *m, uint32_t d, uint64_t iova)
{
	size_t i;

	iova = align_down(iova, PAGE);
	for (i = 0; i < m->nr_iomap; i++) {
		if (m->iomap[i].dom == d && m->iomap[i].iova == iova)
			return (long)i;
	}
	return -1;
}

static void iomap_add(struct model *m, uint32_t d, uint64_t iova, uint64_t pa)
{
	if (m->nr_iomap == m->cap_iomap) {
		size_t cap = m->cap_iomap ? 2 * m->cap_iomap : 64;
		struct io_map *n = realloc(m->iomap, cap * sizeof(*n));

		if (n == NULL) {
			fprintf(stderr, "model: out of memory\n");
			abort();
		}
		m->iomap = n;
		m->cap_iomap = cap;
	}
	m->iomap[m->nr_iomap++] = (struct io_map){d, iova, pa};
	page_of(m, pa)->dma++;
}

static void iomap_remove(struct model *m, size_t i)
{
	page_of(m, m->iomap[i].pa)->dma--;
	m->iomap[i] = m->iomap[--m->nr_iomap];
}

/* Frees domain d: its streams blocked again, everything it maps unmapped. */
static void domain_teardown(struct model *m, uint32_t d)
{
	size_t i;
	uint32_t sid;

	for (sid = 0; sid < MODEL_IO_STREAMS; sid++) {
		if (m->stream_dom[sid] == d)
			m->stream_dom[sid] = NO_DOMAIN;
	}
	for (i = m->nr_iomap; i-- > 0;) {
		if (m->iomap[i].dom == d)
			iomap_remove(m, i);
	}
	m->dom_alloc[d] = false;
	m->dom_owner[d] = 0;
}

/*
 * Every power-off (VM_POWEROFF, the guest's SYSTEM_OFF/RESET, a failed
 * VERIFY_VM) tears down the VM's IO domains (docs/abi.md "DMA isolation").
 */
static void vm_power_off(struct model *m, struct vm *vm)
{
	uint32_t vmid = vmid_of(m, vm), d;

	vm->state = VM_POWEROFF;
	vm->phase = SNAP_NONE; /* decision 36: an open snapshot or restore ends */
	for (d = 0; d < MODEL_IO_DOMAINS; d++) {
		if (m->dom_alloc[d] && m->dom_owner[d] == vmid)
			domain_teardown(m, d);
	}
}

/* KC_HC_REGISTER_VM: any free slot; NOMEM when there is none. */
static bool hc_register_vm(struct model *m, const char *call, int64_t got_x0, uint64_t got_x1)
{
	uint32_t id;
	bool any_free = false;
	struct vm *vm;

	for (id = 1; id <= m->cfg.max_vms; id++)
		any_free = any_free || m->vm[id].state == VM_UNUSED;
	if (!any_free)
		return verdict(m, call, ERR(KCORE_E_NOMEM), 0, got_x0, got_x1);
	if (got_x0 != KCORE_OK)
		return verdict(m, call, 0, 0, got_x0, got_x1);
	vm = vm_arg(m, got_x1);
	if (vm == NULL || vm->state != VM_UNUSED) {
		set_why(m, "%s: OK with x1 = %#" PRIx64 ", which is not a free VM slot", call,
			got_x1);
		return false;
	}
	vm->state = VM_READY;
	return true;
}

/* KC_HC_REGISTER_VCPU(vmid, vcpuid): VM READY and vCPU UNUSED. */
static bool hc_register_vcpu(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			     uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	struct vcpu *vcpu = vcpu_arg(m, vm, x[2]);
	unsigned errs = 0;

	if (vm == NULL || x[2] >= m->cfg.max_vcpus)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_READY)
		errs |= ERR(KCORE_E_STATE);
	if (vcpu != NULL && vcpu->registered)
		errs |= ERR(KCORE_E_STATE);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK && vcpu != NULL) /* OK only when no error applied: vcpu is set */
		vcpu->registered = true;
	return true;
}

/* KC_HC_SET_BOOT_INFO(vmid, load_ipa, size) -> load_idx. */
static bool hc_set_boot_info(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			     uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t ipa = x[2], size = x[3];
	uint64_t span = align_up(size, PAGE); /* the image's IPA range is [ipa, ipa + span) */
	uint64_t lo = align_down(ipa, PAGE), hi = align_up(end_of(ipa, span), PAGE);
	unsigned errs = 0;
	struct image *img;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (size < IMAGE_MIN || size > IMAGE_MAX)
		errs |= ERR(KCORE_E_INVAL);
	if (ipa % PAGE != 0 || !in_ipa_space(m, ipa, span))
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_READY)
		errs |= ERR(KCORE_E_STATE);
	if (vm != NULL && vm->nr_images >= MAX_IMAGES)
		errs |= ERR(KCORE_E_NOMEM);
	if (vm != NULL && (vm_mapped_in(m, vm, lo, hi) || vm_image_in(vm, lo, hi)))
		errs |= ERR(KCORE_E_EXIST);
	if (!verdict(m, call, errs, vm != NULL ? vm->nr_images : 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	img = &vm->image[vm->nr_images++];
	img->load_ipa = ipa;
	img->size = size;
	img->npages = span / PAGE;
	img->done = 0;
	img->pa = calloc(img->npages, sizeof(*img->pa));
	if (img->pa == NULL) {
		fprintf(stderr, "model: out of memory\n");
		abort();
	}
	return true;
}

/* KC_HC_REMAP_VM_IMAGE(vmid, pfn, load_idx): the next page of the image leaves the host. */
static bool hc_remap_vm_image(struct model *m, const char *call, const uint64_t x[7],
			      int64_t got_x0, uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t pfn = x[2], idx = x[3];
	bool pa_ok = pfn < (UINT64_MAX / PAGE) + 1 && is_ram(m, pfn * PAGE);
	uint64_t pa = pa_ok ? pfn * PAGE : 0;
	struct image *img = (vm != NULL && idx < vm->nr_images) ? &vm->image[idx] : NULL;
	unsigned errs = 0;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (idx >= MAX_IMAGES || (vm != NULL && idx >= vm->nr_images))
		errs |= ERR(KCORE_E_INVAL);
	if (!pa_ok)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_READY)
		errs |= ERR(KCORE_E_STATE);
	if (img != NULL && img->done == img->npages)
		errs |= ERR(KCORE_E_EXIST);
	if (pa_ok && page_of(m, pa)->owner != MODEL_HOST)
		errs |= ERR(KCORE_E_PERM);
	if (pa_ok && (page_of(m, pa)->shared || page_of(m, pa)->dma != 0))
		errs |= ERR(KCORE_E_BUSY);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	page_of(m, pa)->owner = MODEL_KCORE;
	img->pa[img->done++] = pa;
	return true;
}

/* The image file as the model's memory holds it: the first size bytes of its pages. */
static bool image_verifies(const struct model *m, const struct image *img)
{
	uint8_t *file = malloc(img->size);
	uint64_t i, off, n;
	bool ok;

	if (file == NULL) {
		fprintf(stderr, "model: out of memory\n");
		abort();
	}
	for (i = 0, off = 0; off < img->size; i++, off += n) {
		n = img->size - off < PAGE ? img->size - off : PAGE;
		memcpy(file + off, mem_of(m, img->pa[i]), n);
	}
	ok = m->cfg.image_ok(m->cfg.image_ok_ctx, file, img->size);
	free(file);
	return ok;
}

/* A 64-bit digest (FNV-1a) of n bytes: the model's stand-in for a hash. */
static uint64_t digest(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/*
 * The VM's measurement as the model sees it (docs/abi.md "Measurement"):
 * each image's load IPA, size and file, in the order declared. Two VMs have
 * the same measurement iff they were built from the same files at the same
 * places (a collision of the 64-bit digest is ignored).
 */
static uint64_t measure(const struct model *m, const struct vm *vm)
{
	uint64_t h = 0xcbf29ce484222325ull, i, off, n;
	uint32_t k;

	for (k = 0; k < vm->nr_images; k++) {
		const struct image *img = &vm->image[k];

		h = digest(h, (const uint8_t *)&img->load_ipa, sizeof(img->load_ipa));
		h = digest(h, (const uint8_t *)&img->size, sizeof(img->size));
		for (i = 0, off = 0; off < img->size; i++, off += n) {
			n = img->size - off < PAGE ? img->size - off : PAGE;
			h = digest(h, mem_of(m, img->pa[i]), n);
		}
	}
	return h;
}

/* KC_HC_VERIFY_VM(vmid): all images good -> VERIFIED; any bad -> VERIFY, POWEROFF. */
static bool hc_verify_vm(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			 uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = 0;
	bool good = true;
	uint32_t i;
	uint64_t p;
	char got[48];

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && (vm->state != VM_READY || vm->nr_images == 0))
		errs |= ERR(KCORE_E_STATE);
	for (i = 0; vm != NULL && i < vm->nr_images; i++) {
		if (vm->image[i].done != vm->image[i].npages)
			errs |= ERR(KCORE_E_STATE);
	}
	if (errs != 0)
		return verdict(m, call, errs, 0, got_x0, got_x1);

	for (i = 0; i < vm->nr_images; i++)
		good = image_verifies(m, &vm->image[i]) && good;
	if (good && got_x0 != KCORE_OK) {
		set_why(m, "%s: every image verifies, expected OK, got %s", call,
			code_str(got_x0, got, sizeof(got)));
		return false;
	}
	if (!good && got_x0 != KCORE_E_VERIFY) {
		set_why(m, "%s: an image does not verify, expected VERIFY, got %s", call,
			code_str(got_x0, got, sizeof(got)));
		return false;
	}
	if (got_x1 != 0) {
		set_why(m, "%s: %s as expected, but x1 = %#" PRIx64 " (expected 0)", call,
			code_name(got_x0), got_x1);
		return false;
	}
	if (!good) {
		vm_power_off(m, vm); /* for good; the image pages stay kcore's until VM_FREE */
		return true;
	}
	for (i = 0; i < vm->nr_images; i++) {
		const struct image *img = &vm->image[i];

		for (p = 0; p < img->npages; p++) {
			struct page *pg = page_of(m, img->pa[p]);

			pg->owner = vmid_of(m, vm);
			pg->shared = false;
			pg->block = false;
			pg->ipa = img->load_ipa + p * PAGE;
		}
	}
	vm->images_given = true;
	vm->state = VM_VERIFIED;
	vm->meas = measure(m, vm);
	return true;
}

/* Whether any vCPU of vm has run (vm not NULL). */
static bool some_vcpu_ran(const struct model *m, struct vm *vm)
{
	for (uint32_t i = 0; i < m->cfg.max_vcpus; i++) {
		const struct vcpu *v = vcpu_arg(m, vm, i);

		if (v != NULL && v->has_run)
			return true;
	}
	return false;
}

/* KC_HC_VCPU_SET_ENTRY(vmid, vcpuid, pc, x0). */
static bool hc_vcpu_set_entry(struct model *m, const char *call, const uint64_t x[7],
			      int64_t got_x0, uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	struct vcpu *vcpu = vcpu_arg(m, vm, x[2]);
	unsigned errs = 0;

	if (vm == NULL || x[2] >= m->cfg.max_vcpus)
		errs |= ERR(KCORE_E_INVAL);
	if (x[3] % 4 != 0)
		errs |= ERR(KCORE_E_INVAL);
	/* docs/abi.md: vcpuid 0 (the boot vCPU) only; any other valid vcpuid is PERM. */
	if (x[2] != 0 && x[2] < m->cfg.max_vcpus)
		errs |= ERR(KCORE_E_PERM);
	if (vm != NULL && vm->state != VM_READY && vm->state != VM_VERIFIED)
		errs |= ERR(KCORE_E_STATE);
	/* ... vCPU 0 READY and no vCPU of the VM has ever run (else STATE). */
	if (vcpu != NULL && (!vcpu->registered || vcpu->has_run))
		errs |= ERR(KCORE_E_STATE);
	if (vm != NULL && some_vcpu_ran(m, vm))
		errs |= ERR(KCORE_E_STATE);
	/* ... nor a VM restored from a snapshot: its vCPUs start where they were saved. */
	if (vm != NULL && vm->restored && vm->phase != SNAP_RESTORING)
		errs |= ERR(KCORE_E_STATE);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK && vcpu != NULL) {
		vcpu->entry_set = true;
		vcpu->entry_pc = x[3];
		vcpu->entry_x0 = x[4];
	}
	return true;
}

/* KC_HC_VM_DONATE(vmid, ipa, pa, size): host pages become the VM's at ipa. */
static bool hc_vm_donate(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			 uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t ipa = x[2], pa = x[3], size = x[4];
	uint64_t align = size == BLOCK ? BLOCK : PAGE;
	uint64_t ilo = align_down(ipa, align), ihi = align_up(end_of(ipa, size), align);
	uint64_t plo = align_down(pa, align), phi = align_up(end_of(pa, size), align);
	uint64_t first, last, i;
	unsigned errs = 0;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (size != PAGE && size != BLOCK)
		errs |= ERR(KCORE_E_INVAL);
	if (ipa % align != 0 || pa % align != 0)
		errs |= ERR(KCORE_E_INVAL);
	if (!in_ipa_space(m, ipa, size))
		errs |= ERR(KCORE_E_INVAL);
	if (!range_is_ram(m, pa, size))
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_READY && vm->state != VM_VERIFIED)
		errs |= ERR(KCORE_E_STATE);
	ram_pages(m, plo, phi, &first, &last);
	for (i = first; i < last; i++) {
		if (m->page[i].owner != MODEL_HOST)
			errs |= ERR(KCORE_E_PERM);
		if (m->page[i].shared || m->page[i].dma != 0)
			errs |= ERR(KCORE_E_BUSY);
	}
	if (vm != NULL && (vm_mapped_in(m, vm, ilo, ihi) || vm_image_in(vm, ilo, ihi)))
		errs |= ERR(KCORE_E_EXIST);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	for (i = 0; i < size / PAGE; i++) {
		struct page *pg = page_of(m, pa + i * PAGE);

		pg->owner = vmid_of(m, vm);
		pg->shared = false;
		pg->block = size == BLOCK;
		pg->ipa = ipa + i * PAGE;
	}
	return true;
}

/*
 * KC_HC_VCPU_INJECT_IRQ(vmid, vcpuid, intid): a PPI or SPI the host's device
 * raises, 16..1019 but not the virtual timer's 27 (else INVAL); the VM must
 * be VERIFIED and the vCPU registered (else STATE). Pending interrupts are
 * not modelled: nothing the model observes changes.
 */
static bool hc_vcpu_inject_irq(struct model *m, const char *call, const uint64_t x[7],
			       int64_t got_x0, uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	struct vcpu *vcpu = vcpu_arg(m, vm, x[2]);
	unsigned errs = 0;

	if (vm == NULL || vcpu == NULL || x[3] < 16 || x[3] >= 1020 || x[3] == 27)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_VERIFIED)
		errs |= ERR(KCORE_E_STATE);
	if (vcpu != NULL && !vcpu->registered)
		errs |= ERR(KCORE_E_STATE);
	return verdict(m, call, errs, 0, got_x0, got_x1);
}

/* Physical addresses are below 2^48 (52-bit PAs need LPA2, which kcore does not use). */
#define MODEL_PA_LIMIT (1ull << 48)

/*
 * KC_HC_VM_MAP_IO(vmid, ipa, pa): a device page into the VM: not RAM (INVAL),
 * and of a class the platform policy lets a VM have (else PERM).
 */
static bool hc_vm_map_io(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			 uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t ipa = x[2], pa = x[3];
	uint64_t ilo = align_down(ipa, PAGE), ihi = end_of(ilo, PAGE);
	uint64_t plo = align_down(pa, PAGE);
	unsigned errs = 0;
	struct device *d;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (ipa % PAGE != 0 || !in_ipa_space(m, ipa, PAGE))
		errs |= ERR(KCORE_E_INVAL);
	if (pa % PAGE != 0 || is_ram(m, plo) || pa >= MODEL_PA_LIMIT)
		errs |= ERR(KCORE_E_INVAL);
	if (in_range(plo, &m->cfg.kcore_device) ||
	    (!is_ram(m, plo) && !in_range(plo, &m->cfg.vm_io_ok)))
		errs |= ERR(KCORE_E_PERM);
	if (vm != NULL && vm->state != VM_READY && vm->state != VM_VERIFIED)
		errs |= ERR(KCORE_E_STATE);
	if (vm != NULL && (vm_mapped_in(m, vm, ilo, ihi) || vm_image_in(vm, ilo, ihi)))
		errs |= ERR(KCORE_E_EXIST);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	d = realloc(vm->dev, (vm->nr_dev + 1) * sizeof(*vm->dev));
	if (d == NULL) {
		fprintf(stderr, "model: out of memory\n");
		abort();
	}
	vm->dev = d;
	vm->dev[vm->nr_dev].ipa = ipa;
	vm->dev[vm->nr_dev].pa = pa;
	vm->nr_dev++;
	return true;
}

/* KC_HC_VM_POWEROFF(vmid). No vCPU is ever running between two steps of the model. */
static bool hc_vm_poweroff(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			   uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = 0;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_READY && vm->state != VM_VERIFIED)
		errs |= ERR(KCORE_E_STATE);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		vm_power_off(m, vm);
	return true;
}

/* Some 2 MiB donation of the VM is partly, not wholly, inside [lo, hi). */
static bool cuts_a_block(const struct model *m, const struct vm *vm, uint64_t lo, uint64_t hi)
{
	uint32_t vmid = vmid_of(m, vm);
	uint64_t i;

	for (i = 0; i < m->npages; i++) {
		const struct page *pg = &m->page[i];
		uint64_t blo, bhi;

		if (pg->owner != vmid || !pg->block)
			continue;
		blo = align_down(pg->ipa, BLOCK);
		bhi = blo + BLOCK;
		if (overlaps(blo, bhi, lo, hi) && !(lo <= blo && bhi <= hi))
			return true;
	}
	return false;
}

/* KC_HC_VM_CLEAR_RANGE(vmid, ipa, size): the VM's pages there go back to the host, zeroed. */
static bool hc_vm_clear_range(struct model *m, const char *call, const uint64_t x[7],
			      int64_t got_x0, uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t ipa = x[2], size = x[3];
	uint64_t lo = align_down(ipa, PAGE), hi = align_up(end_of(ipa, size), PAGE);
	unsigned errs = 0;
	uint32_t vmid;
	uint64_t i;
	size_t d, kept;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (ipa % PAGE != 0 || size % PAGE != 0 || size == 0 || !in_ipa_space(m, ipa, size))
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && cuts_a_block(m, vm, lo, hi))
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_POWEROFF)
		errs |= ERR(KCORE_E_STATE);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	vmid = vmid_of(m, vm);
	for (i = 0; i < m->npages; i++) {
		struct page *pg = &m->page[i];

		if (pg->owner != vmid || pg->ipa < ipa || pg->ipa - ipa >= size)
			continue;
		zero_page(m, page_pa(m, i));
		pg->owner = MODEL_HOST;
		pg->shared = false;
		pg->block = false;
		pg->ipa = 0;
	}
	for (d = 0, kept = 0; d < vm->nr_dev; d++) {
		if (vm->dev[d].ipa >= ipa && vm->dev[d].ipa - ipa < size)
			continue;
		vm->dev[kept++] = vm->dev[d];
	}
	vm->nr_dev = kept;
	return true;
}

/* KC_HC_VM_FREE(vmid): VM POWEROFF, nothing mapped; the slot becomes free. */
static bool hc_vm_free(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
		       uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = 0;
	uint32_t i;
	uint64_t p;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_POWEROFF)
		errs |= ERR(KCORE_E_STATE);
	if (vm != NULL && vm_mapped_in(m, vm, 0, UINT64_MAX))
		errs |= ERR(KCORE_E_BUSY);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	/* Image pages that never became the VM's are still kcore's: back to the host, zeroed. */
	for (i = 0; !vm->images_given && i < vm->nr_images; i++) {
		const struct image *img = &vm->image[i];

		for (p = 0; p < img->done; p++) {
			struct page *pg = page_of(m, img->pa[p]);

			zero_page(m, img->pa[p]);
			pg->owner = MODEL_HOST;
			pg->shared = false;
			pg->block = false;
			pg->ipa = 0;
		}
	}
	vm_reset(m, vm);
	return true;
}

/* KC_HC_VM_SET_RAM(vmid, ipa, size): declare a RAM region of the VM. */
static bool hc_vm_set_ram(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			  uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t ipa = x[2], size = x[3];
	uint64_t lo = align_down(ipa, PAGE), hi = align_up(end_of(ipa, size), PAGE);
	unsigned errs = 0;
	uint32_t i;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (ipa % PAGE != 0 || size % PAGE != 0 || size == 0 || !in_ipa_space(m, ipa, size))
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_READY)
		errs |= ERR(KCORE_E_STATE);
	for (i = 0; vm != NULL && i < vm->nr_ram; i++) {
		if (overlaps(vm->ram[i].base, vm->ram[i].base + vm->ram[i].size, lo, hi))
			errs |= ERR(KCORE_E_EXIST);
	}
	if (vm != NULL && vm->nr_ram >= MAX_RAM)
		errs |= ERR(KCORE_E_NOMEM);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK) {
		vm->ram[vm->nr_ram].base = ipa;
		vm->ram[vm->nr_ram].size = size;
		vm->nr_ram++;
	}
	return true;
}

/* ---- DMA isolation: the IO calls (docs/abi.md "DMA isolation (IO domains)") ---- */

/* x names an allocated domain (x >= 16: INVAL; not allocated: STATE). */
static bool dom_allocated(const struct model *m, uint64_t x)
{
	return x < MODEL_IO_DOMAINS && m->dom_alloc[x];
}

/* KC_HC_IO_DOMAIN_ALLOC(owner) -> domain: any free one (decision 21). */
static bool hc_io_domain_alloc(struct model *m, const char *call, const uint64_t x[7],
			       int64_t got_x0, uint64_t got_x1)
{
	uint64_t owner = x[1];
	struct vm *vm = vm_arg(m, owner);
	unsigned errs = 0;
	bool any_free = false;
	uint32_t d;

	if (owner != MODEL_HOST && vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && vm->state != VM_READY && vm->state != VM_VERIFIED)
		errs |= ERR(KCORE_E_STATE);
	for (d = 0; d < MODEL_IO_DOMAINS; d++)
		any_free = any_free || !m->dom_alloc[d];
	if (!any_free)
		errs |= ERR(KCORE_E_NOMEM);
	if (errs != 0 || got_x0 != KCORE_OK)
		return verdict(m, call, errs, 0, got_x0, got_x1);
	if (got_x1 >= MODEL_IO_DOMAINS || m->dom_alloc[got_x1]) {
		set_why(m, "%s: OK with x1 = %#" PRIx64 ", which is not a free IO domain", call,
			got_x1);
		return false;
	}
	m->dom_alloc[got_x1] = true;
	m->dom_owner[got_x1] = (uint32_t)owner;
	return true;
}

/* KC_HC_IO_DOMAIN_FREE(domain): no stream attached; unmaps everything. */
static bool hc_io_domain_free(struct model *m, const char *call, const uint64_t x[7],
			      int64_t got_x0, uint64_t got_x1)
{
	unsigned errs = 0;
	uint32_t sid;

	if (x[1] >= MODEL_IO_DOMAINS)
		errs |= ERR(KCORE_E_INVAL);
	else if (!m->dom_alloc[x[1]])
		errs |= ERR(KCORE_E_STATE);
	for (sid = 0; dom_allocated(m, x[1]) && sid < MODEL_IO_STREAMS; sid++) {
		if (m->stream_dom[sid] == x[1])
			errs |= ERR(KCORE_E_BUSY);
	}
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		domain_teardown(m, (uint32_t)x[1]);
	return true;
}

/* KC_HC_IO_ATTACH(domain, stream). */
static bool hc_io_attach(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			 uint64_t got_x1)
{
	uint64_t d = x[1], sid = x[2];
	unsigned errs = 0;

	if (d >= MODEL_IO_DOMAINS || sid >= MODEL_IO_STREAMS)
		errs |= ERR(KCORE_E_INVAL);
	if (d < MODEL_IO_DOMAINS && !m->dom_alloc[d])
		errs |= ERR(KCORE_E_STATE);
	if (sid < MODEL_IO_STREAMS && m->stream_dom[sid] != NO_DOMAIN)
		errs |= m->stream_dom[sid] == d ? ERR(KCORE_E_EXIST) : ERR(KCORE_E_BUSY);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		m->stream_dom[sid] = (uint32_t)d;
	return true;
}

/* KC_HC_IO_DETACH(stream): blocked again. */
static bool hc_io_detach(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			 uint64_t got_x1)
{
	uint64_t sid = x[1];
	unsigned errs = 0;

	if (sid >= MODEL_IO_STREAMS)
		errs |= ERR(KCORE_E_INVAL);
	else if (m->stream_dom[sid] == NO_DOMAIN)
		errs |= ERR(KCORE_E_NOENT);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		m->stream_dom[sid] = NO_DOMAIN;
	return true;
}

/*
 * smmu_iso: whether domain d may map the RAM page at pa at iova. A host
 * domain: a host page or a page a VM shares with the host. A VM's domain:
 * a page that VM shares, only at its IPA. A VM's page the VM does not share
 * reaches no device, whoever owns the domain (the VM's consent).
 */
static bool domain_may_map(const struct model *m, uint32_t d, uint64_t iova, uint64_t pa)
{
	const struct page *pg = page_of(m, pa);

	if (m->dom_owner[d] == MODEL_HOST)
		return pg->owner == MODEL_HOST || (pg->owner != MODEL_KCORE && pg->shared);
	return pg->owner == m->dom_owner[d] && pg->shared && pg->ipa == iova;
}

/* KC_HC_IO_MAP(domain, iova, pa). */
static bool hc_io_map(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
		      uint64_t got_x1)
{
	uint64_t d = x[1], iova = x[2], pa = x[3];
	bool pa_ok = pa % PAGE == 0 && pa < MODEL_PA_LIMIT && is_ram(m, pa);
	bool iova_ok = iova % PAGE == 0 && in_ipa_space(m, iova, PAGE);
	bool live = dom_allocated(m, d);
	unsigned errs = 0;

	if (d >= MODEL_IO_DOMAINS || !iova_ok || !pa_ok)
		errs |= ERR(KCORE_E_INVAL);
	if (d < MODEL_IO_DOMAINS && !live)
		errs |= ERR(KCORE_E_STATE);
	if (live && pa_ok && !domain_may_map(m, (uint32_t)d, iova, pa))
		errs |= ERR(KCORE_E_PERM);
	if (live && iova_ok && iomap_find(m, (uint32_t)d, iova) >= 0)
		errs |= ERR(KCORE_E_EXIST);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		iomap_add(m, (uint32_t)d, iova, pa);
	return true;
}

/* KC_HC_IO_UNMAP(domain, iova). */
static bool hc_io_unmap(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			uint64_t got_x1)
{
	uint64_t d = x[1], iova = x[2];
	bool iova_ok = iova % PAGE == 0 && in_ipa_space(m, iova, PAGE);
	bool live = dom_allocated(m, d);
	long i = live && iova_ok ? iomap_find(m, (uint32_t)d, iova) : -1;
	unsigned errs = 0;

	if (d >= MODEL_IO_DOMAINS || !iova_ok)
		errs |= ERR(KCORE_E_INVAL);
	if (d < MODEL_IO_DOMAINS && !live)
		errs |= ERR(KCORE_E_STATE);
	if (live && iova_ok && i < 0)
		errs |= ERR(KCORE_E_NOENT);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		iomap_remove(m, (size_t)i);
	return true;
}

/* KC_HC_IO_IOVA_TO_PHYS(domain, iova) -> the PA iova translates to (decision 25). */
static bool hc_io_iova_to_phys(struct model *m, const char *call, const uint64_t x[7],
			       int64_t got_x0, uint64_t got_x1)
{
	uint64_t d = x[1], iova = x[2];
	bool iova_ok = iova < m->ipa_limit;
	bool live = dom_allocated(m, d);
	long i = live && iova_ok ? iomap_find(m, (uint32_t)d, iova) : -1;
	unsigned errs = 0;

	if (d >= MODEL_IO_DOMAINS || !iova_ok)
		errs |= ERR(KCORE_E_INVAL);
	if (d < MODEL_IO_DOMAINS && !live)
		errs |= ERR(KCORE_E_STATE);
	if (live && iova_ok && i < 0)
		errs |= ERR(KCORE_E_NOENT);
	return verdict(m, call, errs, i >= 0 ? m->iomap[i].pa + iova % PAGE : 0, got_x0, got_x1);
}

static bool hc_io(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
		  uint64_t got_x1)
{
	if (!m->cfg.io_supported)
		return verdict(m, call, ERR(KCORE_E_NOT_SUPPORTED), 0, got_x0, got_x1);
	switch (x[0]) {
	case KC_HC_IO_DOMAIN_ALLOC:
		return hc_io_domain_alloc(m, call, x, got_x0, got_x1);
	case KC_HC_IO_DOMAIN_FREE:
		return hc_io_domain_free(m, call, x, got_x0, got_x1);
	case KC_HC_IO_ATTACH:
		return hc_io_attach(m, call, x, got_x0, got_x1);
	case KC_HC_IO_DETACH:
		return hc_io_detach(m, call, x, got_x0, got_x1);
	case KC_HC_IO_MAP:
		return hc_io_map(m, call, x, got_x0, got_x1);
	case KC_HC_IO_UNMAP:
		return hc_io_unmap(m, call, x, got_x0, got_x1);
	default:
		return hc_io_iova_to_phys(m, call, x, got_x0, got_x1);
	}
}

/* ---- encrypted snapshots (docs/abi.md "Snapshots (encrypted VM state)") ---- */

#define REC_OFF(f) offsetof(struct kcore_snap_record, f)

static uint64_t rec_u64(const uint8_t *r, size_t off)
{
	uint64_t v;

	memcpy(&v, r + off, sizeof(v));
	return v;
}

static uint32_t rec_u32(const uint8_t *r, size_t off)
{
	uint32_t v;

	memcpy(&v, r + off, sizeof(v));
	return v;
}

/* A record argument: 128-byte aligned RAM (else INVAL), a host page (else PERM). */
static unsigned rec_arg_errs(const struct model *m, uint64_t rec)
{
	if (rec % REC != 0 || !is_ram(m, rec))
		return ERR(KCORE_E_INVAL);
	return page_of(m, rec)->owner != MODEL_HOST ? ERR(KCORE_E_PERM) : 0;
}

/* A data page argument: page aligned RAM (else INVAL), the host's (else PERM); no record in it. */
static unsigned data_arg_errs(const struct model *m, uint64_t data, uint64_t rec)
{
	unsigned errs = 0;

	if (data % PAGE != 0 || !is_ram(m, data))
		errs |= ERR(KCORE_E_INVAL);
	else if (page_of(m, data)->owner != MODEL_HOST)
		errs |= ERR(KCORE_E_PERM);
	if (align_down(rec, PAGE) == align_down(data, PAGE))
		errs |= ERR(KCORE_E_INVAL);
	return errs;
}

/* Bit n for each registered vCPU n. */
static uint64_t vcpu_mask_of(const struct model *m, const struct vm *vm)
{
	uint64_t mask = 0;
	uint32_t i;

	for (i = 0; i < m->cfg.max_vcpus && i < 64; i++)
		mask |= vm->vcpu[i].registered ? 1ull << i : 0;
	return mask;
}

static bool vm_shares_a_page(const struct model *m, const struct vm *vm)
{
	uint32_t vmid = vmid_of(m, vm);
	uint64_t i;

	for (i = 0; i < m->npages; i++) {
		if (m->page[i].owner == vmid && m->page[i].shared)
			return true;
	}
	return false;
}

static uint64_t vm_page_count(const struct model *m, const struct vm *vm)
{
	uint32_t vmid = vmid_of(m, vm);
	uint64_t i, n = 0;

	for (i = 0; i < m->npages; i++)
		n += m->page[i].owner == vmid;
	return n;
}

static bool any_vcpu_ran(const struct model *m, const struct vm *vm)
{
	uint32_t i;

	for (i = 0; i < m->cfg.max_vcpus; i++) {
		if (vm->vcpu[i].has_run)
			return true;
	}
	return false;
}

static void *model_alloc(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL) {
		fprintf(stderr, "model: out of memory\n");
		abort();
	}
	return p;
}

/* A new snapshot of vm: its index in m->snap. */
static size_t snap_new(struct model *m, const struct vm *vm)
{
	struct snapshot *s;

	if (m->nr_snap == m->cap_snap) {
		size_t cap = m->cap_snap ? 2 * m->cap_snap : 8;
		struct snapshot *n = realloc(m->snap, cap * sizeof(*n));

		if (n == NULL) {
			fprintf(stderr, "model: out of memory\n");
			abort();
		}
		m->snap = n;
		m->cap_snap = cap;
	}
	s = &m->snap[m->nr_snap];
	memset(s, 0, sizeof(*s));
	s->meas = vm->meas;
	s->vcpu_mask = vcpu_mask_of(m, vm);
	s->vcpu = model_alloc((m->cfg.max_vcpus ? m->cfg.max_vcpus : 1) * sizeof(*s->vcpu));
	return m->nr_snap++;
}

static struct snap_page *snap_add_page(struct snapshot *s)
{
	if (s->nr_page == s->cap_page) {
		size_t cap = s->cap_page ? 2 * s->cap_page : 16;
		struct snap_page *n = realloc(s->page, cap * sizeof(*n));

		if (n == NULL) {
			fprintf(stderr, "model: out of memory\n");
			abort();
		}
		s->page = n;
		s->cap_page = cap;
	}
	memset(&s->page[s->nr_page], 0, sizeof(s->page[0]));
	s->page[s->nr_page].plain = model_alloc(PAGE);
	return &s->page[s->nr_page++];
}

/*
 * The plaintext fields of a record kcore just wrote (include/kcore/snapshot.h):
 * the magic, the kind, one format in every record, index, ipa, nr_pages and
 * vcpu_mask as the kind says, reserved zero; every record of a snapshot but
 * its header carries the header's snapshot id and measurement.
 */
static bool check_record(struct model *m, const char *call, const uint8_t *r,
			 const struct snapshot *s, uint32_t kind, uint64_t index, uint64_t ipa,
			 uint64_t nr_pages, uint64_t vcpu_mask)
{
	static const uint8_t zero[16];
	const char *bad = NULL;

	if (memcmp(r, KCORE_SNAP_MAGIC, 8) != 0)
		bad = "magic";
	else if (rec_u32(r, REC_OFF(kind)) != kind)
		bad = "kind";
	else if (m->format_known && rec_u32(r, REC_OFF(format)) != m->format)
		bad = "format (not the one every other record has)";
	else if (rec_u64(r, REC_OFF(index)) != index)
		bad = "index";
	else if (rec_u64(r, REC_OFF(ipa)) != ipa)
		bad = "ipa";
	else if (rec_u64(r, REC_OFF(nr_pages)) != nr_pages)
		bad = "nr_pages";
	else if (rec_u64(r, REC_OFF(vcpu_mask)) != vcpu_mask)
		bad = "vcpu_mask";
	else if (memcmp(r + REC_OFF(reserved), zero, sizeof(zero)) != 0)
		bad = "reserved (not zero)";
	else if (kind != KCORE_SNAP_HEADER &&
		 memcmp(r + REC_OFF(snapshot_id), s->header + REC_OFF(snapshot_id),
			KCORE_SNAP_ID_SIZE) != 0)
		bad = "snapshot_id (not the header's)";
	else if (kind != KCORE_SNAP_HEADER &&
		 memcmp(r + REC_OFF(measurement), s->header + REC_OFF(measurement),
			KCORE_SNAP_MEAS_SIZE) != 0)
		bad = "measurement (not the header's)";
	if (bad != NULL) {
		set_why(m, "%s: OK, but the record kcore wrote has a wrong %s", call, bad);
		return false;
	}
	m->format_known = true;
	m->format = rec_u32(r, REC_OFF(format));
	return true;
}

/*
 * A new header: a fresh snapshot id (no other snapshot since boot has it) and
 * the measurement every snapshot of a VM with the same images has, and none
 * of a VM with others.
 */
static bool check_header(struct model *m, const char *call, const uint8_t *r, size_t idx)
{
	size_t i;

	for (i = 0; i < m->nr_snap; i++) {
		const uint8_t *h = m->snap[i].header;
		bool same = memcmp(h + REC_OFF(measurement), r + REC_OFF(measurement),
				   KCORE_SNAP_MEAS_SIZE) == 0;

		if (i == idx)
			continue;
		if (memcmp(h + REC_OFF(snapshot_id), r + REC_OFF(snapshot_id),
			   KCORE_SNAP_ID_SIZE) == 0) {
			set_why(m, "%s: OK, but the snapshot id is snapshot %zu's", call, i);
			return false;
		}
		if (same != (m->snap[i].meas == m->snap[idx].meas)) {
			set_why(m, "%s: OK, but the measurement %s snapshot %zu's, of a VM %s",
				call, same ? "equals" : "differs from", i,
				same ? "with other images" : "with the same images");
			return false;
		}
	}
	return true;
}

/*
 * Confidentiality: no 8-byte word of the ciphertext kcore wrote equals the
 * page's word in clear at the same offset (a chance of 2^-64 per word for a
 * sound cipher): the page is never in the host's page in clear, not even in
 * part.
 */
static bool check_no_plaintext(struct model *m, const char *call, const uint8_t *cipher,
			       const uint8_t *plain)
{
	uint64_t off;

	for (off = 0; off < PAGE; off += 8) {
		if (memcmp(cipher + off, plain + off, 8) == 0) {
			set_why(m,
				"%s: OK, but the data page holds the VM page's bytes in clear at "
				"offset %#" PRIx64,
				call, off);
			return false;
		}
	}
	return true;
}

/* kcore's bytes of a record (and data page) become the model's: they are the host's pages. */
static void adopt(struct model *m, uint64_t pa, const uint8_t *bytes, size_t n)
{
	memcpy(mem_of(m, pa), bytes, n);
}

static bool taking(const struct vm *vm)
{
	return vm != NULL && vm->state == VM_VERIFIED && vm->phase == SNAP_TAKING;
}

static bool restoring(const struct vm *vm)
{
	return vm != NULL && vm->state == VM_VERIFIED && vm->phase == SNAP_RESTORING;
}

static bool need_bytes(struct model *m, const char *call, const uint8_t *got)
{
	if (got == NULL)
		set_why(m, "%s: driver error: use model_snapshot_call with kcore's bytes", call);
	return got != NULL;
}

/* KC_HC_VM_SNAPSHOT_BEGIN(vmid, record): writes the header, pauses the VM. */
static bool hc_snap_begin(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			  uint64_t got_x1, const uint8_t *rec)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = rec_arg_errs(m, x[2]);
	size_t idx;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (!m->cfg.snap_supported)
		errs |= ERR(KCORE_E_NOT_SUPPORTED);
	if (vm != NULL && vm->state != VM_VERIFIED)
		errs |= ERR(KCORE_E_STATE);
	if (vm != NULL && vm->phase != SNAP_NONE)
		errs |= ERR(KCORE_E_STATE) | ERR(KCORE_E_BUSY); /* decision 29 */
	if (vm != NULL && vm_shares_a_page(m, vm))
		errs |= ERR(KCORE_E_BUSY);
	if (vm != NULL && vm->guard_enrolled)
		errs |= ERR(KCORE_E_STATE); /* the guard's table is not in a snapshot */
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	if (!need_bytes(m, call, rec))
		return false;
	idx = snap_new(m, vm);
	memcpy(m->snap[idx].header, rec, REC);
	if (!check_record(m, call, rec, &m->snap[idx], KCORE_SNAP_HEADER, 0, 0, 0,
			  m->snap[idx].vcpu_mask) ||
	    !check_header(m, call, rec, idx))
		return false;
	adopt(m, x[2], rec, REC);
	vm->phase = SNAP_TAKING;
	vm->snap = idx;
	return true;
}

/* KC_HC_VM_SNAPSHOT_PAGE(vmid, ipa, data, record): the next VM page, sealed. */
static bool hc_snap_page(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			 uint64_t got_x1, const uint8_t *rec, const uint8_t *data)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t ipa = x[2], vpa = 0;
	unsigned errs = rec_arg_errs(m, x[4]) | data_arg_errs(m, x[3], x[4]);
	struct snapshot *s = taking(vm) ? &m->snap[vm->snap] : NULL;
	bool mapped = false;
	struct snap_page *p;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (ipa % PAGE != 0 || !in_ipa_space(m, ipa, PAGE))
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && s == NULL)
		errs |= ERR(KCORE_E_STATE);
	if (s != NULL && ipa < m->ipa_limit) {
		mapped = vm_page_at(m, vmid_of(m, vm), ipa, &vpa);
		if (!mapped)
			errs |= ERR(KCORE_E_NOENT);
		if (s->nr_page > 0 && align_down(ipa, PAGE) <= s->page[s->nr_page - 1].ipa)
			errs |= ERR(KCORE_E_EXIST);
	}
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	if (!need_bytes(m, call, rec) || !need_bytes(m, call, data))
		return false;
	if (!check_no_plaintext(m, call, data, mem_of(m, vpa)) ||
	    !check_record(m, call, rec, s, KCORE_SNAP_PAGE, s->nr_page, ipa, 0, 0))
		return false;
	p = snap_add_page(s);
	p->ipa = ipa;
	memcpy(p->rec, rec, REC);
	p->data_digest = digest(0, data, PAGE);
	memcpy(p->plain, mem_of(m, vpa), PAGE);
	adopt(m, x[3], data, PAGE);
	adopt(m, x[4], rec, REC);
	return true;
}

/* KC_HC_VM_SNAPSHOT_VCPU(vmid, vcpuid, data, record): a vCPU's state, sealed, once. */
static bool hc_snap_vcpu(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			 uint64_t got_x1, const uint8_t *rec, const uint8_t *data)
{
	struct vm *vm = vm_arg(m, x[1]);
	struct vcpu *vcpu = vcpu_arg(m, vm, x[2]);
	unsigned errs = rec_arg_errs(m, x[4]) | data_arg_errs(m, x[3], x[4]);
	struct snapshot *s = taking(vm) ? &m->snap[vm->snap] : NULL;
	struct snap_vcpu *v;
	uint64_t off;

	if (vm == NULL || x[2] >= m->cfg.max_vcpus)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && s == NULL)
		errs |= ERR(KCORE_E_STATE);
	if (vcpu != NULL && !vcpu->registered)
		errs |= ERR(KCORE_E_STATE);
	if (s != NULL && vcpu != NULL && (s->vcpus_written >> x[2]) & 1)
		errs |= ERR(KCORE_E_EXIST);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	if (!need_bytes(m, call, rec) || !need_bytes(m, call, data))
		return false;
	for (off = KCORE_SNAP_VCPU_BYTES; off < PAGE; off++) {
		if (data[off] != 0) {
			set_why(m, "%s: OK, but the data page is not zero at %#" PRIx64, call, off);
			return false;
		}
	}
	if (!check_record(m, call, rec, s, KCORE_SNAP_VCPU, x[2], 0, 0, 0))
		return false;
	v = &s->vcpu[x[2]];
	s->vcpus_written |= 1ull << x[2];
	memcpy(v->rec, rec, REC);
	v->data_digest = digest(0, data, KCORE_SNAP_VCPU_BYTES);
	v->state = *vcpu;
	adopt(m, x[3], data, PAGE);
	adopt(m, x[4], rec, REC);
	return true;
}

/* KC_HC_VM_SNAPSHOT_END(vmid, record): every page and vCPU written; the trailer. */
static bool hc_snap_end(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			uint64_t got_x1, const uint8_t *rec)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = rec_arg_errs(m, x[2]);
	struct snapshot *s = taking(vm) ? &m->snap[vm->snap] : NULL;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && s == NULL)
		errs |= ERR(KCORE_E_STATE);
	/* Written pages are distinct VM pages that cannot leave a VERIFIED VM: count them. */
	if (s != NULL && (vm_page_count(m, vm) != s->nr_page || s->vcpus_written != s->vcpu_mask))
		errs |= ERR(KCORE_E_STATE);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		return true;
	if (!need_bytes(m, call, rec) ||
	    !check_record(m, call, rec, s, KCORE_SNAP_TRAILER, 0, 0, s->nr_page, s->vcpu_mask))
		return false;
	s->ended = true;
	memcpy(s->trailer, rec, REC);
	adopt(m, x[2], rec, REC);
	vm->phase = SNAP_NONE;
	return true;
}

/* KC_HC_VM_SNAPSHOT_CANCEL(vmid). */
static bool hc_snap_cancel(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			   uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = 0;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && !taking(vm))
		errs |= ERR(KCORE_E_STATE);
	if (!verdict(m, call, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		vm->phase = SNAP_NONE;
	return true;
}

/*
 * The verdict of a restore call whose arguments and state are right: ok
 * whether success is allowed, errs the errors that may come instead (both
 * when the docs leave it open). Any error ends the restore and powers the VM
 * off; its pages' contents are no longer known, but nobody sees them before
 * VM_CLEAR_RANGE zeroes them.
 */
static bool restore_verdict(struct model *m, const char *call, struct vm *vm, unsigned errs,
			    bool ok, int64_t got_x0, uint64_t got_x1)
{
	if (!verdict(m, call, ok && got_x0 == KCORE_OK ? 0 : errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 != KCORE_OK)
		vm_power_off(m, vm);
	return true;
}

/* The snapshot whose header is the 128 bytes at pa, or -1. */
static long snap_by_header(const struct model *m, uint64_t pa)
{
	size_t i;

	for (i = 0; i < m->nr_snap; i++) {
		if (memcmp(m->snap[i].header, mem_of(m, pa), REC) == 0)
			return (long)i;
	}
	return -1;
}

/* KC_HC_VM_RESTORE_BEGIN(vmid, record): the header, for this VM. */
static bool hc_restore_begin(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			     uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = rec_arg_errs(m, x[2]);
	long i;
	bool auth, fits;

	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (!m->cfg.snap_supported)
		errs |= ERR(KCORE_E_NOT_SUPPORTED);
	if (vm != NULL && (vm->state != VM_VERIFIED || vm->phase != SNAP_NONE || vm->restored ||
			   any_vcpu_ran(m, vm)))
		errs |= ERR(KCORE_E_STATE);
	if (errs != 0)
		return verdict(m, call, errs, 0, got_x0, got_x1);
	i = snap_by_header(m, x[2]);
	auth = i >= 0 && m->snap[i].meas == vm->meas;
	fits = auth && m->snap[i].vcpu_mask == vcpu_mask_of(m, vm);
	/* Decision 33: other vCPUs than the header's: AUTH now, or later at the latest. */
	if (!restore_verdict(m, call, vm, ERR(KCORE_E_AUTH), auth, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK) {
		vm->phase = SNAP_RESTORING;
		vm->snap = (size_t)i;
		vm->pages_done = 0;
		vm->vcpus_done = 0;
		vm->restored = true;
	} else if (fits) {
		set_why(m, "%s: AUTH, but the header is authentic and fits the VM", call);
		return false;
	}
	return true;
}

/* The errors of a restore call's arguments and state (they change nothing). */
static unsigned restore_arg_errs(const struct model *m, const struct vm *vm, uint64_t data,
				 uint64_t rec, bool has_data)
{
	unsigned errs = rec_arg_errs(m, rec);

	if (has_data)
		errs |= data_arg_errs(m, data, rec);
	if (vm == NULL)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && !restoring(vm))
		errs |= ERR(KCORE_E_STATE);
	return errs;
}

/* KC_HC_VM_RESTORE_PAGE(vmid, data, record): the next page of the snapshot, into the VM. */
static bool hc_restore_page(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			    uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t data = x[2], rec = x[3], vpa = 0, claimed;
	unsigned errs = restore_arg_errs(m, vm, data, rec, true);
	const struct snapshot *s;
	const struct snap_page *p;
	bool auth, mapped;

	if (errs != 0)
		return verdict(m, call, errs, 0, got_x0, got_x1);
	s = &m->snap[vm->snap];
	p = vm->pages_done < s->nr_page ? &s->page[vm->pages_done] : NULL;
	auth = p != NULL && memcmp(p->rec, mem_of(m, rec), REC) == 0 &&
	       digest(0, mem_of(m, data), PAGE) == p->data_digest;
	if (auth) {
		mapped = vm_page_at(m, vmid_of(m, vm), p->ipa, &vpa);
		if (!restore_verdict(m, call, vm, ERR(KCORE_E_NOENT), mapped, got_x0, got_x1))
			return false;
		if (got_x0 == KCORE_OK) {
			memcpy(mem_of(m, vpa), p->plain, PAGE);
			vm->pages_done++;
		}
		return true;
	}
	/* Not the next page's record and blob: AUTH; NOENT too if its IPA has no VM page. */
	claimed = rec_u64(mem_of(m, rec), REC_OFF(ipa));
	errs = ERR(KCORE_E_AUTH);
	if (claimed % PAGE != 0 || claimed >= m->ipa_limit ||
	    !vm_page_at(m, vmid_of(m, vm), claimed, &vpa))
		errs |= ERR(KCORE_E_NOENT);
	return restore_verdict(m, call, vm, errs, false, got_x0, got_x1);
}

/* KC_HC_VM_RESTORE_VCPU(vmid, data, record): a vCPU of the snapshot not restored yet. */
static bool hc_restore_vcpu(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			    uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	uint64_t data = x[2], rec = x[3], off;
	unsigned errs = restore_arg_errs(m, vm, data, rec, true);
	const struct snapshot *s;
	uint32_t j;
	bool auth = false, tail = true;

	if (errs != 0)
		return verdict(m, call, errs, 0, got_x0, got_x1);
	s = &m->snap[vm->snap];
	for (j = 0; j < m->cfg.max_vcpus && j < 64; j++) {
		const struct snap_vcpu *v = &s->vcpu[j];

		if ((s->vcpus_written >> j) & 1 && memcmp(v->rec, mem_of(m, rec), REC) == 0 &&
		    digest(0, mem_of(m, data), KCORE_SNAP_VCPU_BYTES) == v->data_digest) {
			auth = !(vm->vcpus_done & (1ull << j)) && vm->vcpu[j].registered;
			break;
		}
	}
	for (off = KCORE_SNAP_VCPU_BYTES; off < PAGE; off++)
		tail = tail && *mem_of(m, data + off) == 0;
	/* Decision 35: bytes past the blob that are not zero: AUTH, or ignored. */
	if (!restore_verdict(m, call, vm, auth && tail ? 0 : ERR(KCORE_E_AUTH), auth, got_x0,
			     got_x1))
		return false;
	if (got_x0 == KCORE_OK) {
		vm->vcpu[j] = s->vcpu[j].state;
		vm->vcpu[j].registered = true;
		vm->vcpus_done |= 1ull << j;
	}
	return true;
}

/* KC_HC_VM_RESTORE_END(vmid, record): the trailer; every page and vCPU restored. */
static bool hc_restore_end(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
			   uint64_t got_x1)
{
	struct vm *vm = vm_arg(m, x[1]);
	unsigned errs = restore_arg_errs(m, vm, 0, x[2], false);
	const struct snapshot *s;
	bool ok;

	if (errs != 0)
		return verdict(m, call, errs, 0, got_x0, got_x1);
	s = &m->snap[vm->snap];
	ok = s->ended && memcmp(s->trailer, mem_of(m, x[2]), REC) == 0 &&
	     vm->pages_done == s->nr_page && vm->vcpus_done == s->vcpu_mask &&
	     vcpu_mask_of(m, vm) == s->vcpu_mask;
	if (!restore_verdict(m, call, vm, ok ? 0 : ERR(KCORE_E_AUTH), ok, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		vm->phase = SNAP_NONE;
	return true;
}

/* Where a snapshot call's record and data page are (0: the call has none). */
static void snap_args(const uint64_t x[7], uint64_t *rec, uint64_t *data)
{
	*rec = *data = 0;
	switch (x[0]) {
	case KC_HC_VM_SNAPSHOT_BEGIN:
	case KC_HC_VM_SNAPSHOT_END:
	case KC_HC_VM_RESTORE_BEGIN:
	case KC_HC_VM_RESTORE_END:
		*rec = x[2];
		break;
	case KC_HC_VM_SNAPSHOT_PAGE:
	case KC_HC_VM_SNAPSHOT_VCPU:
		*data = x[3];
		*rec = x[4];
		break;
	case KC_HC_VM_RESTORE_PAGE:
	case KC_HC_VM_RESTORE_VCPU:
		*data = x[2];
		*rec = x[3];
		break;
	default:
		break;
	}
}

/* The host's n bytes at pa (a host page) are what the model has: kcore wrote nothing else. */
static bool host_bytes_unchanged(struct model *m, const char *call, uint64_t pa, size_t n,
				 const uint8_t *got)
{
	size_t off;

	if (got == NULL || pa == 0 || pa % n != 0 || !is_ram(m, pa) ||
	    page_of(m, pa)->owner != MODEL_HOST)
		return true;
	for (off = 0; off < n; off++) {
		if (got[off] != *mem_of(m, pa + off)) {
			set_why(m, "%s: kcore changed the host's byte at %#" PRIx64, call,
				pa + off);
			return false;
		}
	}
	return true;
}

static bool snap_call(struct model *m, const char *call, const uint64_t x[7], int64_t got_x0,
		      uint64_t got_x1, const uint8_t *rec, const uint8_t *data)
{
	uint64_t rpa, dpa;
	bool ok;

	switch (x[0]) {
	case KC_HC_VM_SNAPSHOT_BEGIN:
		ok = hc_snap_begin(m, call, x, got_x0, got_x1, rec);
		break;
	case KC_HC_VM_SNAPSHOT_PAGE:
		ok = hc_snap_page(m, call, x, got_x0, got_x1, rec, data);
		break;
	case KC_HC_VM_SNAPSHOT_VCPU:
		ok = hc_snap_vcpu(m, call, x, got_x0, got_x1, rec, data);
		break;
	case KC_HC_VM_SNAPSHOT_END:
		ok = hc_snap_end(m, call, x, got_x0, got_x1, rec);
		break;
	case KC_HC_VM_SNAPSHOT_CANCEL:
		ok = hc_snap_cancel(m, call, x, got_x0, got_x1);
		break;
	case KC_HC_VM_RESTORE_BEGIN:
		ok = hc_restore_begin(m, call, x, got_x0, got_x1);
		break;
	case KC_HC_VM_RESTORE_PAGE:
		ok = hc_restore_page(m, call, x, got_x0, got_x1);
		break;
	case KC_HC_VM_RESTORE_VCPU:
		ok = hc_restore_vcpu(m, call, x, got_x0, got_x1);
		break;
	default:
		ok = hc_restore_end(m, call, x, got_x0, got_x1);
		break;
	}
	if (!ok)
		return false;
	/* What kcore wrote is the model's now; nothing else in those pages changed. */
	snap_args(x, &rpa, &dpa);
	return host_bytes_unchanged(m, call, rpa, REC, rec) &&
	       host_bytes_unchanged(m, call, dpa, PAGE, data);
}

static bool is_snap_call(uint64_t id)
{
	return id >= KC_HC_VM_SNAPSHOT_BEGIN && id <= KC_HC_VM_RESTORE_END;
}

bool model_snapshot_call(struct model *m, const uint64_t x[7], int64_t got_x0, uint64_t got_x1,
			 const uint8_t *rec, const uint8_t *data)
{
	char call[200];

	describe(x, call, sizeof(call));
	if (!is_snap_call(x[0])) {
		set_why(m, "%s: driver error: not a snapshot call", call);
		return false;
	}
	return snap_call(m, call, x, got_x0, got_x1, rec, data);
}

bool model_host_call(struct model *m, const uint64_t x[7], int64_t got_x0, uint64_t got_x1)
{
	char call[200];

	describe(x, call, sizeof(call));
	switch (x[0]) {
	case KC_HC_VERSION:
		return verdict(m, call, 0, ((uint64_t)KCORE_ABI_MAJOR << 16) | KCORE_ABI_MINOR,
			       got_x0, got_x1);
	case KC_HC_REGISTER_VM:
		return hc_register_vm(m, call, got_x0, got_x1);
	case KC_HC_REGISTER_VCPU:
		return hc_register_vcpu(m, call, x, got_x0, got_x1);
	case KC_HC_SET_BOOT_INFO:
		return hc_set_boot_info(m, call, x, got_x0, got_x1);
	case KC_HC_REMAP_VM_IMAGE:
		return hc_remap_vm_image(m, call, x, got_x0, got_x1);
	case KC_HC_VERIFY_VM:
		return hc_verify_vm(m, call, x, got_x0, got_x1);
	case KC_HC_VCPU_SET_ENTRY:
		return hc_vcpu_set_entry(m, call, x, got_x0, got_x1);
	case KC_HC_VM_DONATE:
		return hc_vm_donate(m, call, x, got_x0, got_x1);
	case KC_HC_VM_MAP_IO:
		return hc_vm_map_io(m, call, x, got_x0, got_x1);
	case KC_HC_VM_POWEROFF:
		return hc_vm_poweroff(m, call, x, got_x0, got_x1);
	case KC_HC_VM_CLEAR_RANGE:
		return hc_vm_clear_range(m, call, x, got_x0, got_x1);
	case KC_HC_VM_FREE:
		return hc_vm_free(m, call, x, got_x0, got_x1);
	case KC_HC_KEY_INFO:
		return verdict(m, call, x[1] < m->cfg.nr_keys ? 0 : ERR(KCORE_E_INVAL),
			       m->cfg.nr_keys, got_x0, got_x1);
	case KC_HC_VM_SET_RAM:
		return hc_vm_set_ram(m, call, x, got_x0, got_x1);
	case KC_HC_VCPU_INJECT_IRQ:
		return hc_vcpu_inject_irq(m, call, x, got_x0, got_x1);
	case KC_HC_VCPU_RUN:
		set_why(m, "%s: driver error: use model_vcpu_run() for VCPU_RUN", call);
		return false;
	case KC_HC_IO_DOMAIN_ALLOC:
	case KC_HC_IO_DOMAIN_FREE:
	case KC_HC_IO_ATTACH:
	case KC_HC_IO_DETACH:
	case KC_HC_IO_MAP:
	case KC_HC_IO_UNMAP:
	case KC_HC_IO_IOVA_TO_PHYS:
		return hc_io(m, call, x, got_x0, got_x1);
	case KC_HC_VM_SNAPSHOT_BEGIN:
	case KC_HC_VM_SNAPSHOT_PAGE:
	case KC_HC_VM_SNAPSHOT_VCPU:
	case KC_HC_VM_SNAPSHOT_END:
	case KC_HC_VM_SNAPSHOT_CANCEL:
	case KC_HC_VM_RESTORE_BEGIN:
	case KC_HC_VM_RESTORE_PAGE:
	case KC_HC_VM_RESTORE_VCPU:
	case KC_HC_VM_RESTORE_END:
		return snap_call(m, call, x, got_x0, got_x1, NULL, NULL);
	case KC_HC_CHECK_INVARIANTS:
		if (got_x0 == KCORE_E_NOT_SUPPORTED)
			return verdict(m, call, ERR(KCORE_E_NOT_SUPPORTED), 0, got_x0, got_x1);
		return verdict(m, call, 0, 0, got_x0, got_x1);
	default:
		return verdict(m, call, ERR(KCORE_E_NOT_SUPPORTED), 0, got_x0, got_x1);
	}
}

/* ---- memory accesses ---- */

bool model_host_access(struct model *m, uint64_t pa, bool write, uint64_t value, bool got_ok,
		       uint64_t got_value)
{
	const struct page *pg;
	bool allowed;

	if (pa % 8 != 0 || !is_ram(m, pa)) {
		set_why(m, "host %s pa %#" PRIx64 ": driver error: not an aligned RAM address",
			write ? "store" : "load", pa);
		return false;
	}
	/* docs/abi.md "Host stage-2 faults": its own pages and pages a VM shares. */
	pg = page_of(m, pa);
	allowed = pg->owner == MODEL_HOST || (pg->owner != MODEL_KCORE && pg->shared);
	if (got_ok != allowed) {
		char owner[32];

		if (pg->owner == MODEL_HOST)
			snprintf(owner, sizeof(owner), "host");
		else if (pg->owner == MODEL_KCORE)
			snprintf(owner, sizeof(owner), "kcore");
		else
			snprintf(owner, sizeof(owner), "vm %" PRIu32 "%s", pg->owner,
				 pg->shared ? ", shared" : "");
		set_why(m, "host %s pa %#" PRIx64 " (owner %s): expected %s, got %s",
			write ? "store" : "load", pa, owner, allowed ? "the access" : "an abort",
			got_ok ? "the access" : "an abort");
		return false;
	}
	if (!allowed)
		return true;
	if (write) {
		store64(m, pa, value);
		return true;
	}
	if (got_value != load64(m, pa)) {
		set_why(m, "host load pa %#" PRIx64 ": expected %#" PRIx64 ", got %#" PRIx64, pa,
			load64(m, pa), got_value);
		return false;
	}
	return true;
}

bool model_vm_runs(const struct model *m, uint32_t vmid)
{
	return vmid >= 1 && vmid <= m->cfg.max_vms && m->vm[vmid].state == VM_VERIFIED &&
	       m->vm[vmid].phase == SNAP_NONE;
}

int model_vm_snap_phase(const struct model *m, uint32_t vmid)
{
	if (vmid < 1 || vmid > m->cfg.max_vms)
		return 0;
	return m->vm[vmid].phase == SNAP_TAKING ? 1 : m->vm[vmid].phase == SNAP_RESTORING ? 2 : 0;
}

bool model_vm_ram_page(const struct model *m, uint32_t vmid, uint64_t ipa, uint64_t *pa)
{
	return vmid >= 1 && vmid <= m->cfg.max_vms && vm_page_at(m, vmid, ipa, pa);
}

bool model_vcpu_registered(const struct model *m, uint32_t vmid, uint32_t vcpuid)
{
	return vmid >= 1 && vmid <= m->cfg.max_vms && vcpuid < m->cfg.max_vcpus &&
	       m->vm[vmid].vcpu[vcpuid].registered;
}

bool model_vm_ipa_is_device(const struct model *m, uint32_t vmid, uint64_t ipa)
{
	return vmid >= 1 && vmid <= m->cfg.max_vms && vm_device_at(&m->vm[vmid], ipa) != NULL;
}

/*
 * The guest's 8-byte access at ipa once it reaches RAM (the VM maps a page
 * there): checks what the core says happened and applies a store.
 */
static bool guest_ram_access(struct model *m, const char *what, uint64_t pa, bool write,
			     uint64_t value, bool got_ok, uint64_t got_value)
{
	if (!got_ok) {
		set_why(m,
			"%s: the VM maps RAM pa %#" PRIx64 " there, expected the access, "
			"got none",
			what, align_down(pa, PAGE));
		return false;
	}
	if (write) {
		store64(m, pa, value);
		return true;
	}
	if (got_value != load64(m, pa)) {
		set_why(m, "%s: expected %#" PRIx64 ", got %#" PRIx64, what, load64(m, pa),
			got_value);
		return false;
	}
	return true;
}

bool model_vm_access(struct model *m, uint32_t vmid, uint64_t ipa, bool write, uint64_t value,
		     bool got_ok, uint64_t got_value)
{
	char what[96];
	uint64_t pa;

	snprintf(what, sizeof(what), "vm %" PRIu32 " %s ipa %#" PRIx64, vmid,
		 write ? "store" : "load", ipa);
	if (!model_vm_runs(m, vmid) || ipa % 8 != 0 || model_vm_ipa_is_device(m, vmid, ipa)) {
		set_why(m, "%s: driver error: VM not running, unaligned or a device page", what);
		return false;
	}
	if (!vm_page_at(m, vmid, ipa, &pa)) {
		if (got_ok) {
			set_why(m, "%s: nothing mapped there, expected no access, got one", what);
			return false;
		}
		return true;
	}
	return guest_ram_access(m, what, pa + ipa % PAGE, write, value, got_ok, got_value);
}

/* ---- guest calls ---- */

static bool is_psci(uint64_t fid)
{
	return PSCI_IS_FN(fid);
}

/* Whether kcore answers this guest HVC itself (docs/abi.md "Guest calls kcore handles", PSCI). */
static bool kcore_answers(uint64_t fid)
{
	return fid == KC_GC_VERSION || fid == KC_GC_SHARE_PAGE || fid == KC_GC_UNSHARE_PAGE ||
	       fid == KVM_HYP_MEM_SHARE || fid == KVM_HYP_MEM_UNSHARE || fid == KVM_HYP_MEMINFO ||
	       fid == KVM_HYP_MMIO_GUARD || is_psci(fid);
}

static bool guarded(const struct vm *vm, uint64_t page)
{
	uint32_t i;

	for (i = 0; i < vm->nr_guard; i++) {
		if (vm->guard[i] == page)
			return true;
	}
	return false;
}

/* Runs of neighbouring pages among the registered ones: kcore's ranges. */
static uint32_t guard_ranges(const struct vm *vm)
{
	uint32_t i, n = 0;

	for (i = 0; i < vm->nr_guard; i++) {
		if (vm->guard[i] < PAGE || !guarded(vm, vm->guard[i] - PAGE))
			n++; /* the first page of a run */
	}
	return n;
}

static bool in_image(const struct vm *vm, uint64_t ipa)
{
	uint32_t i;

	for (i = 0; i < vm->nr_images; i++) {
		if (ipa >= vm->image[i].load_ipa &&
		    ipa - vm->image[i].load_ipa < vm->image[i].npages * PAGE)
			return true;
	}
	return false;
}

/*
 * mainline's MMIO_GUARD(ipa) (x2, x3 zero: the driver passes none): a page
 * aligned IPA inside the IPA space, in no RAM region and no image, and room
 * for it (a page already in, or its ranges, neighbours merged, still at most
 * GUARD_RANGES): SUCCESS and the VM is enrolled; else INVALID_PARAMETER.
 */
static bool kvm_mmio_guard(struct model *m, const char *what, struct vm *vm, uint64_t ipa,
			   int64_t got_x0, uint64_t got_x1)
{
	bool ok = ipa % PAGE == 0 && in_ipa_space(m, ipa, PAGE) && !in_ram_region(vm, ipa) &&
		  !in_image(vm, ipa);
	bool add = ok && !guarded(vm, ipa);
	int64_t want;

	if (add) {
		if (vm->nr_guard == MAX_GUARD_PAGES) {
			set_why(m, "%s: driver error: more MMIO pages than the model keeps", what);
			return false;
		}
		vm->guard[vm->nr_guard++] = ipa;
		ok = guard_ranges(vm) <= GUARD_RANGES;
		if (!ok)
			vm->nr_guard--;
	}
	want = ok ? 0 : SMCCC_INVALID_PARAMETER;
	if (got_x0 != want || got_x1 != 0) {
		set_why(m, "%s: expected x0 = %" PRId64 ", x1 = 0, got %" PRId64 ", %#" PRIx64,
			what, want, got_x0, got_x1);
		return false;
	}
	if (ok)
		vm->guard_enrolled = true;
	return true;
}

/*
 * pKVM's MEM_SHARE / MEM_UNSHARE(ipa) (x2, x3 zero: the driver passes none):
 * KC_GC_SHARE_PAGE's rules, any refusal answered SMCCC INVALID_PARAMETER.
 */
static bool kvm_share(struct model *m, const char *what, uint32_t vmid, bool share, uint64_t ipa,
		      int64_t got_x0, uint64_t got_x1)
{
	uint64_t pa = 0;
	bool mapped = vm_page_at(m, vmid, ipa, &pa);
	bool ok = ipa % PAGE == 0 && in_ipa_space(m, ipa, PAGE) && mapped &&
		  page_of(m, pa)->shared != share && (share || page_of(m, pa)->dma == 0);
	int64_t want = ok ? 0 : SMCCC_INVALID_PARAMETER;

	if (got_x0 != want || got_x1 != 0) {
		set_why(m, "%s: expected x0 = %" PRId64 ", x1 = 0, got %" PRId64 ", %#" PRIx64,
			what, want, got_x0, got_x1);
		return false;
	}
	if (ok)
		page_of(m, pa)->shared = share;
	return true;
}

/* KC_GC_SHARE_PAGE / KC_GC_UNSHARE_PAGE(ipa). */
static bool gc_share(struct model *m, const char *what, uint32_t vmid, bool share, uint64_t ipa,
		     int64_t got_x0, uint64_t got_x1)
{
	unsigned errs = 0;
	uint64_t pa = 0;
	bool mapped = vm_page_at(m, vmid, ipa, &pa);

	if (ipa % PAGE != 0 || !in_ipa_space(m, ipa, PAGE))
		errs |= ERR(KCORE_E_INVAL);
	if (!mapped)
		errs |= ERR(KCORE_E_NOENT);
	if (mapped && share && page_of(m, pa)->shared)
		errs |= ERR(KCORE_E_EXIST);
	if (mapped && !share && !page_of(m, pa)->shared)
		errs |= ERR(KCORE_E_STATE);
	if (mapped && !share && page_of(m, pa)->dma != 0)
		errs |= ERR(KCORE_E_BUSY);
	if (!verdict(m, what, errs, 0, got_x0, got_x1))
		return false;
	if (got_x0 == KCORE_OK)
		page_of(m, pa)->shared = share;
	return true;
}

/* PSCI calls kcore answers: only x0 is checked (decision 17). */
static bool gc_psci(struct model *m, const char *what, struct vm *vm, uint64_t fid, int64_t got_x0)
{
	int64_t want;

	switch (fid) {
	case PSCI_VERSION:
		want = PSCI_VERSION_1_1;
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		want = PSCI_MIGRATE_INFO_NOT_PRESENT;
		break;
	case PSCI_MIGRATE_32:
	case PSCI_MIGRATE_64:
	case PSCI_MIGRATE_INFO_UP_CPU_32:
	case PSCI_MIGRATE_INFO_UP_CPU_64:
		want = SMCCC_NOT_SUPPORTED;
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		want = 0;
		break;
	default:
		set_why(m, "%s: driver error: this PSCI call is not modelled", what);
		return false;
	}
	if (got_x0 != want) {
		set_why(m, "%s: expected x0 = %" PRId64 ", got %" PRId64, what, want, got_x0);
		return false;
	}
	if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET)
		vm_power_off(m, vm);
	return true;
}

bool model_guest_call(struct model *m, uint32_t vmid, uint32_t vcpuid, uint64_t fid, uint64_t a1,
		      bool got_handled, int64_t got_x0, uint64_t got_x1)
{
	char what[128];
	struct vm *vm;

	snprintf(what, sizeof(what),
		 "vm %" PRIu32 " vcpu %" PRIu32 " HVC %#" PRIx64 "(%#" PRIx64 ")", vmid, vcpuid,
		 fid, a1);
	if (!model_vm_runs(m, vmid) || vcpuid >= m->cfg.max_vcpus ||
	    !m->vm[vmid].vcpu[vcpuid].registered) {
		set_why(m, "%s: driver error: not a running VM's registered vCPU", what);
		return false;
	}
	vm = &m->vm[vmid];
	if (!kcore_answers(fid)) {
		if (got_handled) {
			set_why(m,
				"%s: not kcore's to answer (it goes to the host), but kcore "
				"answered it",
				what);
			return false;
		}
		return true;
	}
	if (!got_handled) {
		set_why(m, "%s: kcore answers this call, but it did not", what);
		return false;
	}
	switch (fid) {
	case KC_GC_VERSION:
		return verdict(m, what, 0, ((uint64_t)KCORE_ABI_MAJOR << 16) | KCORE_ABI_MINOR,
			       got_x0, got_x1);
	case KC_GC_SHARE_PAGE:
		return gc_share(m, what, vmid, true, a1, got_x0, got_x1);
	case KC_GC_UNSHARE_PAGE:
		return gc_share(m, what, vmid, false, a1, got_x0, got_x1);
	case KVM_HYP_MEM_SHARE:
		return kvm_share(m, what, vmid, true, a1, got_x0, got_x1);
	case KVM_HYP_MEM_UNSHARE:
		return kvm_share(m, what, vmid, false, a1, got_x0, got_x1);
	case KVM_HYP_MMIO_GUARD:
		return kvm_mmio_guard(m, what, vm, a1, got_x0, got_x1);
	case KVM_HYP_MEMINFO: {
		/* The granule when x1 (here the IPA the driver picked) is 0, else refused. */
		int64_t want = a1 == 0 ? (int64_t)PAGE : SMCCC_INVALID_PARAMETER;

		if (got_x0 != want || got_x1 != 0) {
			set_why(m, "%s: expected x0 = %" PRId64 ", x1 = 0, got %" PRId64, what,
				want, got_x0);
			return false;
		}
		return true;
	}
	default:
		return gc_psci(m, what, vm, fid, got_x0);
	}
}

/* ---- running a vCPU ---- */

/* pc lies in the payload (file minus its 256-byte trailer) of a verified image of the VM. */
static bool in_verified_payload(const struct vm *vm, uint64_t pc)
{
	uint32_t i;

	for (i = 0; vm->images_given && i < vm->nr_images; i++) {
		const struct image *img = &vm->image[i];

		if (pc >= img->load_ipa && pc - img->load_ipa < img->size - TRAILER)
			return true;
	}
	return false;
}

static const char *out_word_name(uint64_t reason, unsigned w)
{
	static const char *const mmio[] = {"reason", "mmio.ipa", "mmio.size", "mmio.is_write",
					   "mmio.value"};
	static const char *const fault[] = {"reason", "fault.ipa", "fault.is_write",
					    "fault.is_exec"};
	static const char *const call[] = {"reason",	   "call.fid",	   "call.args[0]",
					   "call.args[1]", "call.args[2]", "call.args[3]",
					   "call.args[4]", "call.args[5]"};
	static const char *const raw[] = {"reason", "raw[0]", "raw[1]", "raw[2]", "raw[3]",
					  "raw[4]", "raw[5]", "raw[6]", "raw[7]"};

	if (reason == KC_EXIT_MMIO && w < 5)
		return mmio[w];
	if (reason == KC_EXIT_MEM_FAULT && w < 4)
		return fault[w];
	if (reason == KC_EXIT_GUEST_CALL && w < 8)
		return call[w];
	if (reason == KC_EXIT_POWEROFF && w == 1)
		return "poweroff.reset";
	return raw[w];
}

bool model_vcpu_run(struct model *m, const uint64_t x[7], const struct model_guest_step *step,
		    const struct model_run_result *got)
{
	struct vm *vm = vm_arg(m, x[1]);
	struct vcpu *vcpu = vcpu_arg(m, vm, x[2]);
	uint64_t run_pa = x[3];
	bool run_ram = is_ram(m, align_down(run_pa, PAGE));
	uint64_t want[RUN_OUT_WORDS];
	uint64_t pa = 0, i;
	unsigned errs = 0;
	uint32_t vmid;
	bool ram_access = false;
	char call[200];

	describe(x, call, sizeof(call));
	if (vm == NULL || x[2] >= m->cfg.max_vcpus)
		errs |= ERR(KCORE_E_INVAL);
	if (run_pa % PAGE != 0 || !run_ram)
		errs |= ERR(KCORE_E_INVAL);
	if (vm != NULL && (vm->state != VM_VERIFIED || vm->phase != SNAP_NONE))
		errs |= ERR(KCORE_E_STATE); /* paused while a snapshot or restore is open */
	if (vcpu != NULL && !vcpu->registered)
		errs |= ERR(KCORE_E_STATE);
	if (vcpu != NULL && vcpu->registered && !vcpu->has_run && !vcpu->entry_set)
		errs |= ERR(KCORE_E_PERM);
	if (vcpu != NULL && vcpu->registered && !vcpu->has_run && vcpu->entry_set &&
	    !in_verified_payload(vm, vcpu->entry_pc))
		errs |= ERR(KCORE_E_PERM);
	if (run_ram && page_of(m, align_down(run_pa, PAGE))->owner != MODEL_HOST)
		errs |= ERR(KCORE_E_PERM);
	if (errs != 0)
		return verdict(m, call, errs, 0, got->x0, got->x1);

	vmid = vmid_of(m, vm);
	for (i = 0; i < MODEL_RUN_OUT_OFFSET; i++) {
		if (*mem_of(m, run_pa + i) != 0) {
			set_why(m, "%s: driver error: the run page's in part is not zero", call);
			return false;
		}
	}

	/* What the guest's step makes kcore do: the exit and its out part. */
	memset(want, 0, sizeof(want));
	switch (step->act) {
	case MODEL_ACT_WFI:
		want[0] = KC_EXIT_WFI;
		want[1] = KC_WFI_NO_DEADLINE; /* the simulated machine arms no timer */
		break;
	case MODEL_ACT_ACCESS:
		if (step->ipa % 8 != 0 || !in_ipa_space(m, step->ipa, 8) ||
		    vm_device_at(vm, step->ipa) != NULL) {
			set_why(m,
				"%s: driver error: guest access at ipa %#" PRIx64
				" unaligned, beyond the IPA space or to a device page",
				call, step->ipa);
			return false;
		}
		if (vm_page_at(m, vmid, step->ipa, &pa)) {
			ram_access = true; /* the access needs no exit; then the guest waits */
			pa += step->ipa % PAGE;
			want[0] = KC_EXIT_WFI;
			want[1] = KC_WFI_NO_DEADLINE;
		} else if (in_ram_region(vm, step->ipa)) {
			want[0] = KC_EXIT_MEM_FAULT;
			want[1] = align_down(step->ipa, PAGE);
			want[2] = step->write;
			want[3] = 0; /* is_exec */
		} else if (vm->guard_enrolled && !guarded(vm, align_down(step->ipa, PAGE))) {
			/* Not a page it registered: the guest's abort, then its WFI; no MMIO exit.
			 */
			want[0] = KC_EXIT_WFI;
			want[1] = KC_WFI_NO_DEADLINE;
		} else {
			want[0] = KC_EXIT_MMIO;
			want[1] = step->ipa;
			want[2] = 8;
			want[3] = step->write;
			want[4] = step->write ? step->value : 0;
		}
		break;
	case MODEL_ACT_CALL:
		if (kcore_answers(step->fid)) {
			set_why(m, "%s: driver error: guest call %#" PRIx64 " is one kcore answers",
				call, step->fid);
			return false;
		}
		want[0] = KC_EXIT_GUEST_CALL;
		want[1] = step->fid;
		for (i = 0; i < 6; i++)
			want[2 + i] = step->a[i];
		break;
	case MODEL_ACT_POWEROFF:
		want[0] = KC_EXIT_POWEROFF;
		want[1] = 0; /* reset: SYSTEM_OFF */
		break;
	default:
		set_why(m, "%s: driver error: unknown guest step %d", call, (int)step->act);
		return false;
	}

	if (!verdict(m, call, 0, want[0], got->x0, got->x1))
		return false;
	for (i = 0; i < RUN_OUT_WORDS; i++) {
		if (got->out[i] != want[i]) {
			set_why(m,
				"%s: out word %" PRIu64 " (%s): expected %#" PRIx64
				", got %#" PRIx64,
				call, i, out_word_name(want[0], (unsigned)i), want[i], got->out[i]);
			return false;
		}
	}
	if (ram_access) {
		char what[256];

		snprintf(what, sizeof(what), "%s: guest %s ipa %#" PRIx64, call,
			 step->write ? "store" : "load", step->ipa);
		if (!guest_ram_access(m, what, pa, step->write, step->value, got->access_done,
				      got->access_value))
			return false;
	} else if (got->access_done) {
		set_why(m,
			"%s: no RAM mapped at the guest's ipa %#" PRIx64
			", but the core says the access reached memory",
			call, step->ipa);
		return false;
	}

	/* The transition. */
	vcpu->has_run = true;
	if (step->act == MODEL_ACT_POWEROFF)
		vm_power_off(m, vm);
	for (i = 0; i < RUN_OUT_WORDS; i++)
		store64(m, run_pa + MODEL_RUN_OUT_OFFSET + i * 8, want[i]);
	return true;
}

/* ---- DMA ---- */

bool model_dma_access(struct model *m, uint32_t sid, uint64_t iova, bool write, uint64_t value,
		      bool got_ok, uint64_t got_value)
{
	char what[96];
	long i = -1;
	uint64_t pa;

	snprintf(what, sizeof(what), "DMA %s by stream %" PRIu32 " at iova %#" PRIx64,
		 write ? "write" : "read", sid, iova);
	if (iova % 8 != 0) {
		set_why(m, "%s: driver error: not 8-byte aligned", what);
		return false;
	}
	/* Decision 26: without IO support every stream stays blocked, as at boot. */
	if (m->cfg.io_supported && sid < MODEL_IO_STREAMS && m->stream_dom[sid] != NO_DOMAIN &&
	    iova < m->ipa_limit)
		i = iomap_find(m, m->stream_dom[sid], iova);
	if (i < 0) {
		if (got_ok) {
			set_why(m, "%s: %s, expected a refusal, got the access", what,
				sid >= MODEL_IO_STREAMS || !m->cfg.io_supported ||
					m->stream_dom[sid] == NO_DOMAIN
				    ? "the stream is blocked"
				    : "its domain maps nothing there");
			return false;
		}
		return true;
	}
	pa = m->iomap[i].pa + iova % PAGE;
	if (!got_ok) {
		set_why(m,
			"%s: domain %" PRIu32 " maps pa %#" PRIx64 " there, expected the access, "
			"got a refusal",
			what, m->iomap[i].dom, m->iomap[i].pa);
		return false;
	}
	if (write) {
		store64(m, pa, value);
		return true;
	}
	if (got_value != load64(m, pa)) {
		set_why(m, "%s (pa %#" PRIx64 "): expected %#" PRIx64 ", got %#" PRIx64, what, pa,
			load64(m, pa), got_value);
		return false;
	}
	return true;
}

bool model_io_domain(const struct model *m, uint32_t d, uint32_t *owner)
{
	if (d >= MODEL_IO_DOMAINS || !m->dom_alloc[d])
		return false;
	*owner = m->dom_owner[d];
	return true;
}

bool model_stream_domain(const struct model *m, uint32_t sid, uint32_t *d)
{
	if (sid >= MODEL_IO_STREAMS || m->stream_dom[sid] == NO_DOMAIN)
		return false;
	*d = m->stream_dom[sid];
	return true;
}

bool model_io_mapped(const struct model *m, uint32_t d, uint64_t iova, uint64_t *pa)
{
	long i = iomap_find(m, d, iova);

	if (i < 0)
		return false;
	*pa = m->iomap[i].pa;
	return true;
}

bool model_io_nth_mapping(const struct model *m, uint32_t d, uint64_t n, uint64_t *iova,
			  uint64_t *pa)
{
	uint64_t count = 0, k = 0;
	size_t i;

	for (i = 0; i < m->nr_iomap; i++)
		count += m->iomap[i].dom == d;
	if (count == 0)
		return false;
	n %= count;
	for (i = 0; i < m->nr_iomap; i++) {
		if (m->iomap[i].dom != d)
			continue;
		if (k++ == n) {
			*iova = m->iomap[i].iova;
			*pa = m->iomap[i].pa;
			return true;
		}
	}
	return false;
}

uint64_t model_page_ipa(const struct model *m, uint64_t pa)
{
	const struct page *pg;

	if (!is_ram(m, pa))
		return 0;
	pg = page_of(m, pa);
	return pg->owner != MODEL_HOST && pg->owner != MODEL_KCORE ? pg->ipa : 0;
}

uint32_t model_page_dma_count(const struct model *m, uint64_t pa)
{
	return is_ram(m, pa) ? page_of(m, pa)->dma : 0;
}

/* ---- the ownership view ---- */

uint32_t model_page_owner(const struct model *m, uint64_t pa)
{
	if (!is_ram(m, pa))
		return MODEL_KCORE;
	return page_of(m, pa)->owner;
}

bool model_page_shared(const struct model *m, uint64_t pa)
{
	return is_ram(m, pa) && page_of(m, pa)->shared;
}

const char *model_why(const struct model *m)
{
	return m->why;
}

/* ---- life cycle ---- */

struct model *model_new(const struct model_config *cfg)
{
	struct model *m = calloc(1, sizeof(*m));
	uint64_t i, first, last;
	uint32_t v;
	int k;

	if (m == NULL)
		return NULL;
	m->cfg = *cfg;
	m->ipa_limit = cfg->ipa_bits >= 64 ? UINT64_MAX : 1ull << cfg->ipa_bits;
	m->npages = cfg->ram.size / PAGE;
	m->page = calloc(m->npages, sizeof(*m->page));
	m->mem = calloc(1, cfg->ram.size);
	m->vm = calloc((size_t)cfg->max_vms + 1, sizeof(*m->vm));
	if (m->page == NULL || m->mem == NULL || m->vm == NULL) {
		model_free(m);
		return NULL;
	}
	for (v = 0; v <= cfg->max_vms; v++) {
		m->vm[v].vcpu = calloc(cfg->max_vcpus ? cfg->max_vcpus : 1, sizeof(struct vcpu));
		if (m->vm[v].vcpu == NULL) {
			model_free(m);
			return NULL;
		}
	}
	/* Boot: every RAM page the host's, except kcore's image and carve-out. */
	for (i = 0; i < m->npages; i++)
		m->page[i].owner = MODEL_HOST;
	for (k = 0; k < 2; k++) {
		ram_pages(m, cfg->kcore_ram[k].base,
			  end_of(cfg->kcore_ram[k].base, cfg->kcore_ram[k].size), &first, &last);
		for (i = first; i < last; i++)
			m->page[i].owner = MODEL_KCORE;
	}
	for (i = 0; i < MODEL_IO_STREAMS; i++)
		m->stream_dom[i] = NO_DOMAIN; /* every stream blocked at boot */
	snprintf(m->why, sizeof(m->why), "no mismatch");
	return m;
}

void model_free(struct model *m)
{
	uint32_t v;
	size_t i, p;

	if (m == NULL)
		return;
	for (v = 0; m->vm != NULL && v <= m->cfg.max_vms; v++) {
		if (m->vm[v].vcpu != NULL)
			vm_reset(m, &m->vm[v]);
		free(m->vm[v].vcpu);
	}
	for (i = 0; i < m->nr_snap; i++) {
		for (p = 0; p < m->snap[i].nr_page; p++)
			free(m->snap[i].page[p].plain);
		free(m->snap[i].page);
		free(m->snap[i].vcpu);
	}
	free(m->snap);
	free(m->vm);
	free(m->iomap);
	free(m->page);
	free(m->mem);
	free(m);
}
