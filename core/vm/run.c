/* SPDX-License-Identifier: MIT */
#include "run.h"

#include "boot.h"
#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "core/vm/virq.h"

#define PSCI_VERSION	      0x84000000u
#define PSCI_CPU_ON_32	      0x84000003u
#define PSCI_CPU_ON_64	      0xc4000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_SYSTEM_RESET     0x84000009u
#define PSCI_FEATURES	      0x8400000au
#define PSCI_SUCCESS	      0
#define PSCI_NOT_SUPPORTED    (-1)
#define PSCI_INVALID_PARAMS   (-2)
#define PSCI_ALREADY_ON	      (-4)
#define PSCI_AFF_ON	      0
#define PSCI_AFF_OFF	      1
#define PSCI_AFF_ON_PENDING   2
#define PSCI_VERSION_1_0      0x10000u

static bool is_psci(u64 fid)
{
	return (fid >= 0x84000000u && fid <= 0x8400001fu) ||
	       (fid >= 0xc4000000u && fid <= 0xc400001fu);
}

/* The run page must be one of the host's own RAM pages: kcore writes the exit there. */
static bool run_page_ok(paddr_t pa)
{
	const struct page_info *page = pgowner_get(pa);

	return page != NULL && page->owner == OWNER_HOST;
}

/* KCORE_E_INVAL if pa is not RAM, KCORE_E_PERM if it is not the host's. */
static int read_run_in(paddr_t pa, struct kcore_vcpu_run *run)
{
	const struct page_info *page_owner;
	int err = KCORE_OK;

	mem_lock();
	page_owner = pgowner_get(pa);
	if (page_owner == NULL) {
		err = KCORE_E_INVAL;
	} else if (page_owner->owner == OWNER_HOST) {
		const volatile struct kcore_vcpu_run *page = arch_pa_to_ptr(pa);

		/* Read once (the host may change it meanwhile), and only what kcore uses. */
		run->in.flags = page->in.flags;
		run->in.mmio_value = page->in.mmio_value;
		for (u32 i = 0; i < 4; i++)
			run->in.call_ret[i] = page->in.call_ret[i];
	} else {
		err = KCORE_E_PERM;
	}
	mem_unlock();
	return err;
}

/*
 * The out part is its reason and eight words (raw, the union's view of all
 * of them); copied and cleared word by word, unrolled, through volatile
 * pointers: a plain loop or a struct assignment becomes a call to
 * memcpy/memset, several times the instructions. The words keep the ABI's
 * type (unsigned long long), so nothing is read through another type.
 */
#define RUN_OUT_RAW_WORDS (sizeof(((struct kcore_vcpu_run *)0)->out.raw) / sizeof(u64))
_Static_assert(sizeof(((struct kcore_vcpu_run *)0)->out) == (1 + RUN_OUT_RAW_WORDS) * sizeof(u64),
	       "the run record's out part: the reason and the raw words, nothing else");

static void run_out_clear(struct kcore_vcpu_run *run)
{
	volatile unsigned long long *raw = run->out.raw;

	run->out.reason = 0;
#pragma GCC unroll 8
	for (u32 i = 0; i < RUN_OUT_RAW_WORDS; i++)
		raw[i] = 0;
}

static void write_run_out(paddr_t pa, const struct kcore_vcpu_run *run)
{
	mem_lock();
	/* Checked again: the host may have given the page away while the vCPU ran. */
	if (run_page_ok(pa)) {
		volatile struct kcore_vcpu_run *page = arch_pa_to_ptr(pa);

		page->out.reason = run->out.reason;
#pragma GCC unroll 8
		for (u32 i = 0; i < RUN_OUT_RAW_WORDS; i++)
			page->out.raw[i] = run->out.raw[i];
	}
	mem_unlock();
}

static u64 reg_read(const struct vcpu *vcpu, u32 rt)
{
	return rt == 31 ? 0 : vcpu->regs.x[rt];
}

static u64 size_mask(u32 size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* An MMIO read's value as the load instruction would leave it in its register. */
static u64 mmio_load_value(u64 value, u32 size, bool sign_extend, bool reg64)
{
	u64 v = value & size_mask(size);

	if (sign_extend && size < 8 && ((v >> (size * 8 - 1)) & 1) != 0)
		v |= ~size_mask(size);
	return reg64 ? v : (v & 0xffffffffull);
}

/* Finishes what the last exit left open, with what the host supplied now. */
static void complete_pending(struct vcpu *vcpu, const struct kcore_vcpu_run *run)
{
	u64 flags = run->in.flags;

	switch (vcpu->pending) {
	case PENDING_MMIO:
		if (flags & KC_RUN_MMIO_ABORT) {
			arch_vcpu_inject_abort(vcpu, false, vcpu->mmio.write, 0);
		} else if (flags & KC_RUN_MMIO_DONE) {
			/* The host supplies a value, never a register: kcore knows which one. */
			if (!vcpu->mmio.write && vcpu->mmio.rt != 31)
				vcpu->regs.x[vcpu->mmio.rt] =
				    mmio_load_value(run->in.mmio_value, vcpu->mmio.size,
						    vcpu->mmio.sign_extend, vcpu->mmio.reg64);
			vcpu->regs.pc += 4;
		}
		/* Neither: the guest simply executes the access again. */
		break;
	case PENDING_CALL:
		if (flags & KC_RUN_CALL_DONE) {
			for (u32 i = 0; i < 4; i++)
				vcpu->regs.x[i] = run->in.call_ret[i];
		} else {
			vcpu->regs.x[0] = (u64)(s64)PSCI_NOT_SUPPORTED;
		}
		break;
	case PENDING_NONE:
		break;
	}
	vcpu->pending = PENDING_NONE;
}

/* What handling one exit decided. */
enum step { STEP_REENTER, STEP_TO_HOST };

static s64 psci_cpu_on(struct vm *vm, u64 target, u64 entry, u64 ctx, u32 *started)
{
	struct vcpu *t;
	s64 ret = PSCI_SUCCESS;

	/* vCPU n has MPIDR n (Aff0 only), as the guest's DTB says. */
	if (target >= vm_max_vcpus() || (entry & 3) != 0)
		return PSCI_INVALID_PARAMS;
	t = &vm->vcpus[target];
	spin_lock(&vm->lock);
	if (t->state == VCPU_UNUSED || !vm_search_load_info(vm, entry)) {
		/* A started vCPU, like the first, begins in a verified image. */
		ret = PSCI_INVALID_PARAMS;
	} else if (t->has_run || t->state == VCPU_ACTIVE) {
		ret = PSCI_ALREADY_ON;
	} else {
		t->entry_pc = entry;
		t->entry_x0 = ctx;
		t->entry_set = true;
		*started = (u32)target;
	}
	spin_unlock(&vm->lock);
	return ret;
}

static s64 psci_affinity_info(struct vm *vm, u64 target, u64 level)
{
	const struct vcpu *t;
	s64 ret;

	if (target >= vm_max_vcpus() || level != 0)
		return PSCI_INVALID_PARAMS;
	t = &vm->vcpus[target];
	/* has_run and entry_set change under vm->lock (a sibling's CPU_ON, a first run). */
	spin_lock(&vm->lock);
	if (t->has_run)
		ret = PSCI_AFF_ON;
	else
		ret = t->entry_set ? PSCI_AFF_ON_PENDING : PSCI_AFF_OFF;
	spin_unlock(&vm->lock);
	return ret;
}

static bool psci_supported(u64 fid)
{
	return fid == PSCI_VERSION || fid == PSCI_CPU_ON_32 || fid == PSCI_CPU_ON_64 ||
	       fid == PSCI_AFFINITY_INFO_32 || fid == PSCI_AFFINITY_INFO_64 ||
	       fid == 0x84000008u /* SYSTEM_OFF */ || fid == PSCI_SYSTEM_RESET ||
	       fid == PSCI_FEATURES;
}

/* PSCI is kcore's: the host never learns or chooses where a vCPU starts. */
static enum step guest_psci(struct vm *vm, struct vcpu *vcpu, struct kcore_vcpu_run *run)
{
	u64 *x = vcpu->regs.x;
	u32 started = 0;
	s64 ret;

	switch (x[0]) {
	case PSCI_VERSION:
		ret = PSCI_VERSION_1_0;
		break;
	case PSCI_FEATURES:
		ret = psci_supported(x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		ret = psci_cpu_on(vm, x[0] == PSCI_CPU_ON_32 ? (x[1] & 0xffffffffu) : x[1], x[2],
				  x[3], &started);
		if (ret == PSCI_SUCCESS) {
			x[0] = PSCI_SUCCESS;
			run->out.reason = KC_EXIT_VCPU_START;
			run->out.start.vcpuid = started;
			return STEP_TO_HOST;
		}
		break;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		ret = psci_affinity_info(vm, x[1], x[2]);
		break;
	default:
		/* CPU_OFF, CPU_SUSPEND, MIGRATE...: not offered (FEATURES says so). */
		ret = PSCI_NOT_SUPPORTED;
		break;
	}
	x[0] = (u64)ret;
	return STEP_REENTER;
}

static enum step guest_hvc(struct vm *vm, struct vcpu *vcpu, u32 vcpuid, struct kcore_vcpu_run *run)
{
	struct kcore_hvc_regs regs;
	u64 fid = vcpu->regs.x[0];

	for (u32 i = 0; i < 8; i++)
		regs.x[i] = vcpu->regs.x[i];
	if (vm_hvc_dispatch(vm->vmid, vcpuid, &regs)) {
		vcpu->regs.x[0] = regs.x[0];
		vcpu->regs.x[1] = regs.x[1];
		if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_POWEROFF) {
			run->out.reason = KC_EXIT_POWEROFF;
			run->out.poweroff.reset = fid == PSCI_SYSTEM_RESET;
			return STEP_TO_HOST;
		}
		return STEP_REENTER;
	}
	if (is_psci(fid))
		return guest_psci(vm, vcpu, run);
	/* A call for the host: its id and arguments, nothing else. */
	run->out.reason = KC_EXIT_GUEST_CALL;
	run->out.call.fid = fid;
	for (u32 i = 0; i < 6; i++)
		run->out.call.args[i] = vcpu->regs.x[1 + i];
	vcpu->pending = PENDING_CALL;
	return STEP_TO_HOST;
}

/* Guest calls kcore answers in full, with no exception to inject and nothing for the host. */
static bool is_fast_call(u64 fid)
{
	switch (fid) {
	case KC_GC_VERSION:
	case KC_GC_SHARE_PAGE:
	case KC_GC_UNSHARE_PAGE:
	case PSCI_VERSION:
	case PSCI_FEATURES:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		return true;
	default:
		return false;
	}
}

/*
 * A fast exit is finished: the guest goes straight back in, unless its VM
 * was powered off meanwhile (by a sibling), which ends the run.
 */
static inline enum vcpu_fast fast_answered(const struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_POWEROFF ? VCPU_FAST_STOP
									    : VCPU_FAST_RESUME;
}

/*
 * A fast call other than the two versions (is_fast_call). Out of line so
 * that vcpu_exit_fast_hvc stays a leaf without a stack frame for the
 * versions and for every call that goes to the host (this one needs one).
 */
static __attribute__((noinline)) enum vcpu_fast fast_call(struct vm *vm, struct vcpu *vcpu)
{
	struct kcore_vcpu_run unused;

	/*
	 * These never write the run page; one that finds the VM powered off by a
	 * sibling has still done its work: the arch ends the run (ARCH_EXIT_DONE).
	 */
	(void)guest_hvc(vm, vcpu, (u32)(vcpu - vm->vcpus), &unused);
	return fast_answered(vm);
}

enum vcpu_fast vcpu_exit_fast_hvc(struct vm *vm, struct vcpu *vcpu)
{
	u64 *x = vcpu->regs.x;

	/*
	 * The two version calls are a guest's commonest (drivers probe them) and
	 * depend on nothing: answered here, as vm_hvc_dispatch and guest_psci
	 * would, without their copies of the registers and the power-off check.
	 */
	if (x[0] == PSCI_VERSION) {
		x[0] = PSCI_VERSION_1_0;
		return fast_answered(vm);
	}
	if (x[0] == KC_GC_VERSION) {
		x[0] = KCORE_OK;
		x[1] = KCORE_ABI_VERSION;
		return fast_answered(vm);
	}
	if (!is_fast_call(x[0]))
		return VCPU_FAST_NO;
	return fast_call(vm, vcpu);
}

enum vcpu_fast vcpu_exit_fast(struct vm *vm, struct vcpu *vcpu, const struct arch_exit *e)
{
	return e->kind == ARCH_EXIT_HVC ? vcpu_exit_fast_hvc(vm, vcpu) : VCPU_FAST_NO;
}

static enum step guest_abort(struct vm *vm, struct vcpu *vcpu, const struct arch_exit *e,
			     struct kcore_vcpu_run *run)
{
	bool instruction = e->kind == ARCH_EXIT_IABT;

	/*
	 * vm->ram is read without vm->lock: VM_SET_RAM changes it only while
	 * the VM is READY, and this vCPU runs, so the VM is VERIFIED (or was
	 * powered off by a sibling since): the regions no longer change.
	 */
	if (vm_ipa_is_ram(vm, e->ipa)) {
		if (!e->translation) {
			arch_vcpu_inject_abort(vcpu, instruction, e->write, e->ipa);
			return STEP_REENTER;
		}
		/* First touch of RAM: the host learns the page, never the data. */
		run->out.reason = KC_EXIT_MEM_FAULT;
		run->out.fault.ipa = e->ipa & ~(PAGE_SIZE - 1);
		run->out.fault.is_write = e->write;
		run->out.fault.is_exec = instruction;
		return STEP_TO_HOST;
	}
	if (instruction || !e->translation || !e->isv) {
		/* Nothing the host could emulate: the guest gets an external abort. */
		arch_vcpu_inject_abort(vcpu, instruction, e->write, e->ipa);
		return STEP_REENTER;
	}
	run->out.reason = KC_EXIT_MMIO;
	run->out.mmio.ipa = e->ipa;
	run->out.mmio.size = e->size;
	run->out.mmio.is_write = e->write;
	run->out.mmio.value = e->write ? reg_read(vcpu, e->rt) & size_mask(e->size) : 0;
	vcpu->pending = PENDING_MMIO;
	vcpu->mmio.rt = e->rt;
	vcpu->mmio.size = e->size;
	vcpu->mmio.write = e->write;
	vcpu->mmio.sign_extend = e->sign_extend;
	vcpu->mmio.reg64 = e->reg64;
	return STEP_TO_HOST;
}

/*
 * A trapped system register access. The only one kcore emulates is the
 * guest's SGI: it is raised on its targets here, and if it went to another
 * vCPU the host learns which ones (it may have to run or interrupt them);
 * never what the guest computes. Anything else is undefined for the guest.
 */
static enum step guest_sysreg(struct vm *vm, struct vcpu *vcpu, u32 vcpuid,
			      const struct arch_exit *e, struct kcore_vcpu_run *run)
{
	u64 targets;

	if (e->sysreg != ARCH_SYSREG_ICC_SGI1R || !e->write) {
		arch_vcpu_inject_undef(vcpu);
		return STEP_REENTER;
	}
	targets = virq_send_sgi(vm, vcpuid, reg_read(vcpu, e->rt));
	vcpu->regs.pc += 4;
	if ((targets & ~(1ull << vcpuid)) == 0)
		return STEP_REENTER;
	run->out.reason = KC_EXIT_KICK;
	run->out.kick.vcpus = targets & ~(1ull << vcpuid);
	return STEP_TO_HOST;
}

static enum step handle_exit(struct vm *vm, struct vcpu *vcpu, u32 vcpuid,
			     const struct arch_exit *e, struct kcore_vcpu_run *run)
{
	switch (e->kind) {
	case ARCH_EXIT_HVC:
		return guest_hvc(vm, vcpu, vcpuid, run);
	case ARCH_EXIT_DABT:
	case ARCH_EXIT_IABT:
		return guest_abort(vm, vcpu, e, run);
	case ARCH_EXIT_WFX:
		vcpu->regs.pc += 4;
		run->out.reason = KC_EXIT_WFI;
		return STEP_TO_HOST;
	case ARCH_EXIT_IRQ:
		run->out.reason = KC_EXIT_IRQ;
		return STEP_TO_HOST;
	case ARCH_EXIT_SYSREG:
		return guest_sysreg(vm, vcpu, vcpuid, e, run);
	case ARCH_EXIT_UNKNOWN:
		arch_vcpu_inject_undef(vcpu);
		return STEP_REENTER;
	case ARCH_EXIT_DONE:
		return STEP_REENTER; /* the loop sees the power-off */
	}
	kc_panic("unknown exit kind %d", (int)e->kind);
}

#ifndef KCORE_PUT_BACK_FIRST_RUN_RACE
/* Whether this run is the vCPU's first is decided under vm->lock, with the activation. */
static int activate_for_run(struct vm *vm, struct vcpu *vcpu, struct vcpu_start *start)
{
	return vm_vcpu_activate(vm, vcpu, start);
}
#else
/*
 * Issue 14's bug put back, for the race harness only (tests/unit/test_race.c
 * compiles this file a second time with the macro; nothing else defines it):
 * "first" read from has_run without vm->lock, so a CPU that loses the race
 * to another's first run resets the vCPU and starts it at PC 0.
 */
static int activate_for_run(struct vm *vm, struct vcpu *vcpu, struct vcpu_start *start)
{
	bool first = !vcpu->has_run;
	int err = vm_vcpu_activate(vm, vcpu, start);

	start->first = first;
	return err;
}
#endif

int vcpu_run(u64 vmid, u64 vcpuid, u64 run_pa, u64 *reason)
{
	struct vm *vm = vm_from_id(vmid);
	struct kcore_vcpu_run run;
	struct vcpu_start start;
	struct vcpu *vcpu;
	int err;

	if (vm == NULL)
		return KCORE_E_INVAL;
	vcpu = vcpu_from_id(vm, vcpuid);
	if (vcpu == NULL || !is_aligned(run_pa, PAGE_SIZE) || run_pa >= (1ull << 48))
		return KCORE_E_INVAL;
	/* The out part goes to the host whole: what the exit does not set is zero. */
	run_out_clear(&run);
	err = read_run_in(pa_init(run_pa), &run); /* not RAM: INVAL; not the host's: PERM */
	if (err != KCORE_OK)
		return err;
	err = activate_for_run(vm, vcpu, &start);
	if (err != KCORE_OK)
		return err;
	/* From here the vCPU is ACTIVE: this CPU alone touches its registers. */
	if (start.first) {
		arch_vcpu_reset(vcpu);
		vcpu->regs.pc = start.pc;
		vcpu->regs.x[0] = start.x0;
	}
	complete_pending(vcpu, &run);

	for (;;) {
		struct arch_exit e;

		/* Another vCPU may power the VM off at any time (under vm->lock): then this one
		 * stops too. */
		if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_POWEROFF) {
			run.out.reason = KC_EXIT_POWEROFF;
			break;
		}
		arch_vcpu_run(&vcpu->guest, &e);
		if (handle_exit(vm, vcpu, (u32)vcpuid, &e, &run) == STEP_TO_HOST)
			break;
	}
	vm_vcpu_deactivate(vm, vcpu);
	write_run_out(pa_init(run_pa), &run);
	*reason = run.out.reason;
	return KCORE_OK;
}
