/* SPDX-License-Identifier: MIT */
/*
 * Boot of the portable core: checks the machine description the arch found,
 * lays out kcore's carve-out (ownership table, pool bookkeeping, window log,
 * then the page-table pools: kcore's, the host's, one per VM slot, and the IO
 * domains'), and sets every module up. Everything is checked
 * before anything is written, so bad parameters leave no half-built kcore.
 */
#include "kcore.h"

#include <kcore/abi.h>

#include "arch.h"
#include "boot/verify.h"
#include "lib/log.h"
#include "lib/seal.h"
#include "mem/host_s2.h"
#include "mem/mem.h"
#include "memops/platform.h"
#include "mm/kmap.h"
#include "mm/mem_lock.h"
#include "mm/pgowner.h"
#include "mm/pool.h"
#include "smmu/iommu.h"
#include "vm/vm.h"

static struct pt_pool host_pt_pool;
static struct pt_pool kcore_pt_pool;
static struct pt_pool io_pt_pool;
static struct kcore_boot_params params;
static u32 ipa_bits;
static struct kcore_mem_range owner_table;

static u64 page_round(u64 bytes)
{
	return (bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* Where each part of the carve-out goes, as offsets from its base. */
struct carve_layout {
	u64 pgowner_off;
	u64 meta_off; /* free stacks of every pool, then the window log */
	u64 log_off;
	u64 kcore_pool_off;
	u64 host_pool_off;
	u64 vm_pools_off;
	u64 io_pool_off;
	u64 total;
};

static void layout_carve(const struct kcore_boot_params *p, struct carve_layout *l)
{
	u64 meta = pool_meta_bytes(p->host_pool_pages) + pool_meta_bytes(p->kcore_pool_pages) +
		   (u64)p->max_vms * pool_meta_bytes(p->vm_pool_pages) +
		   pool_meta_bytes(p->io_pool_pages);

	l->pgowner_off = 0;
	l->meta_off = page_round(pgowner_table_bytes(p->ram, p->nr_ram));
	/* The pools' free stacks are u32s; the window log after them holds u64s. */
	meta = (meta + sizeof(u64) - 1) & ~(u64)(sizeof(u64) - 1);
	l->log_off = l->meta_off + meta;
	l->kcore_pool_off = l->meta_off + page_round(meta + kmap_log_bytes(p->window_pages));
	l->host_pool_off = l->kcore_pool_off + (u64)p->kcore_pool_pages * PAGE_SIZE;
	l->vm_pools_off = l->host_pool_off + (u64)p->host_pool_pages * PAGE_SIZE;
	l->io_pool_off = l->vm_pools_off + (u64)p->max_vms * p->vm_pool_pages * PAGE_SIZE;
	l->total = l->io_pool_off + (u64)p->io_pool_pages * PAGE_SIZE;
}

static bool range_ok(const struct kcore_mem_range *r)
{
	return is_aligned(pa_addr(r->base), PAGE_SIZE) && is_aligned(r->size, PAGE_SIZE) &&
	       pa_addr(r->base) + r->size >= pa_addr(r->base);
}

static bool ranges_overlap(const struct kcore_mem_range *a, const struct kcore_mem_range *b)
{
	return pa_addr(a->base) < pa_addr(b->base) + b->size &&
	       pa_addr(b->base) < pa_addr(a->base) + a->size;
}

static bool inside_one_bank(const struct kcore_boot_params *p, const struct kcore_mem_range *r)
{
	for (u32 i = 0; i < p->nr_ram; i++) {
		if (pa_addr(r->base) >= pa_addr(p->ram[i].base) &&
		    pa_addr(r->base) + r->size <= pa_addr(p->ram[i].base) + p->ram[i].size)
			return true;
	}
	return false;
}

static bool params_ok(const struct kcore_boot_params *p)
{
	struct carve_layout l;

	if (p->nr_ram < 1 || p->nr_ram > KCORE_MAX_RAM_BANKS || p->ipa_bits < 40 ||
	    p->ipa_bits > 48 || p->max_vms < 1 || p->max_vms > KCORE_MAX_VMS || p->max_vcpus < 1 ||
	    p->max_vcpus > KCORE_MAX_VCPUS)
		return false;
	/* A stage-2 needs a root plus three tables before its first 4 KiB mapping. */
	if (p->host_pool_pages < PT_LEVELS || p->kcore_pool_pages < PT_LEVELS ||
	    p->vm_pool_pages < PT_LEVELS || p->io_pool_pages > KCORE_MAX_IO_POOL_PAGES)
		return false;
	/* A sealing secret shorter than a key would make every snapshot key guessable. */
	if (p->seal_secret_len != 0 &&
	    (p->seal_secret == NULL || p->seal_secret_len < 16 || p->seal_secret_len > 64))
		return false;
	if (!is_aligned(va_addr(p->window_base), PAGE_SIZE) || p->window_pages == 0 ||
	    va_addr(p->window_base) >= (1ull << 48) ||
	    p->window_pages > ((1ull << 48) - va_addr(p->window_base)) >> PAGE_SHIFT)
		return false;
	for (u32 i = 0; i < p->nr_ram; i++) {
		if (!range_ok(&p->ram[i]) || p->ram[i].size == 0 ||
		    pa_addr(p->ram[i].base) + p->ram[i].size > (1ull << p->ipa_bits))
			return false;
		for (u32 j = 0; j < i; j++) {
			if (ranges_overlap(&p->ram[i], &p->ram[j]))
				return false;
		}
	}
	if (!platform_table_ok(p->devices, p->nr_devices, p->ram, p->nr_ram))
		return false;
	layout_carve(p, &l);
	if (!range_ok(&p->carve) || !range_ok(&p->kcore_image) || p->carve.size < l.total ||
	    !inside_one_bank(p, &p->carve) ||
	    (p->kcore_image.size > 0 &&
	     (!inside_one_bank(p, &p->kcore_image) || ranges_overlap(&p->carve, &p->kcore_image))))
		return false;
	return true;
}

u64 kcore_carve_size(const struct kcore_boot_params *p)
{
	struct carve_layout l;

	layout_carve(p, &l);
	return l.total;
}

static void *carve_ptr(u64 off)
{
	return arch_pa_to_ptr(pa_add(params.carve.base, off));
}

int kcore_init(const struct kcore_boot_params *p)
{
	struct carve_layout l;
	u32 *stacks;
	int err;

	owner_table = (struct kcore_mem_range){pa_init(0), 0};
	if (!params_ok(p))
		return KCORE_E_INVAL;
	err = verify_set_trusted_keys(p->keys, p->nr_keys);
	if (err != KCORE_OK)
		return err;

	params = *p;
	/* kcore keeps the derived key, not a pointer to the secret. */
	params.seal_secret = NULL;
	params.seal_secret_len = 0;
	seal_init(p->seal_secret, p->seal_secret_len);
	ipa_bits = p->ipa_bits;
	layout_carve(p, &l);

	pgowner_init(carve_ptr(l.pgowner_off), p->ram, p->nr_ram);
	struct mem_locked table_locked = mem_lock();

	mem_owners_init(table_locked, (const struct kcore_mem_range[]){p->carve, p->kcore_image},
			2);
	mem_unlock(table_locked);

	stacks = carve_ptr(l.meta_off);
	pool_init(&kcore_pt_pool, pa_add(p->carve.base, l.kcore_pool_off), p->kcore_pool_pages,
		  stacks);
	stacks += p->kcore_pool_pages;
	pool_init(&host_pt_pool, pa_add(p->carve.base, l.host_pool_off), p->host_pool_pages,
		  stacks);
	stacks += p->host_pool_pages;
	vm_registry_init(p->max_vms, p->max_vcpus, p->ipa_bits);
	for (u32 i = 0; i < p->max_vms; i++) {
		pool_init(
		    vm_slot_pool(i + 1),
		    pa_add(p->carve.base, l.vm_pools_off + (u64)i * p->vm_pool_pages * PAGE_SIZE),
		    p->vm_pool_pages, stacks);
		stacks += p->vm_pool_pages;
	}
	pool_init(&io_pt_pool, pa_add(p->carve.base, l.io_pool_off), p->io_pool_pages, stacks);
	iommu_init(&io_pt_pool, p->ipa_bits);

	struct mem_locked locked = mem_lock();
	/* Pools hold at least PT_LEVELS pages (checked above): the roots always fit. */
	err = kmap_init(&kcore_pt_pool, p->window_base, p->window_pages, carve_ptr(l.log_off));
	KC_CHECK(err == KCORE_OK);
	platform_init(p->devices, p->nr_devices);
	err = host_s2_init(&host_pt_pool, p->ipa_bits);
	KC_CHECK(err == KCORE_OK);
	mem_unlock(locked);
	owner_table = (struct kcore_mem_range){pa_add(p->carve.base, l.pgowner_off),
					       pgowner_table_bytes(p->ram, p->nr_ram)};
	kc_log("core up: %lu RAM pages, %u VMs x %u vCPUs, %u trusted keys", pgowner_nr_pages(),
	       p->max_vms, p->max_vcpus, p->nr_keys);
	return KCORE_OK;
}

/*
 * Read without vm->lock, on purpose: its callers are the hardware's view
 * (the simulated MMU walking on behalf of a CPU; on aarch64 only the
 * host's, VMID 0, at boot). A VM's root is set when the slot is registered
 * and torn down only by VM_FREE, which needs every vCPU of it stopped, so
 * a vCPU that runs always sees its VM's one root; a walk that loses a race
 * with VM_FREE sees a VM with no stage-2, as hardware would after it.
 */
bool kcore_s2_root(u32 vmid, paddr_t *root)
{
	const struct vm *vm;

	if (vmid == KCORE_HOST_VMID) {
		*root = host_s2_table()->root;
		return true;
	}
	vm = vm_from_id(vmid);
	if (vm == NULL || __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_UNUSED)
		return false;
	*root = vm->s2.root;
	return true;
}

paddr_t kcore_s1_root(void)
{
	return kmap_table()->root;
}

u32 kcore_ipa_bits(void)
{
	return ipa_bits;
}

struct kcore_mem_range kcore_owner_table(void)
{
	return owner_table;
}

const struct kcore_boot_params *kcore_params(void)
{
	return &params;
}

int kcore_host_dma_mirror(u32 *domain)
{
	return iommu_host_mirror(domain);
}
