/* SPDX-License-Identifier: MIT */
#include "record.h"

#include <stddef.h>

#include "core/arch.h"
#include "core/lib/mem.h"
#include "core/lib/seal.h"
#include "core/mem/host_page.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"

/*
 * One page per VM slot: a page being sealed must never sit in clear in host
 * memory, so it is encrypted here first. Taken only under that VM's lock.
 */
static u8 scratch[KCORE_MAX_VMS + 1][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct vm_locked snap_lock_vm(u64 vmid, enum snap_phase phase, int *err)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;

	if (vm == NULL) {
		*err = KCORE_E_INVAL;
		return (struct vm_locked){NULL};
	}
	locked = vm_lock(vm);
	if (vm->snap.phase != phase) {
		vm_unlock(&locked);
		*err = KCORE_E_STATE;
	}
	return locked;
}

struct vm_locked snap_lock_for_begin(u64 vmid, u64 record_pa, int *err)
{
	struct vm_locked locked;

	if (!seal_available()) {
		*err = KCORE_E_NOT_SUPPORTED;
		return (struct vm_locked){NULL};
	}
	if (vm_from_id(vmid) == NULL) {
		*err = KCORE_E_INVAL;
		return (struct vm_locked){NULL};
	}
	*err = snap_check_record_pa(record_pa);
	if (*err != KCORE_OK)
		return (struct vm_locked){NULL};
	locked = snap_lock_vm(vmid, SNAP_NONE, err);
	if (locked.vm != NULL && locked.vm->state != VM_VERIFIED) {
		vm_unlock(&locked);
		*err = KCORE_E_STATE;
	}
	return locked;
}

u8 *snap_scratch(struct vm_locked locked)
{
	const struct vm *vm = locked.vm;

	return scratch[vm->vmid];
}

void snap_scratch_wipe(void)
{
	seal_wipe(scratch, sizeof(scratch));
	arch_clean_to_poc(scratch, sizeof(scratch));
}

void snap_record_init(struct kcore_snap_record *r, const struct vm *vm, u32 kind, u64 index,
		      u64 ipa)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->magic, KCORE_SNAP_MAGIC, sizeof(r->magic));
	r->kind = kind;
	r->format = arch_vcpu_state_format();
	r->index = index;
	r->ipa = ipa;
	memcpy(r->snapshot_id, vm->snap.id, sizeof(r->snapshot_id));
	memcpy(r->measurement, vm->measurement, sizeof(r->measurement));
}

/* Unique per record of a snapshot: kcore writes each (kind, index) once per snapshot key. */
static void record_nonce(const struct kcore_snap_record *r, u8 nonce[SEAL_NONCE_SIZE])
{
	for (u32 i = 0; i < 4; i++)
		nonce[i] = (u8)(r->kind >> (8 * i));
	for (u32 i = 0; i < 8; i++)
		nonce[4 + i] = (u8)(r->index >> (8 * i));
}

void snap_seal(const struct vm *vm, struct kcore_snap_record *r, void *data, size_t len)
{
	u8 nonce[SEAL_NONCE_SIZE];

	record_nonce(r, nonce);
	seal_encrypt(vm->snap.key, nonce, data, len, r, offsetof(struct kcore_snap_record, tag),
		     r->tag);
}

static bool record_well_formed(const struct kcore_snap_record *r, u32 kind)
{
	u8 any = 0;

	for (size_t i = 0; i < sizeof(r->reserved); i++)
		any |= r->reserved[i];
	return memcmp(r->magic, KCORE_SNAP_MAGIC, sizeof(r->magic)) == 0 && r->kind == kind &&
	       r->format == arch_vcpu_state_format() && any == 0;
}

bool snap_open(const struct vm *vm, const struct kcore_snap_record *r, u32 kind, void *data,
	       size_t len)
{
	u8 nonce[SEAL_NONCE_SIZE];

	if (!record_well_formed(r, kind))
		return false;
	/*
	 * Another VM's or another snapshot's record fails here already; the tag
	 * would refuse it anyway, since both are in the associated data.
	 */
	if (memcmp(r->snapshot_id, vm->snap.id, sizeof(r->snapshot_id)) != 0 ||
	    memcmp(r->measurement, vm->measurement, sizeof(r->measurement)) != 0)
		return false;
	record_nonce(r, nonce);
	return seal_decrypt(vm->snap.key, nonce, data, len, r,
			    offsetof(struct kcore_snap_record, tag), r->tag);
}

static bool is_ram_below_48(u64 pa)
{
	return pa < (1ull << 48) && pgowner_is_ram(pa_init(pa));
}

int snap_check_record_pa(u64 pa)
{
	if (!is_aligned(pa, KCORE_SNAP_RECORD_SIZE) || !is_ram_below_48(pa))
		return KCORE_E_INVAL;
	return KCORE_OK;
}

int snap_check_data_pa(u64 data_pa, u64 record_pa)
{
	if (!is_aligned(data_pa, PAGE_SIZE) || !is_ram_below_48(data_pa))
		return KCORE_E_INVAL;
	/* kcore writes both: the record must not land inside the data it describes. */
	if ((record_pa & ~(PAGE_SIZE - 1)) == data_pa)
		return KCORE_E_INVAL;
	return KCORE_OK;
}

/*
 * The callers checked their addresses are RAM (snap_check_*_pa), so a page
 * that is not the host's is KCORE_E_PERM here, whatever host_page_check says.
 */
static int host_or_perm(int err)
{
	return err == KCORE_OK ? KCORE_OK : KCORE_E_PERM;
}

bool snap_host_page(u64 pa)
{
	struct mem_locked locked = mem_lock();
	int err = host_page_check(locked, pa_init(pa));

	mem_unlock(locked);
	return err == KCORE_OK;
}

int snap_write_host(u64 data_pa, const void *data, u64 record_pa,
		    const struct kcore_snap_record *rec)
{
	struct mem_locked locked = mem_lock();
	int err;

	/*
	 * Both pages checked before either is written, under mem_lock: the host
	 * cannot hand one to a VM while kcore writes it.
	 */
	err = host_page_check(locked, pa_init(record_pa));
	if (err == KCORE_OK && data != NULL)
		err = host_page_check(locked, pa_init(data_pa));
	if (err == KCORE_OK && data != NULL)
		err = host_page_write(locked, pa_init(data_pa), data, PAGE_SIZE);
	if (err == KCORE_OK)
		err = host_page_write(locked, pa_init(record_pa), rec, sizeof(*rec));
	mem_unlock(locked);
	return host_or_perm(err);
}

int snap_read_host(u64 pa, void *dst, size_t len)
{
	struct mem_locked locked = mem_lock();
	/* One copy: what kcore checks is what it uses, whatever the host writes meanwhile. */
	int err = host_page_read(locked, pa_init(pa), dst, len);

	mem_unlock(locked);
	return host_or_perm(err);
}

struct page_count {
	u64 pages;
	u64 shared;
};

static bool count_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct page_count *c = ctx;

	if (!pgowner_is_ram(leaf->pa))
		return true;
	for (u64 off = 0; off < leaf->size; off += PAGE_SIZE) {
		c->pages++;
		if (pgowner_get(pa_add(leaf->pa, off))->count != 0)
			c->shared++;
	}
	return true;
}

void snap_count_vm_pages(const struct vm *vm, u64 *nr_pages, u64 *nr_shared)
{
	struct page_count c = {0, 0};
	struct mem_locked locked = mem_lock();

	pgt_for_each_leaf(&vm->s2, 0, 1ull << vm->s2.ia_bits, count_leaf, &c);
	mem_unlock(locked);
	*nr_pages = c.pages;
	*nr_shared = c.shared;
}

u64 snap_vcpu_mask(const struct vm *vm)
{
	u64 mask = 0;

	for (u32 i = 0; i < vm_max_vcpus(); i++) {
		if (vm->vcpus[i].state != VCPU_UNUSED)
			mask |= 1ull << i;
	}
	return mask;
}
