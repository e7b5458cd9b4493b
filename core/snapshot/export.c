/* SPDX-License-Identifier: MIT */
/*
 * Taking a snapshot: the VM is paused from SNAPSHOT_BEGIN to SNAPSHOT_END
 * (vcpu_activate refuses it), so what is sealed is one consistent state.
 * Each call checks everything, seals into kcore's scratch, and only then
 * writes to the host's pages; a refused call changes nothing.
 */
#include "core/arch.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/lib/seal.h"
#include "core/mem/mem.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "record.h"
#include "snapshot.h"

static void close_snapshot(struct vm *vm)
{
	seal_wipe(vm->snap.key, sizeof(vm->snap.key));
	vm->snap.phase = SNAP_NONE;
}

int snapshot_begin(u64 vmid, u64 record_pa)
{
	struct kcore_snap_record rec;
	u64 nr_pages, nr_shared;
	u8 id[KCORE_SNAP_ID_SIZE];
	struct vm_snap prev;
	struct vm_locked locked;
	struct vm *vm;
	int err;

	locked = snap_lock_for_begin(vmid, record_pa, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	/*
	 * The MMIO guard's table is not in the format: a copy restored without
	 * it would forward what the guest was promised never goes to the host.
	 */
	if (vm->mmio_guard.enrolled != 0) {
		err = KCORE_E_STATE;
		goto out;
	}
	snap_count_vm_pages(vm, &nr_pages, &nr_shared);
	if (vm_any_vcpu_active(locked) || nr_shared != 0) {
		err = KCORE_E_BUSY;
		goto out;
	}
	if (!arch_random_bytes(id, sizeof(id))) {
		err = KCORE_E_NOT_SUPPORTED;
		goto out;
	}
	/*
	 * The header is sealed with the new id and key in place; only writing it
	 * can still fail (the page may have left the host since the call began),
	 * and then the VM's snapshot state is put back as it was.
	 */
	prev = vm->snap;
	memcpy(vm->snap.id, id, sizeof(id));
	seal_derive_snapshot_key(id, vm->measurement, vm->snap.key);
	snap_record_init(&rec, vm, KCORE_SNAP_HEADER, 0, 0);
	rec.vcpu_mask = snap_vcpu_mask(vm);
	snap_seal(vm, &rec, NULL, 0);
	err = snap_write_host(0, NULL, record_pa, &rec);
	if (err != KCORE_OK) {
		seal_wipe(vm->snap.key, sizeof(vm->snap.key));
		vm->snap = prev;
		goto out;
	}
	vm->snap.phase = SNAP_EXPORTING;
	vm->snap.nr_pages = 0;
	vm->snap.last_ipa = 0;
	vm->snap.vcpus_done = 0;
	vm->snap.vcpu_mask = rec.vcpu_mask;
out:
	vm_unlock(&locked);
	return err;
}

/* Seals data (in scratch: never in clear in the host's page) and writes it with its record. */
static int write_sealed(struct vm *vm, struct kcore_snap_record *rec, u8 *data, size_t len,
			u64 data_pa, u64 record_pa)
{
	snap_seal(vm, rec, data, len);
	return snap_write_host(data_pa, data, record_pa, rec);
}

int snapshot_page(u64 vmid, u64 ipa, u64 data_pa, u64 record_pa)
{
	struct kcore_snap_record rec;
	struct vm_locked locked;
	struct vm *vm;
	paddr_t page;
	u8 *buf;
	int err;

	if (!is_aligned(ipa, PAGE_SIZE) || ipa >= (1ull << vm_ipa_bits()))
		return KCORE_E_INVAL;
	err = snap_check_record_pa(record_pa);
	if (err == KCORE_OK)
		err = snap_check_data_pa(data_pa, record_pa);
	if (err != KCORE_OK)
		return vm_from_id(vmid) == NULL ? KCORE_E_INVAL : err;
	locked = snap_lock_vm(vmid, SNAP_EXPORTING, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	if (!vm_ram_page(&vm->s2, vm->vmid, ipa, &page)) {
		err = KCORE_E_NOENT;
	} else if (vm->snap.nr_pages > 0 && ipa <= vm->snap.last_ipa) {
		/* Increasing IPAs: no page twice, so no nonce twice. */
		err = KCORE_E_EXIST;
	} else {
		struct mem_locked mlocked = mem_lock();

		buf = snap_scratch(locked);
		KC_CHECK(pgowner_get(page)->owner == vm->vmid);
		memcpy(buf, arch_pa_to_ptr(page), PAGE_SIZE);
		mem_unlock(mlocked);
		snap_record_init(&rec, vm, KCORE_SNAP_PAGE, vm->snap.nr_pages, ipa);
		err = write_sealed(vm, &rec, buf, PAGE_SIZE, data_pa, record_pa);
		if (err == KCORE_OK) {
			vm->snap.nr_pages++;
			vm->snap.last_ipa = ipa;
		}
	}
	vm_unlock(&locked);
	return err;
}

static void vcpu_state_save(const struct vcpu *vcpu, struct snap_vcpu_state *s)
{
	memset(s, 0, sizeof(*s));
	s->entry_pc = vcpu->entry_pc;
	s->entry_x0 = vcpu->entry_x0;
	s->flags = (vcpu->entry_set ? SNAP_VCPU_ENTRY_SET : 0) |
		   (vcpu->has_run ? SNAP_VCPU_HAS_RUN : 0) |
		   (vcpu->mmio.write ? SNAP_VCPU_MMIO_WRITE : 0) |
		   (vcpu->mmio.sign_extend ? SNAP_VCPU_MMIO_SIGN_EXTEND : 0) |
		   (vcpu->mmio.reg64 ? SNAP_VCPU_MMIO_REG64 : 0) |
		   ((u64)vcpu->mmio.gic_read << SNAP_VCPU_GIC_READ_SHIFT);
	s->ppi_enabled = vcpu->ppi_enabled;
	s->pending = vcpu->pending;
	s->mmio_rt = vcpu->mmio.rt;
	s->mmio_size = vcpu->mmio.size;
	s->regs = vcpu->regs;
	memcpy(s->arch, &vcpu->arch, sizeof(vcpu->arch)); /* the rest stays zero */
	for (u32 w = 0; w < VIRQ_WORDS; w++)
		s->virq_pending[w] = __atomic_load_n(&vcpu->virq_pending[w], __ATOMIC_RELAXED);
}

int snapshot_vcpu(u64 vmid, u64 vcpuid, u64 data_pa, u64 record_pa)
{
	struct kcore_snap_record rec;
	const struct vcpu *vcpu;
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;
	u8 *buf;
	int err;

	if (vm == NULL || vcpu_from_id(vm, vcpuid) == NULL)
		return KCORE_E_INVAL;
	err = snap_check_record_pa(record_pa);
	if (err == KCORE_OK)
		err = snap_check_data_pa(data_pa, record_pa);
	if (err != KCORE_OK)
		return err;
	locked = snap_lock_vm(vmid, SNAP_EXPORTING, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	vcpu = vcpu_from_id(vm, vcpuid);
	if (vcpu->state == VCPU_UNUSED) {
		err = KCORE_E_STATE;
	} else if (vm->snap.vcpus_done & (1ull << vcpuid)) {
		/* Once per snapshot: its nonce is its id. */
		err = KCORE_E_EXIST;
	} else {
		buf = snap_scratch(locked);
		memset(buf, 0, PAGE_SIZE);
		/* Paused: no vCPU of the VM runs, so its registers are all in memory. */
		vcpu_state_save(vcpu, (struct snap_vcpu_state *)buf);
		snap_record_init(&rec, vm, KCORE_SNAP_VCPU, vcpuid, 0);
		err = write_sealed(vm, &rec, buf, KCORE_SNAP_VCPU_BYTES, data_pa, record_pa);
		if (err == KCORE_OK)
			vm->snap.vcpus_done |= 1ull << vcpuid;
	}
	vm_unlock(&locked);
	return err;
}

int snapshot_end(u64 vmid, u64 record_pa)
{
	struct kcore_snap_record rec;
	u64 nr_pages, nr_shared;
	struct vm_locked locked;
	struct vm *vm;
	int err;

	err = snap_check_record_pa(record_pa);
	if (err != KCORE_OK)
		return err;
	locked = snap_lock_vm(vmid, SNAP_EXPORTING, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	/*
	 * Every page the VM has, each written once in increasing order: equal
	 * counts mean the same set (the host cannot take a VM page meanwhile).
	 */
	snap_count_vm_pages(vm, &nr_pages, &nr_shared);
	if (nr_pages != vm->snap.nr_pages || vm->snap.vcpus_done != vm->snap.vcpu_mask) {
		err = KCORE_E_STATE;
	} else {
		snap_record_init(&rec, vm, KCORE_SNAP_TRAILER, 0, 0);
		rec.nr_pages = vm->snap.nr_pages;
		rec.vcpu_mask = vm->snap.vcpu_mask;
		snap_seal(vm, &rec, NULL, 0);
		err = snap_write_host(0, NULL, record_pa, &rec);
		if (err == KCORE_OK)
			close_snapshot(vm);
	}
	vm_unlock(&locked);
	return err;
}

int snapshot_cancel(u64 vmid)
{
	struct vm_locked locked;
	struct vm *vm;
	int err;

	locked = snap_lock_vm(vmid, SNAP_EXPORTING, &err);
	vm = locked.vm;
	if (vm == NULL)
		return err;
	close_snapshot(vm);
	vm_unlock(&locked);
	return KCORE_OK;
}
