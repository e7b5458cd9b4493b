/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker: one walk over the whole state that checks every
 * property of the brief that exists at this stage (SeKVM's shared_inv):
 *
 *   host_flatmap   the host's stage-2 maps IPA == PA
 *   host_iso       ... and only host pages, pages a VM shares, or device
 *                  memory that is not kcore's
 *   vm_iso         a VM's stage-2 maps only its own pages at their recorded
 *                  gfn, or device memory that is not kcore's
 *   ownership      every RAM page has one valid owner; gfn and count agree
 *                  with it; every VM page is mapped by its VM at its gfn;
 *                  every kcore page is kcore's image, carve-out, or an image
 *                  page waiting for verification
 *   smmu_iso       a host IO domain maps only host pages or pages a VM shares;
 *                  a VM's domain only pages that VM shares, each at its
 *                  gfn (no domain maps a VM's page without its consent); no
 *                  domain maps kcore's pages or non-RAM; a VM's domain
 *                  lives only while the VM is READY or VERIFIED; attached
 *                  streams point at live domains
 *   smmu_count     each page's dma_count equals the number of IO leaves
 *                  (every domain's) that map it
 *   kcore_own      every page of kcore's image and carve-out is kcore's and
 *                  mapped by no stage-2 (the host's, a VM's) and no IO table
 *   smmu_hw        the SMMU's hardware stream table agrees with the core
 *                  (core/check/smmu_hw.c)
 *   core_map       kcore's window mappings equal the write-once log, nothing
 *                  is mapped beyond it, and no two image windows overlap
 *   pools          every table page comes from its principal's pool, no pool
 *                  page leaks, and free pool pages are zero
 *   states         vCPU states agree with their VM's state
 *
 * Tests call it after every step; debug builds expose it to the host as the
 * KC_HC_CHECK_INVARIANTS hypercall. It reports, never fixes; the one thing it
 * writes is its own per-page scratch counter (struct page_info, through
 * core/mem's mem_check_scratch_*), which it puts back to zero before it
 * returns.
 */
#include "core/check/check.h"
#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/mem/mem.h"
#include "core/memops/host_mem.h"
#include "core/memops/platform.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "core/smmu/iommu.h"
#include "core/vm/vm.h"

#define MAX_REPORTS 16u

static u32 violations;

static void violation(const char *what, u64 a, u64 b)
{
	if (violations < MAX_REPORTS)
		kc_log("invariant violated: %s (%lx, %lx)", what, a, b);
	violations++;
}

void check_violation(const char *what, u64 a, u64 b)
{
	violation(what, a, b);
}

static bool in_range(const struct kcore_mem_range *r, paddr_t pa)
{
	return pa_addr(pa) >= pa_addr(r->base) && pa_addr(pa) - pa_addr(r->base) < r->size;
}

/*
 * kcore's image and carve-out: kcore's from boot to the end, whatever the
 * ownership table says. Checked by address, not by owner, so that an entry
 * rewritten to "host" (the fw_cfg DMA of issue 14) cannot hide the page.
 */
static bool kcore_region_page(paddr_t pa)
{
	const struct kcore_boot_params *p = kcore_params();

	return in_range(&p->carve, pa) || in_range(&p->kcore_image, pa);
}

/* ---- stage-2 contents ---- */

static bool check_host_leaf(void *ctx, const struct pt_leaf *leaf)
{
	(void)ctx;
	if (pa_addr(leaf->pa) != leaf->ia)
		violation("host_flatmap", leaf->ia, pa_addr(leaf->pa));
	for (u64 off = 0; off < leaf->size; off += PAGE_SIZE) {
		if (!host_may_map(pa_add(leaf->pa, off)))
			violation("host_iso", leaf->ia + off, pa_addr(leaf->pa) + off);
		if (kcore_region_page(pa_add(leaf->pa, off)))
			violation("kcore_own: host maps kcore's image or carve-out", leaf->ia + off,
				  pa_addr(leaf->pa) + off);
	}
	return true;
}

static bool check_vm_leaf(void *ctx, const struct pt_leaf *leaf)
{
	const struct vm *vm = ctx;

	for (u64 off = 0; off < leaf->size; off += PAGE_SIZE) {
		paddr_t pa = pa_add(leaf->pa, off);
		const struct page_info *page = pgowner_get(pa);

		if (kcore_region_page(pa))
			violation("kcore_own: vm maps kcore's image or carve-out", vm->vmid,
				  pa_addr(pa));
		if (page == NULL) {
			/* Only the classes VM_MAP_IO may give: never KCORE, MEDIATED or DENIED. */
			if (!platform_vm_may_map_class(platform_class(pa)))
				violation("vm_iso: device the platform policy denies", vm->vmid,
					  pa_addr(pa));
		} else if (page->owner != vm->vmid) {
			violation("vm_iso: not the vm's page", vm->vmid, pa_addr(pa));
		} else if (page->gfn != (leaf->ia + off) >> PAGE_SHIFT) {
			violation("vm_iso: gfn mismatch", leaf->ia + off, page->gfn);
		}
	}
	return true;
}

/* ---- table pages come from the right pool, and none leak ---- */

struct table_count {
	const struct pt_pool *pool;
	u64 tables;
	const char *who;
};

static void count_table(void *ctx, paddr_t table, u32 level)
{
	struct table_count *tc = ctx;

	(void)level;
	tc->tables++;
	if (!pool_contains(tc->pool, table))
		violation(tc->who, pa_addr(table), 0);
}

static void check_tables(const struct pgtable *pt, const struct pt_pool *pool, const char *who)
{
	struct table_count tc = {pool, 0, who};

	pgt_for_each_table(pt, count_table, &tc);
	if (tc.tables != pool->nr_pages - pool->nr_free)
		violation("pool: table pages leaked", tc.tables, pool->nr_pages - pool->nr_free);
	if (!pool_free_pages_zeroed(pool))
		violation("pool: free page not zero", pa_addr(pool->base), 0);
}

/* ---- ownership ---- */

/* kcore pages outside its image and carve-out: must be exactly the waiting image pages. */
static u64 kcore_loose_pages;

static void check_waiting_image_pages(void)
{
	u64 waiting = 0;

	for (u32 id = 1; id <= vm_max_vms(); id++) {
		const struct vm *vm = vm_from_id(id);

		for (u32 i = 0; vm->state != VM_UNUSED && i < vm->nr_images; i++) {
			const struct vm_image *img = &vm->images[i];

			for (u64 pg = 0; !img->loaded && pg < img->nr_remapped; pg++) {
				const struct page_info *page;
				paddr_t pa;

				if (!kmap_lookup(va_add(img->window, pg * PAGE_SIZE), &pa)) {
					violation("boot: remapped image page not in window", id,
						  pg);
					continue;
				}
				page = pgowner_get(pa);
				if (page == NULL || page->owner != OWNER_KCORE)
					violation("boot: waiting image page not kcore's", id,
						  pa_addr(pa));
				waiting++;
			}
		}
	}
	if (waiting != kcore_loose_pages)
		violation("ownership: kcore pages of no purpose", kcore_loose_pages, waiting);
}

static void check_page(paddr_t pa, const struct page_info *page)
{
	const struct vm *vm;
	struct pt_leaf leaf;

	if (kcore_region_page(pa) && page->owner != OWNER_KCORE)
		violation("kcore_own: image or carve-out page not kcore's", pa_addr(pa),
			  page->owner);
	if (page->owner == OWNER_HOST) {
		if (page->count != 0 || page->gfn != GFN_NONE)
			violation("ownership: host page with count or gfn", pa_addr(pa),
				  page->count);
		return;
	}
	if (page->owner == OWNER_KCORE) {
		if (page->count != 0 || page->gfn != GFN_NONE)
			violation("ownership: kcore page with count or gfn", pa_addr(pa),
				  page->count);
		if (!kcore_region_page(pa))
			kcore_loose_pages++;
		return;
	}
	vm = owner_is_vm(page->owner) ? vm_from_id(page->owner) : NULL;
	if (vm == NULL || vm->state == VM_UNUSED) {
		violation("ownership: owner is no live vm", pa_addr(pa), page->owner);
		return;
	}
	if (page->count > 1)
		violation("ownership: share count above 1", pa_addr(pa), page->count);
	/* The reverse of vm_iso: the VM maps its page exactly where the gfn says. */
	if (page->gfn == GFN_NONE || !pgt_lookup(&vm->s2, page->gfn << PAGE_SHIFT, &leaf) ||
	    pa_addr(leaf.pa) + ((page->gfn << PAGE_SHIFT) - leaf.ia) != pa_addr(pa))
		violation("ownership: vm page not mapped at its gfn", pa_addr(pa), page->gfn);
}

/* ---- DMA: smmu_iso and smmu_count ---- */

static bool check_io_leaf(void *ctx, const struct pt_leaf *leaf)
{
	const struct io_domain *d = ctx;

	if (leaf->size != PAGE_SIZE)
		violation("smmu_iso: IO leaf larger than a page", leaf->ia, leaf->size);
	for (u64 off = 0; off < leaf->size; off += PAGE_SIZE) {
		paddr_t pa = pa_add(leaf->pa, off);
		const struct page_info *page = pgowner_get(pa);

		if (kcore_region_page(pa))
			violation("kcore_own: IO table maps kcore's image or carve-out",
				  leaf->ia + off, pa_addr(pa));
		if (page == NULL) {
			violation("smmu_iso: IO mapping of non-RAM", leaf->ia + off, pa_addr(pa));
		} else if (d->mirror) {
			/* Exactly the host's pages, where they are; not counted in dma_count. */
			if (page->owner != OWNER_HOST || leaf->ia + off != pa_addr(pa))
				violation("smmu_iso: the host's DMA mirror maps a page not the "
					  "host's, or elsewhere",
					  leaf->ia + off, pa_addr(pa));
			continue;
		} else if (d->owner == OWNER_HOST) {
			if (page->owner != OWNER_HOST &&
			    !(owner_is_vm(page->owner) && page->count > 0))
				violation("smmu_iso: host domain maps a page not the host's",
					  leaf->ia + off, pa_addr(pa));
		} else if (page->owner != d->owner || page->gfn != (leaf->ia + off) >> PAGE_SHIFT) {
			violation("smmu_iso: vm domain maps a page not the vm's at its gfn",
				  leaf->ia + off, pa_addr(pa));
		} else if (page->count == 0) {
			/* The VM's consent: a device reaches only what the VM shares. */
			violation("smmu_iso: vm domain maps a page the vm does not share",
				  leaf->ia + off, pa_addr(pa));
		}
		mem_check_scratch_count(pa);
	}
	return true;
}

static void count_io_table(void *ctx, paddr_t table, u32 level)
{
	(void)level;
	(*(u64 *)ctx)++;
	if (!pool_contains(iommu_pool(), table))
		violation("pool: IO table outside the IO pool", pa_addr(table), 0);
}

/* The mirror's other half: every page the host owns is in it (its devices reach all of them). */
static void check_mirror_complete(const struct io_domain *d)
{
	struct pt_leaf leaf;

	if (!dma_mirror_is(&d->pt))
		violation("smmu_iso: a mirror domain that is not the host's DMA mirror", 0, 0);
	for (u64 i = 0; i < pgowner_nr_pages(); i++) {
		paddr_t pa = pgowner_page_at(i);

		if (pgowner_get(pa)->owner == OWNER_HOST &&
		    (!pgt_lookup(&d->pt, pa_addr(pa), &leaf) || pa_addr(leaf.pa) != pa_addr(pa)))
			violation("smmu_iso: a host page missing from the host's DMA mirror",
				  pa_addr(pa), 0);
	}
}

static void check_io_domain(u32 id, const struct io_domain *d, u64 *tables)
{
	const struct vm *vm = owner_is_vm(d->owner) ? vm_from_id(d->owner) : NULL;
	u32 streams = 0;

	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++) {
		if (iommu_stream_domain(sid) == id)
			streams++;
	}
	if (streams != d->nr_streams)
		violation("smmu: domain's stream count disagrees", id, d->nr_streams);
	if (d->state == IO_DOMAIN_FREE)
		return;
	/* A dead VM's device must not keep its pages, which teardown hands on. */
	if (d->owner != OWNER_HOST &&
	    (vm == NULL || (vm->state != VM_READY && vm->state != VM_VERIFIED)))
		violation("smmu_iso: domain of no running vm", id, d->owner);
	pgt_for_each_leaf(&d->pt, 0, 1ull << kcore_ipa_bits(), check_io_leaf, (void *)(uintptr_t)d);
	pgt_for_each_table(&d->pt, count_io_table, tables);
	if (d->mirror)
		check_mirror_complete(d);
}

static void check_iommu(void)
{
	const struct pt_pool *pool = iommu_pool();
	u64 tables = 0;

	mem_check_scratch_clear();
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++) {
		u32 id = iommu_stream_domain(sid);

		if (id != IO_DOMAIN_NONE &&
		    (id >= KCORE_MAX_IO_DOMAINS || iommu_domain(id)->state != IO_DOMAIN_LIVE))
			violation("smmu: stream attached to no live domain", sid, id);
	}
	for (u32 id = 0; id < KCORE_MAX_IO_DOMAINS; id++)
		check_io_domain(id, iommu_domain(id), &tables);
	if (tables != pool->nr_pages - pool->nr_free)
		violation("pool: IO table pages leaked", tables, pool->nr_pages - pool->nr_free);
	if (!pool_free_pages_zeroed(pool))
		violation("pool: free IO page not zero", pa_addr(pool->base), 0);
	/* smmu_count: what check_io_leaf counted is exactly what the page records. */
	for (u64 i = 0; i < pgowner_nr_pages(); i++) {
		const struct page_info *page = pgowner_get(pgowner_page_at(i));

		if (page->dma_count != page->check_scratch)
			violation("smmu_count: dma_count disagrees with the IO mappings",
				  pa_addr(pgowner_page_at(i)), page->dma_count);
	}
	mem_check_scratch_clear();
}

/* ---- kcore's own mappings ---- */

static bool check_window_leaf(void *ctx, const struct pt_leaf *leaf)
{
	u64 base = va_addr(kmap_window_base());
	u64 index = (leaf->ia - base) >> PAGE_SHIFT;

	(void)ctx;
	if (leaf->size != PAGE_SIZE || kmap_window_logged(index) != pa_pfn(leaf->pa) + 1)
		violation("core_map: window mapping not in the write-once log", leaf->ia,
			  pa_addr(leaf->pa));
	if (leaf->prot & PT_PROT_W)
		violation("core_map: writable window", leaf->ia, 0);
	return true;
}

static void check_core_map(void)
{
	u64 base = va_addr(kmap_window_base());
	u64 limit = base + kmap_window_limit() * PAGE_SIZE;

	/* Every logged page still maps what it mapped when logged... */
	for (u64 i = 0; i < kmap_window_reserved(); i++) {
		u64 logged = kmap_window_logged(i);
		paddr_t pa;

		if (logged != 0 &&
		    (!kmap_lookup(va_init(base + i * PAGE_SIZE), &pa) || pa_pfn(pa) + 1 != logged))
			violation("core_map: write-once mapping changed", base + i * PAGE_SIZE,
				  logged);
	}
	/* ...and nothing in the window range is mapped that the log does not hold. */
	pgt_for_each_leaf(kmap_table(), base, limit, check_window_leaf, NULL);

	/* Windows of live VMs never overlap and lie inside what was reserved. */
	for (u32 a = 1; a <= vm_max_vms(); a++) {
		const struct vm *va = vm_from_id(a);

		for (u32 i = 0; va->state != VM_UNUSED && i < va->nr_images; i++) {
			u64 s1 = va_addr(va->images[i].window);
			u64 e1 = s1 + va->images[i].nr_pages * PAGE_SIZE;

			if (s1 < base || e1 > base + kmap_window_reserved() * PAGE_SIZE)
				violation("core_map: window outside reserved range", s1, e1);
			for (u32 b = a; b <= vm_max_vms(); b++) {
				const struct vm *vb = vm_from_id(b);

				for (u32 j = 0; vb->state != VM_UNUSED && j < vb->nr_images; j++) {
					u64 s2 = va_addr(vb->images[j].window);
					u64 e2 = s2 + vb->images[j].nr_pages * PAGE_SIZE;

					if ((a != b || j > i) && s1 < e2 && s2 < e1)
						violation("core_map: windows overlap", s1, s2);
				}
			}
		}
	}
}

/* ---- states ---- */

/* A VM being saved or restored is a verified one that is paused (core/snapshot). */
static void check_snapshot_state(const struct vm *vm)
{
	if (vm->snap.phase == SNAP_NONE)
		return;
	if (vm->state != VM_VERIFIED)
		violation("snapshot: open on a vm that is not verified", vm->vmid, vm->state);
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++) {
		if (vm->vcpus[i].state == VCPU_ACTIVE)
			violation("snapshot: vcpu runs while its vm is saved or restored", vm->vmid,
				  i);
		if (vm->snap.phase == SNAP_RESTORING && vm->vcpus[i].has_run &&
		    (vm->snap.vcpus_done & (1ull << i)) == 0)
			violation("snapshot: restoring a vm whose vcpu ran", vm->vmid, i);
	}
	if ((vm->snap.vcpus_done & ~vm->snap.vcpu_mask) != 0)
		violation("snapshot: a vcpu done that the snapshot does not have", vm->vmid,
			  vm->snap.vcpus_done);
}

/*
 * The MMIO guard (core/vm/mmio_guard.h): enrolled exactly when it has a
 * range; every range page aligned, inside the IPA space and outside the
 * VM's RAM and images (RAM is never forwarded); no two meet or touch.
 */
static void check_mmio_guard(struct vm_locked locked)
{
	const struct vm *vm = locked.vm;
	const struct vm_mmio_guard *g = &vm->mmio_guard;

	if ((g->enrolled != 0) != (g->nr != 0) || g->nr > VM_MMIO_GUARD_RANGES) {
		violation("mmio guard: enrolled and the table disagree", vm->vmid, g->nr);
		return;
	}
	for (u32 i = 0; i < g->nr; i++) {
		const struct mmio_guard_range *r = &g->range[i];

		if (!is_aligned(r->first | r->end, PAGE_SIZE) || r->first >= r->end ||
		    r->end > (1ull << vm_ipa_bits())) {
			violation("mmio guard: a malformed range", vm->vmid, r->first);
			continue;
		}
		if (vm_ipa_in_image(locked, r->first, r->end - r->first))
			violation("mmio guard: a range meets an image", vm->vmid, r->first);
		for (u32 k = 0; k < vm->nr_ram; k++) {
			if (r->first < vm->ram[k].ipa + vm->ram[k].size && vm->ram[k].ipa < r->end)
				violation("mmio guard: a range meets the vm's ram", vm->vmid,
					  r->first);
		}
		for (u32 k = i + 1; k < g->nr; k++) {
			if (r->first <= g->range[k].end && g->range[k].first <= r->end)
				violation("mmio guard: two ranges meet or touch", vm->vmid,
					  r->first);
		}
	}
}

static void check_states(const struct vm *vm)
{
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++) {
		enum vcpu_state s = vm->vcpus[i].state;

		if (vm->state == VM_UNUSED && s != VCPU_UNUSED)
			violation("state: vcpu of an unused vm", vm->vmid, i);
		if (s == VCPU_ACTIVE && vm->state != VM_VERIFIED && vm->state != VM_POWEROFF)
			violation("state: active vcpu of an unverified vm", vm->vmid, i);
		if (i >= vm_max_vcpus() && s != VCPU_UNUSED)
			violation("state: vcpu beyond the limit", vm->vmid, i);
		/* The fast path's answer after a call (guest_call.c): STOP iff powered off. */
		if (__atomic_load_n(&vm->vcpus[i].fast_answered, __ATOMIC_RELAXED) !=
		    (vm->state == VM_POWEROFF ? ARCH_FAST_STOP : ARCH_FAST_REENTER))
			violation("state: fast-path answer disagrees with power-off", vm->vmid, i);
	}
	for (u32 i = 0; i < vm->nr_images; i++) {
		if ((vm->state == VM_VERIFIED) != vm->images[i].loaded && vm->state != VM_POWEROFF)
			violation("state: image loaded but vm not verified", vm->vmid, i);
	}
	check_snapshot_state(vm);
}

u32 kcore_check_invariants(void)
{
	struct vm_locked vlocked[KCORE_MAX_VMS + 1];
	u32 found;

	/* Every VM's lock, in ascending VMID order (core/lock_order.h: the checker's exception). */
	for (u32 id = 1; id <= vm_max_vms(); id++)
		vlocked[id] = vm_lock(vm_from_id(id));
	struct mem_locked locked = mem_lock();

	/* Counted under every lock: two CPUs may check at once. */
	violations = 0;

	pgt_for_each_leaf(host_s2_table(), 0, 1ull << kcore_ipa_bits(), check_host_leaf, NULL);
	check_tables(host_s2_table(), host_pool(), "pool: host table outside host pool");
	check_tables(kmap_table(), kmap_pool(), "pool: kcore table outside kcore pool");
	for (u32 id = 1; id <= vm_max_vms(); id++) {
		struct vm *vm = vm_from_id(id);

		check_states(vm);
		check_mmio_guard(vlocked[id]);
		if (vm->state == VM_UNUSED) {
			if (vm->pool.nr_free != vm->pool.nr_pages)
				violation("pool: unused vm slot holds tables", id,
					  vm->pool.nr_free);
			continue;
		}
		pgt_for_each_leaf(&vm->s2, 0, 1ull << kcore_ipa_bits(), check_vm_leaf, vm);
		check_tables(&vm->s2, &vm->pool, "pool: vm table outside its pool");
	}
	kcore_loose_pages = 0;
	for (u64 i = 0; i < pgowner_nr_pages(); i++) {
		paddr_t pa = pgowner_page_at(i);

		check_page(pa, pgowner_get(pa));
	}
	check_waiting_image_pages();
	check_core_map();
	check_iommu();
	check_smmu_hw();

	found = violations;
	mem_unlock(locked);
	for (u32 id = vm_max_vms(); id >= 1; id--)
		vm_unlock(&vlocked[id]);
	return found;
}
