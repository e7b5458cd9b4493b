/* SPDX-License-Identifier: MIT */
/*
 * Restoring a snapshot into a new VM that has not run. The VM is paused
 * from RESTORE_BEGIN until RESTORE_END accepted the trailer. A call with a
 * malformed argument, on a VM not restoring, or with pages that are not the
 * host's changes nothing; any other failure (a record that does not
 * authenticate or is not the one expected, a page the VM lacks) ends the
 * restore and powers the VM off, so a half-restored VM can never run.
 */
#include "core/arch.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/lib/seal.h"
#include "core/mem/host_page.h"
#include "core/mem/mem.h"
#include "core/memops/teardown.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "record.h"
#include "snapshot.h"

/* The restore failed: the VM never runs (its pages are cleared at teardown). */
static int fail_restore(struct vm_locked locked, int err)
{
	kc_log("vm %u: snapshot restore refused (%d); the vm will never run", locked.vm->vmid, err);
	vm_poweroff(locked);
	return err;
}

static bool any_vcpu_ran(const struct vm *vm)
{
	for (u32 i = 0; i < vm_max_vcpus(); i++) {
		if (vm->vcpus[i].has_run || vm->vcpus[i].state == VCPU_ACTIVE)
			return true;
	}
	return false;
}

int restore_begin(u64 vmid, u64 record_pa)
{
	struct kcore_snap_record rec;
	struct vm_locked locked;
	struct vm *vm;
	int err;

	locked = snap_lock_for_begin(vmid, record_pa, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	if (vm->snap.restored || vm->started || any_vcpu_ran(vm)) {
		err = KCORE_E_STATE;
		goto out;
	}
	err = snap_read_host(record_pa, &rec, sizeof(rec));
	if (err != KCORE_OK)
		goto out;
	/* The key follows from the header's id and this VM's measurement. */
	memcpy(vm->snap.id, rec.snapshot_id, sizeof(vm->snap.id));
	seal_derive_snapshot_key(vm->snap.id, vm->measurement, vm->snap.key);
	vm->snap.phase = SNAP_RESTORING;
	if (!snap_open(vm, &rec, KCORE_SNAP_HEADER, NULL, 0) || rec.index != 0 || rec.ipa != 0 ||
	    rec.nr_pages != 0 || rec.vcpu_mask != snap_vcpu_mask(vm)) {
		/* Not this VM's snapshot, or not one of kcore's at all. */
		err = fail_restore(locked, KCORE_E_AUTH);
		goto out;
	}
	vm->snap.nr_pages = 0;
	vm->snap.vcpus_done = 0;
	vm->snap.vcpu_mask = rec.vcpu_mask;
out:
	vm_unlock(&locked);
	return err;
}

/*
 * RESTORE_PAGE and RESTORE_VCPU: the arguments checked, then the VM locked
 * if a restore is open; else .vm NULL and *err, and nothing changed.
 */
static struct vm_locked lock_for_blob(u64 vmid, u64 data_pa, u64 record_pa, int *err)
{
	*err = snap_check_record_pa(record_pa);
	if (*err == KCORE_OK)
		*err = snap_check_data_pa(data_pa, record_pa);
	if (*err != KCORE_OK)
		return (struct vm_locked){NULL};
	return snap_lock_vm(vmid, SNAP_RESTORING, err);
}

int restore_page(u64 vmid, u64 data_pa, u64 record_pa)
{
	struct kcore_snap_record rec;
	struct vm_locked locked;
	struct vm *vm;
	paddr_t page;
	u8 *dst;
	int err;

	locked = lock_for_blob(vmid, data_pa, record_pa, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	err = snap_read_host(record_pa, &rec, sizeof(rec));
	if (err == KCORE_OK && !snap_host_page(data_pa))
		err = KCORE_E_PERM;
	/* Pages that are not the host's change nothing, whatever the record says. */
	if (err != KCORE_OK)
		goto out;
	/* The record is not trusted yet: its IPA only picks the page its tag must cover. */
	if (!is_aligned(rec.ipa, PAGE_SIZE) || rec.ipa >= (1ull << vm_ipa_bits()) ||
	    rec.index != vm->snap.nr_pages) {
		err = fail_restore(locked, KCORE_E_AUTH);
		goto out;
	}
	if (!vm_ram_page(&vm->s2, vm->vmid, rec.ipa, &page)) {
		err = fail_restore(locked, KCORE_E_NOENT);
		goto out;
	}
	dst = arch_pa_to_ptr(page);
	{
		struct mem_locked mlocked = mem_lock();

		/*
		 * No device may see the plaintext: only a page the VM shares can be in an
		 * IO domain, and a VM that has never run has shared none.
		 */
		KC_CHECK(pgowner_get(page)->owner == vm->vmid && pgowner_get(page)->count == 0 &&
			 pgowner_get(page)->dma_count == 0);
		/* Copied into the VM's page first: the host cannot change what is decrypted. */
		if (host_page_read(mlocked, pa_init(data_pa), dst, PAGE_SIZE) != KCORE_OK)
			err = KCORE_E_PERM;
		mem_unlock(mlocked);
	}
	if (err != KCORE_OK)
		goto out;
	/* The VM has never run and cannot until RESTORE_END: no one sees the page meanwhile. */
	if (!snap_open(vm, &rec, KCORE_SNAP_PAGE, dst, PAGE_SIZE)) {
		memset(dst, 0, PAGE_SIZE);
		arch_clean_dcache_range(page, PAGE_SIZE);
		err = fail_restore(locked, KCORE_E_AUTH);
		goto out;
	}
	/* The plaintext to memory: the VM may read it with its caches off. */
	arch_clean_dcache_range(page, PAGE_SIZE);
	vm->snap.nr_pages++;
out:
	vm_unlock(&locked);
	return err;
}

static void vcpu_state_load(struct vcpu *vcpu, const struct snap_vcpu_state *s)
{
	vcpu->entry_pc = s->entry_pc;
	vcpu->entry_x0 = s->entry_x0;
	vcpu->entry_set = (s->flags & SNAP_VCPU_ENTRY_SET) != 0;
	vcpu->has_run = (s->flags & SNAP_VCPU_HAS_RUN) != 0;
	vcpu->pending = (enum vcpu_pending)s->pending;
	vcpu->mmio.rt = (u32)s->mmio_rt;
	vcpu->mmio.size = (u32)s->mmio_size;
	vcpu->mmio.write = (s->flags & SNAP_VCPU_MMIO_WRITE) != 0;
	vcpu->mmio.sign_extend = (s->flags & SNAP_VCPU_MMIO_SIGN_EXTEND) != 0;
	vcpu->mmio.reg64 = (s->flags & SNAP_VCPU_MMIO_REG64) != 0;
	vcpu->mmio.gic_read = (u8)(s->flags >> SNAP_VCPU_GIC_READ_SHIFT);
	vcpu->ppi_enabled = (u32)s->ppi_enabled;
	vcpu->regs = s->regs;
	memcpy(&vcpu->arch, s->arch, sizeof(vcpu->arch));
	vcpu->virq_words = 0;
	for (u32 w = 0; w < VIRQ_WORDS; w++) {
		vcpu->virq_pending[w] = s->virq_pending[w];
		if (s->virq_pending[w] != 0)
			vcpu->virq_words |= 1ull << w;
	}
}

/*
 * An authentic blob was written by kcore, so its fields are ones kcore
 * produces; checked anyway, since a bad value here would be kcore's bug
 * showing up in a guest.
 */
static bool vcpu_state_sane(const struct snap_vcpu_state *s)
{
	return s->pending <= PENDING_CALL && s->mmio_rt <= 31 && s->mmio_size <= 8;
}

int restore_vcpu(u64 vmid, u64 data_pa, u64 record_pa)
{
	struct kcore_snap_record rec;
	struct snap_vcpu_state *state;
	struct vm_locked locked;
	struct vm *vm;
	u8 *buf;
	int err;

	locked = lock_for_blob(vmid, data_pa, record_pa, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	buf = snap_scratch(locked);
	err = snap_read_host(record_pa, &rec, sizeof(rec));
	if (err == KCORE_OK)
		err = snap_read_host(data_pa, buf, KCORE_SNAP_VCPU_BYTES);
	if (err != KCORE_OK)
		goto out;
	if (rec.index >= vm_max_vcpus() || (vm->snap.vcpu_mask & (1ull << rec.index)) == 0 ||
	    (vm->snap.vcpus_done & (1ull << rec.index)) != 0 || rec.ipa != 0 || rec.nr_pages != 0 ||
	    rec.vcpu_mask != 0) {
		/* Not a vCPU of the header, or one already restored: a replay. */
		err = fail_restore(locked, KCORE_E_AUTH);
		goto out;
	}
	state = (struct snap_vcpu_state *)buf;
	if (!snap_open(vm, &rec, KCORE_SNAP_VCPU, buf, KCORE_SNAP_VCPU_BYTES) ||
	    !vcpu_state_sane(state)) {
		err = fail_restore(locked, KCORE_E_AUTH);
	} else {
		vcpu_state_load(&vm->vcpus[rec.index], state);
		vm->snap.vcpus_done |= 1ull << rec.index;
	}
out:
	seal_wipe(buf, KCORE_SNAP_VCPU_BYTES);
	vm_unlock(&locked);
	return err;
}

int restore_end(u64 vmid, u64 record_pa)
{
	struct kcore_snap_record rec;
	struct vm_locked locked;
	struct vm *vm;
	int err = snap_check_record_pa(record_pa);

	if (vm_from_id(vmid) == NULL)
		return KCORE_E_INVAL;
	if (err != KCORE_OK)
		return err;
	locked = snap_lock_vm(vmid, SNAP_RESTORING, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	err = snap_read_host(record_pa, &rec, sizeof(rec));
	if (err != KCORE_OK)
		goto out;
	/* The trailer says how many pages there were: none may be missing. */
	if (!snap_open(vm, &rec, KCORE_SNAP_TRAILER, NULL, 0) || rec.index != 0 || rec.ipa != 0 ||
	    rec.nr_pages != vm->snap.nr_pages || rec.vcpu_mask != vm->snap.vcpu_mask ||
	    vm->snap.vcpus_done != vm->snap.vcpu_mask) {
		err = fail_restore(locked, KCORE_E_AUTH);
		goto out;
	}
	seal_wipe(vm->snap.key, sizeof(vm->snap.key));
	/* Each page was cleaned when restored; before the VM runs, no stale instruction. */
	arch_sync_icache();
	vm->snap.phase = SNAP_NONE;
	vm->snap.restored = true;
out:
	vm_unlock(&locked);
	return err;
}
