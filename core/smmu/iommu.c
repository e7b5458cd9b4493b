/* SPDX-License-Identifier: MIT */
#include "iommu.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/mem/mem.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "core/vm/vm.h"

static struct io_domain domains[KCORE_MAX_IO_DOMAINS];
static u32 stream_domain[KCORE_MAX_STREAMS];
static struct pt_pool *io_pool;
static u32 io_ia_bits;

void iommu_init(struct pt_pool *pool, u32 ia_bits)
{
	io_pool = pool;
	io_ia_bits = ia_bits;
	for (u32 i = 0; i < KCORE_MAX_IO_DOMAINS; i++)
		domains[i] = (struct io_domain){.state = IO_DOMAIN_FREE};
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++)
		stream_domain[sid] = IO_DOMAIN_NONE;
}

/*
 * Without an SMMU kcore drives, or without a pool for IO tables, there is no
 * DMA isolation to offer: every IO call is refused as unknown.
 */
static bool iommu_supported(void)
{
	return arch_smmu_present() && io_pool->nr_pages > 0;
}

/* The domain with this id, or NULL: the raw register, so no truncation aliases. */
static struct io_domain *domain_from_id(u64 id)
{
	return id < KCORE_MAX_IO_DOMAINS ? &domains[id] : NULL;
}

static u32 domain_id(const struct io_domain *d)
{
	return (u32)(d - domains);
}

static bool iova_ok(u64 iova)
{
	return iova < (1ull << io_ia_bits);
}

/* ---- allocation ---- */

static int alloc_domain(struct mem_locked locked, u32 owner, u32 *id)
{
	(void)locked;
	for (u32 i = 0; i < KCORE_MAX_IO_DOMAINS; i++) {
		struct io_domain *d = &domains[i];
		int err;

		if (d->state != IO_DOMAIN_FREE)
			continue;
		/* Fails only when the pool has no page for the root: nothing changed then. */
		err = pgt_init(&d->pt, io_pool, arch_smmu_stage1_tables() ? PT_IO_S1 : PT_IO,
			       io_ia_bits, i);
		if (err != KCORE_OK)
			return err;
		d->state = IO_DOMAIN_LIVE;
		d->owner = owner;
		d->nr_streams = 0;
		d->mirror = false;
		*id = i;
		return KCORE_OK;
	}
	return KCORE_E_NOMEM;
}

int iommu_domain_alloc(u64 owner, u32 *id)
{
	struct vm_locked vlocked = {NULL};
	int err;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	if (owner != OWNER_HOST) {
		struct vm *vm = vm_from_id(owner);

		if (vm == NULL)
			return KCORE_E_INVAL;
		/* Held until the domain exists, so a power-off cannot slip in between. */
		vlocked = vm_lock(vm);
		if (vm->state != VM_READY && vm->state != VM_VERIFIED) {
			vm_unlock(&vlocked);
			return KCORE_E_STATE;
		}
	}
	struct mem_locked locked = mem_lock();
	err = alloc_domain(locked, (u32)owner, id);
	mem_unlock(locked);
	if (vlocked.vm != NULL)
		vm_unlock(&vlocked);
	return err;
}

/* ---- teardown ---- */

static void unmap_io_leaf(struct mem_locked locked, struct io_domain *d, u64 iova)
{
	struct pt_leaf leaf;

	KC_CHECK(pgt_lookup(&d->pt, iova, &leaf) && leaf.size == PAGE_SIZE);
	/* Unmapped and invalidated first: only then may the page's count drop. */
	pgt_unmap_leaf(&d->pt, iova);
	host_dma_unmap(locked, leaf.pa);
}

/* The walk's context: the token travels with the domain. */
struct unmap_ctx {
	const struct mem_locked *locked;
	struct io_domain *d;
};

static bool unmap_each_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct unmap_ctx *uc = ctx;

	unmap_io_leaf(*uc->locked, uc->d, leaf->ia);
	return true;
}

/* No stream is attached any more. */
static void release_domain(struct mem_locked locked, struct io_domain *d)
{
	struct unmap_ctx uc = {&locked, d};

	KC_CHECK(d->nr_streams == 0);
	pgt_for_each_leaf(&d->pt, 0, 1ull << io_ia_bits, unmap_each_leaf, &uc);
	pgt_destroy(&d->pt);
	/* The id will be reused: no translation or cached walk of it may outlive it. */
	arch_smmu_tlbi_domain(domain_id(d));
	d->state = IO_DOMAIN_FREE;
	d->owner = OWNER_HOST;
}

int iommu_domain_free(u64 id)
{
	struct io_domain *d = domain_from_id(id);
	int err = KCORE_OK;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	if (d == NULL)
		return KCORE_E_INVAL;
	struct mem_locked locked = mem_lock();
	if (d->state != IO_DOMAIN_LIVE)
		err = KCORE_E_STATE;
	else if (d->mirror)
		err = KCORE_E_PERM; /* kcore's to keep: the host's devices depend on it */
	else if (d->nr_streams != 0)
		err = KCORE_E_BUSY;
	else
		release_domain(locked, d);
	mem_unlock(locked);
	return err;
}

static void detach_stream(struct mem_locked locked, u32 sid)
{
	u32 id = stream_domain[sid];

	(void)locked;
	KC_CHECK(id < KCORE_MAX_IO_DOMAINS && domains[id].nr_streams > 0);
	/* Blocked (and the device's cached translations gone) before anything else. */
	arch_smmu_detach(sid);
	stream_domain[sid] = IO_DOMAIN_NONE;
	domains[id].nr_streams--;
	/* Whatever the SMMU cached on the stream's behalf goes too. */
	arch_smmu_tlbi_domain(id);
}

void iommu_release_vm(struct vm_locked vlocked)
{
	u32 vmid = vlocked.vm->vmid;

	KC_CHECK(owner_is_vm(vmid));
	struct mem_locked locked = mem_lock();
	for (u32 i = 0; i < KCORE_MAX_IO_DOMAINS; i++) {
		struct io_domain *d = &domains[i];

		if (d->state != IO_DOMAIN_LIVE || d->owner != vmid)
			continue;
		for (u32 sid = 0; sid < KCORE_MAX_STREAMS && d->nr_streams > 0; sid++) {
			if (stream_domain[sid] == i)
				detach_stream(locked, sid);
		}
		release_domain(locked, d);
	}
	mem_unlock(locked);
}

void iommu_block_all_streams(struct mem_locked locked)
{
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++) {
		if (stream_domain[sid] != IO_DOMAIN_NONE)
			detach_stream(locked, sid);
	}
}

/* ---- streams ---- */

int iommu_attach(u64 id, u64 sid)
{
	struct io_domain *d = domain_from_id(id);
	int err = KCORE_OK;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	if (d == NULL || sid >= KCORE_MAX_STREAMS)
		return KCORE_E_INVAL;
	struct mem_locked locked = mem_lock();
	if (d->state != IO_DOMAIN_LIVE) {
		err = KCORE_E_STATE;
	} else if (stream_domain[sid] == id) {
		err = KCORE_E_EXIST;
	} else if (stream_domain[sid] != IO_DOMAIN_NONE) {
		/* Moving a device takes a detach first: never two owners in one step. */
		err = KCORE_E_BUSY;
	} else {
		stream_domain[sid] = (u32)id;
		d->nr_streams++;
		arch_smmu_attach((u32)sid, (u32)id, d->pt.root, d->pt.ia_bits);
	}
	mem_unlock(locked);
	return err;
}

int iommu_detach(u64 sid)
{
	int err = KCORE_OK;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	if (sid >= KCORE_MAX_STREAMS)
		return KCORE_E_INVAL;
	struct mem_locked locked = mem_lock();
	if (stream_domain[sid] == IO_DOMAIN_NONE)
		err = KCORE_E_NOENT;
	else
		detach_stream(locked, (u32)sid);
	mem_unlock(locked);
	return err;
}

/* ---- the host's DMA mirror ---- */

int iommu_host_mirror(u32 *id)
{
	struct io_domain *d = NULL;
	int err;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	struct mem_locked locked = mem_lock();
	err = alloc_domain(locked, OWNER_HOST, id);
	if (err == KCORE_OK) {
		d = &domains[*id];
		err = dma_mirror_start(locked, &d->pt);
		if (err != KCORE_OK)
			release_domain(locked, d); /* empty: only its root goes back */
	}
	if (err == KCORE_OK) {
		d->mirror = true;
		for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++) {
			if (stream_domain[sid] != IO_DOMAIN_NONE)
				continue; /* the host's already (a mirror made after its own
					     domains) */
			stream_domain[sid] = *id;
			d->nr_streams++;
			arch_smmu_attach(sid, *id, d->pt.root, d->pt.ia_bits);
		}
	}
	mem_unlock(locked);
	return err;
}

/* ---- mappings ---- */

int iommu_map(u64 id, u64 iova, u64 pa_raw)
{
	struct io_domain *d = domain_from_id(id);
	paddr_t pa = pa_init(pa_raw);
	int err = KCORE_OK;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	if (d == NULL || !is_aligned(iova, PAGE_SIZE) || !iova_ok(iova) ||
	    !is_aligned(pa_raw, PAGE_SIZE) || pa_raw >= (1ull << 48))
		return KCORE_E_INVAL;
	struct mem_locked locked = mem_lock();
	/* The page's side (RAM, smmu_iso) is core/mem's; the domain's side is checked here. */
	if (d->state != IO_DOMAIN_LIVE)
		err = KCORE_E_STATE;
	else if (d->mirror)
		err = KCORE_E_PERM; /* its leaves follow ownership, not the host */
	else
		err = host_dma_map_check(locked, d->owner, pa, iova);
	if (err == KCORE_OK && !pgt_range_unmapped(&d->pt, iova, PAGE_SIZE))
		err = KCORE_E_EXIST;
	else if (err == KCORE_OK &&
		 pgt_map_cost(&d->pt, iova, PAGE_SIZE, PAGE_SIZE) > pool_nr_free(io_pool))
		err = KCORE_E_NOMEM;
	if (err == KCORE_OK) {
		host_dma_map(locked, pa);
		/* Data only: a device never needs to execute from it. */
		pgt_map_leaf(&d->pt, iova, pa, PAGE_SIZE, PT_PROT_RW);
	}
	mem_unlock(locked);
	return err;
}

int iommu_unmap(u64 id, u64 iova)
{
	struct io_domain *d = domain_from_id(id);
	struct pt_leaf leaf;
	int err = KCORE_OK;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	if (d == NULL || !is_aligned(iova, PAGE_SIZE) || !iova_ok(iova))
		return KCORE_E_INVAL;
	struct mem_locked locked = mem_lock();
	if (d->state != IO_DOMAIN_LIVE)
		err = KCORE_E_STATE;
	else if (d->mirror)
		err = KCORE_E_PERM;
	else if (!pgt_lookup(&d->pt, iova, &leaf))
		err = KCORE_E_NOENT;
	else
		unmap_io_leaf(locked, d, iova);
	mem_unlock(locked);
	return err;
}

int iommu_iova_to_phys(u64 id, u64 iova, u64 *pa)
{
	struct io_domain *d = domain_from_id(id);
	struct pt_leaf leaf;
	int err = KCORE_OK;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	if (d == NULL || !iova_ok(iova))
		return KCORE_E_INVAL;
	struct mem_locked locked = mem_lock();
	if (d->state != IO_DOMAIN_LIVE)
		err = KCORE_E_STATE;
	else if (!pgt_lookup(&d->pt, iova, &leaf))
		err = KCORE_E_NOENT;
	else
		*pa = pa_addr(leaf.pa) + (iova - leaf.ia);
	mem_unlock(locked);
	return err;
}

/* ---- faults ---- */

int iommu_fault_pop(struct arch_io_fault *fault)
{
	bool found;

	if (!iommu_supported())
		return KCORE_E_NOT_SUPPORTED;
	/* mem_lock guards the SMMU's queues as it does its stream table: one consumer at a time. */
	struct mem_locked locked = mem_lock();
	found = arch_smmu_fault_pop(fault);
	mem_unlock(locked);
	return found ? KCORE_OK : KCORE_E_NOENT;
}

/* ---- views ---- */

const struct io_domain *iommu_domain(u32 id)
{
	return id < KCORE_MAX_IO_DOMAINS ? &domains[id] : NULL;
}

u32 iommu_stream_domain(u32 sid)
{
	return sid < KCORE_MAX_STREAMS ? stream_domain[sid] : IO_DOMAIN_NONE;
}

const struct pt_pool *iommu_pool(void)
{
	return io_pool;
}

bool kcore_io_domain_root(u32 id, paddr_t *root)
{
	if (id >= KCORE_MAX_IO_DOMAINS || domains[id].state != IO_DOMAIN_LIVE)
		return false;
	*root = domains[id].pt.root;
	return true;
}
