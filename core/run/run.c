/* SPDX-License-Identifier: MIT */
#include "run.h"

#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/mem/host_page.h"
#include "core/mm/mem_lock.h"
#include "core/vm/mmio_guard.h"
#include "core/vm/virq.h"
#include "gic_view.h"
#include "guest_call.h"

/*
 * The part of the in record kcore uses (flags, mmio_value, call_ret), read
 * once from the run page, which must be one of the host's own RAM pages:
 * KCORE_E_INVAL if it is not RAM, KCORE_E_PERM if it is not the host's.
 */
#define RUN_IN_USED_BYTES offsetof(struct kcore_vcpu_run, in.reserved)

static int read_run_in(paddr_t pa, struct kcore_vcpu_run *run)
{
	struct mem_locked locked = mem_lock();
	int err = host_page_read(locked, pa, &run->in, RUN_IN_USED_BYTES);

	mem_unlock(locked);
	return err;
}

/*
 * The out part is its reason and eight words (raw, the union's view of all
 * of them); copied to the run page by host_page_write and cleared here word
 * by word, unrolled, through volatile pointers: a plain loop or a struct
 * assignment becomes a call to memcpy/memset, several times the
 * instructions. The words keep the ABI's type (unsigned long long), so
 * nothing is read through another type.
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
	struct mem_locked locked = mem_lock();

	/* Checked again: the host may have given the page away while the vCPU ran. */
	(void)host_page_write(locked, pa_add(pa, offsetof(struct kcore_vcpu_run, out)), &run->out,
			      sizeof(run->out));
	mem_unlock(locked);
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
			vcpu->mmio.gic_read = 0;
		} else if (flags & KC_RUN_MMIO_DONE) {
			/* The host supplies a value, never a register: kcore knows which one. */
			if (!vcpu->mmio.write && vcpu->mmio.rt != 31) {
				u64 value = run->in.mmio_value;

				/* The GIC's pending/active state of what kcore holds (gic_view.h).
				 */
				if (__builtin_expect(vcpu->mmio.gic_read != 0, 0)) {
					value = gic_view_read(vcpu, vcpu->mmio.gic_read, value);
					vcpu->mmio.gic_read = 0;
				}
				vcpu->regs.x[vcpu->mmio.rt] =
				    mmio_load_value(value, vcpu->mmio.size, vcpu->mmio.sign_extend,
						    vcpu->mmio.reg64);
			}
			/* gic_read is 0 here: set only for reads (gic_view_exit), cleared above. */
			vcpu->regs.pc += 4;
		} else {
			/* Neither: the guest simply executes the access again. */
			vcpu->mmio.gic_read = 0;
		}
		break;
	case PENDING_CALL:
		if (flags & KC_RUN_CALL_DONE) {
			for (u32 i = 0; i < 4; i++)
				vcpu->regs.x[i] = run->in.call_ret[i];
		} else {
			vcpu->regs.x[0] =
			    (u64)(s64)SMCCC_NOT_SUPPORTED; /* the host did not answer */
		}
		break;
	case PENDING_NONE:
		break;
	}
	vcpu->pending = PENDING_NONE;
}

/* What handling one exit decided. */
enum step { STEP_REENTER, STEP_TO_HOST };

/* A guest call: answered through the guest-call table (core/run/guest_call.h). */
static enum step guest_call(struct vm *vm, struct vcpu *vcpu, struct kcore_vcpu_run *run)
{
	struct gc_call c = {.vm = vm, .vcpu = vcpu, .x = vcpu->regs.x, .run = run};

	return guest_call_slow(&c) == GC_TO_HOST ? STEP_TO_HOST : STEP_REENTER;
}

static enum step guest_abort(struct vm *vm, struct vcpu *vcpu, u32 vcpuid,
			     const struct arch_exit *e, struct kcore_vcpu_run *run)
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
	if (!vm_mmio_guard_allows(vm, e->ipa)) {
		/*
		 * An enrolled guest did not mean this page as MMIO (a stray pointer,
		 * or data it was tricked into storing there): the host learns
		 * neither the address nor the value; the guest gets the abort.
		 */
		arch_vcpu_inject_abort(vcpu, false, e->write, e->ipa);
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
	/* 0 already (complete_pending leaves it so): only a GIC access sets it. */
	if (__builtin_expect(gic_view_may_hit(e->ipa), 0))
		vcpu->mmio.gic_read =
		    gic_view_exit(vcpu, vcpuid, e->ipa, e->size, e->write, run->out.mmio.value);
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
		return guest_call(vm, vcpu, run);
	case ARCH_EXIT_DABT:
	case ARCH_EXIT_IABT:
		return guest_abort(vm, vcpu, vcpuid, e, run);
	case ARCH_EXIT_WFX:
		vcpu->regs.pc += 4;
		run->out.reason = KC_EXIT_WFI;
		/* When the host must run it again at the latest (docs/abi.md, "Running a vCPU"). */
		run->out.wfi.deadline = arch_vcpu_timer_deadline(vcpu);
		return STEP_TO_HOST;
	case ARCH_EXIT_WFE:
		/*
		 * A guest waiting for an event (a spin lock, a sibling's flag) is
		 * spinning: the host may give the CPU to another vCPU (KVM does the
		 * same). WFE may always end early, so stepping past it is correct.
		 */
		vcpu->regs.pc += 4;
		run->out.reason = KC_EXIT_YIELD;
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
