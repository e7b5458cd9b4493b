/* SPDX-License-Identifier: MIT */
#include "vm.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/lib/seal.h"

static spinlock_t registry_lock = SPINLOCK_INIT(LOCK_RANK_VM_REGISTRY, 0); /* vm_registry_lock() */
static struct vm vms[KCORE_MAX_VMS + 1]; /* index 0 is the host's VMID: unused */
static u32 max_vms;
static u32 max_vcpus;
static u32 ipa_bits;

void vm_registry_init(u32 nr_vms, u32 nr_vcpus, u32 bits)
{
	KC_CHECK(nr_vms >= 1 && nr_vms <= KCORE_MAX_VMS);
	KC_CHECK(nr_vcpus >= 1 && nr_vcpus <= KCORE_MAX_VCPUS);
	max_vms = nr_vms;
	max_vcpus = nr_vcpus;
	ipa_bits = bits;
	spin_lock_init(&registry_lock, LOCK_RANK_VM_REGISTRY, 0);
	for (u32 i = 0; i <= KCORE_MAX_VMS; i++) {
		struct pt_pool pool = vms[i].pool;

		vms[i] = (struct vm){.vmid = i, .state = VM_UNUSED, .pool = pool};
		spin_lock_init(&vms[i].lock, LOCK_RANK_VM, i); /* the checker takes them by VMID */
	}
}

void vm_registry_wipe(void)
{
	seal_wipe(vms, sizeof(vms));
	arch_clean_to_poc(vms, sizeof(vms));
}

struct pt_pool *vm_slot_pool(u32 vmid)
{
	KC_CHECK(vmid >= 1 && vmid <= KCORE_MAX_VMS);
	return &vms[vmid].pool;
}

struct vm *vm_from_id(u64 vmid)
{
	if (vmid < 1 || vmid > max_vms)
		return NULL;
	return &vms[vmid];
}

struct vcpu *vcpu_from_id(struct vm *vm, u64 vcpuid)
{
	if (vcpuid >= max_vcpus)
		return NULL;
	return &vm->vcpus[vcpuid];
}

u32 vm_max_vms(void)
{
	return max_vms;
}
u32 vm_max_vcpus(void)
{
	return max_vcpus;
}
u32 vm_ipa_bits(void)
{
	return ipa_bits;
}

bool vm_ipa_in_image(struct vm_locked locked, u64 ipa, u64 size)
{
	const struct vm *vm = locked.vm;

	for (u32 i = 0; i < vm->nr_images; i++) {
		u64 start = ipa_addr(vm->images[i].load_ipa);
		u64 end = start + vm->images[i].nr_pages * PAGE_SIZE;

		if (ipa < end && start < ipa + size)
			return true;
	}
	return false;
}

bool vm_search_load_info(struct vm_locked locked, u64 pc)
{
	const struct vm *vm = locked.vm;

	if (vm->state != VM_VERIFIED)
		return false;
	for (u32 i = 0; i < vm->nr_images; i++) {
		u64 start = ipa_addr(vm->images[i].load_ipa);

		if (pc >= start && pc - start < vm->images[i].payload_size)
			return true;
	}
	return false;
}

bool vm_any_vcpu_active(struct vm_locked locked)
{
	const struct vm *vm = locked.vm;

	for (u32 i = 0; i < max_vcpus; i++) {
		if (vm->vcpus[i].state == VCPU_ACTIVE)
			return true;
	}
	return false;
}

int vm_register(u32 *vmid)
{
	struct vm_locked locked;
	struct vm *vm = NULL;
	int err;

	spin_lock(&registry_lock);
	for (u32 i = 1; i <= max_vms && vm == NULL; i++) {
		if (vms[i].state == VM_UNUSED)
			vm = &vms[i];
	}
	if (vm == NULL) {
		spin_unlock(&registry_lock);
		return KCORE_E_NOMEM;
	}
	locked = vm_lock(vm);
	/* A free slot's pool is whole (vm_free returned every table), so this cannot fail. */
	err = pgt_init(&vm->s2, &vm->pool, PT_STAGE2, ipa_bits, vm->vmid);
	KC_CHECK(err == KCORE_OK);
	vm->state = VM_READY;
	vm->started = false;
	vm->nr_images = 0;
	vm->nr_ram = 0;
	memset(vm->measurement, 0, sizeof(vm->measurement));
	vm->snap = (struct vm_snap){.phase = SNAP_NONE};
	vm_mmio_guard_clear(&vm->mmio_guard); /* a new VM starts unenrolled */
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++)
		vm->vcpus[i] = (struct vcpu){.state = VCPU_UNUSED};
	*vmid = vm->vmid;
	vm_unlock(&locked);
	spin_unlock(&registry_lock);
	return KCORE_OK;
}

int vcpu_register(u64 vmid, u64 vcpuid)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;
	struct vcpu *vcpu;
	int err = KCORE_OK;

	if (vm == NULL)
		return KCORE_E_INVAL;
	vcpu = vcpu_from_id(vm, vcpuid);
	if (vcpu == NULL)
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	/* Both, not either: SeKVM's register_vcpu used || here (brief, defect 5). */
	if (vm->state != VM_READY || vcpu->state != VCPU_UNUSED) {
		err = KCORE_E_STATE;
	} else {
		*vcpu = (struct vcpu){.state = VCPU_READY};
		vcpu_guest_init(vm, vcpu, (u32)vcpuid);
	}
	vm_unlock(&locked);
	return err;
}

static bool any_vcpu_has_run(const struct vm *vm)
{
	for (u32 i = 0; i < max_vcpus; i++) {
		if (vm->vcpus[i].has_run)
			return true;
	}
	return false;
}

/*
 * The host chooses where the boot vCPU (vCPU 0) starts, and only until the
 * VM first runs (vm->started: has_run alone does not say it, as PSCI CPU_OFF
 * clears it; a restored VM has run too); every other vCPU starts only where the guest's own PSCI
 * CPU_ON says (core/run/run.c). Otherwise the host could start a vCPU of its
 * choice, or overwrite the entry of one the guest has just turned on.
 */
int vcpu_set_entry(u64 vmid, u64 vcpuid, u64 pc, u64 x0)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;
	struct vcpu *vcpu;
	int err = KCORE_OK;

	if (vm == NULL)
		return KCORE_E_INVAL;
	vcpu = vcpu_from_id(vm, vcpuid);
	if (vcpu == NULL)
		return KCORE_E_INVAL;
	if (!is_aligned(pc, 4))
		return KCORE_E_INVAL;
	if (vcpuid != VM_BOOT_VCPU)
		return KCORE_E_PERM;
	locked = vm_lock(vm);
	if ((vm->state != VM_READY && vm->state != VM_VERIFIED) || vcpu->state != VCPU_READY ||
	    vm->started || vm->snap.restored || any_vcpu_has_run(vm)) {
		err = KCORE_E_STATE;
	} else {
		vcpu->entry_pc = pc;
		vcpu->entry_x0 = x0;
		vcpu->entry_set = true;
	}
	vm_unlock(&locked);
	return err;
}

bool vm_ipa_is_ram(const struct vm *vm, u64 ipa)
{
	for (u32 i = 0; i < vm->nr_ram; i++) {
		if (ipa >= vm->ram[i].ipa && ipa - vm->ram[i].ipa < vm->ram[i].size)
			return true;
	}
	return false;
}

int vm_set_ram(u64 vmid, u64 ipa, u64 size)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;
	int err = KCORE_OK;

	if (vm == NULL || size == 0 || !is_aligned(ipa, PAGE_SIZE) ||
	    !is_aligned(size, PAGE_SIZE) || ipa >= (1ull << ipa_bits) ||
	    size > (1ull << ipa_bits) - ipa)
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	if (vm->state != VM_READY) {
		err = KCORE_E_STATE;
	} else if (vm->nr_ram == VM_MAX_RAM_REGIONS) {
		err = KCORE_E_NOMEM;
	} else {
		for (u32 i = 0; i < vm->nr_ram; i++) {
			if (ipa < vm->ram[i].ipa + vm->ram[i].size && vm->ram[i].ipa < ipa + size)
				err = KCORE_E_EXIST;
		}
	}
	if (err == KCORE_OK)
		vm->ram[vm->nr_ram++] = (struct vm_ram){ipa, size};
	vm_unlock(&locked);
	return err;
}

/*
 * Boot integrity: the first instruction must come from a verified image. The
 * first run, claimed under the lock: no other CPU can also see it as first.
 * Out of line: the resume path, every run's, stays as short as it was.
 */
static __attribute__((noinline)) bool claim_first_run(struct vm_locked locked, struct vcpu *vcpu,
						      struct vcpu_start *start)
{
	if (!vcpu->entry_set || !vm_search_load_info(locked, vcpu->entry_pc))
		return false;
	vcpu->state = VCPU_ACTIVE;
	*start = (struct vcpu_start){.first = true, .pc = vcpu->entry_pc, .x0 = vcpu->entry_x0};
	vcpu->has_run = true;
	locked.vm->started = true;
	return true;
}

int vm_vcpu_activate(struct vm *vm, struct vcpu *vcpu, struct vcpu_start *start)
{
	struct vm_locked locked = vm_lock(vm);
	int err = KCORE_OK;

	if (vm->state != VM_VERIFIED || vcpu->state != VCPU_READY || vm->snap.phase != SNAP_NONE) {
		/* A VM being saved or restored is paused (docs/abi.md, "Snapshots"). */
		err = KCORE_E_STATE;
	} else if (vcpu->has_run) {
		vcpu->state = VCPU_ACTIVE;
		*start = (struct vcpu_start){.first = false};
	} else if (!claim_first_run(locked, vcpu, start)) {
		err = KCORE_E_PERM;
	}
	vm_unlock(&locked);
	return err;
}

int vcpu_activate(u32 vmid, u32 vcpuid, u64 *entry_pc)
{
	struct vm *vm = vm_from_id(vmid);
	struct vcpu_start start;
	struct vcpu *vcpu;
	int err;

	if (vm == NULL)
		return KCORE_E_INVAL;
	vcpu = vcpu_from_id(vm, vcpuid);
	if (vcpu == NULL)
		return KCORE_E_INVAL;
	err = vm_vcpu_activate(vm, vcpu, &start);
	if (err == KCORE_OK)
		*entry_pc = start.pc;
	return err;
}

void vm_vcpu_deactivate(struct vm *vm, struct vcpu *vcpu)
{
	struct vm_locked locked = vm_lock(vm);

	/* Only the arch's run loop calls this, for the vCPU it activated. */
	KC_CHECK(vcpu->state == VCPU_ACTIVE);
	vcpu->state = VCPU_READY;
	vm_unlock(&locked);
}

void vcpu_deactivate(u32 vmid, u32 vcpuid)
{
	struct vm *vm = vm_from_id(vmid);
	struct vcpu *vcpu;

	KC_CHECK(vm != NULL);
	vcpu = vcpu_from_id(vm, vcpuid);
	KC_CHECK(vcpu != NULL);
	vm_vcpu_deactivate(vm, vcpu);
}

void vm_set_poweroff(struct vm_locked locked)
{
	struct vm *vm = locked.vm;

	/* Atomic: running vCPUs of the VM poll it without vm->lock (core/run/run.c). */
	__atomic_store_n(&vm->state, VM_POWEROFF, __ATOMIC_RELEASE);
	/* Each vCPU's fast path stops after the call it answers next (core/run/guest_call.c). */
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++)
		__atomic_store_n(&vm->vcpus[i].fast_answered, (u8)ARCH_FAST_STOP, __ATOMIC_RELEASE);
	/* An open snapshot or restore ends with the VM; its key goes too. */
	seal_wipe(&vm->snap, sizeof(vm->snap));
	vm->snap.phase = SNAP_NONE;
}

void vm_registry_lock(void)
{
	spin_lock(&registry_lock);
}

void vm_registry_unlock(void)
{
	spin_unlock(&registry_lock);
}

static bool any_leaf(void *ctx, const struct pt_leaf *leaf)
{
	(void)leaf;
	*(bool *)ctx = true;
	return false;
}

int vm_free_check(struct vm_locked locked)
{
	struct vm *vm = locked.vm;
	bool mapped = false;

	if (vm->state != VM_POWEROFF)
		return KCORE_E_STATE;
	if (vm_any_vcpu_active(locked))
		return KCORE_E_BUSY;
	/* Every page must have been reclaimed (scrubbed) first, range by range. */
	pgt_for_each_leaf(&vm->s2, 0, 1ull << ipa_bits, any_leaf, &mapped);
	return mapped ? KCORE_E_BUSY : KCORE_OK;
}

void vm_slot_release(struct vm_locked locked)
{
	struct vm *vm = locked.vm;

	pgt_destroy(&vm->s2);
	/* The VMID will be reused: nothing of this VM may stay in any TLB. */
	arch_tlbi_s2_vmid(vm->vmid);
	vm->state = VM_UNUSED;
	vm->nr_images = 0;
	vm->nr_ram = 0;
	vm_mmio_guard_clear(&vm->mmio_guard);
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++)
		vm->vcpus[i] = (struct vcpu){.state = VCPU_UNUSED};
}
