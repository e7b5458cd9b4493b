// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * Running a VM's vCPUs (KCORE_VM_IOC_RUN, include/kcore/kcore_ioctl.h): the
 * loop around KC_HC_VCPU_RUN that answers in the kernel every exit user
 * space has no part in, and returns the others (MMIO, guest calls, the
 * power-off) to the VMM, as KVM_RUN does.
 *
 * - KC_EXIT_GUEST_CALL of KC_BENCH_NOP: answered here (x0 = 0); any other
 *   call goes to the VMM.
 * - KC_EXIT_MEM_FAULT: a page donated (kcore_ram.c), run again.
 * - KC_EXIT_IRQ: a host interrupt ended the run; Linux has taken it by the
 *   time the call returns (interrupts are on at EL1 around the HVC). A
 *   pending signal ends the ioctl (-EINTR): that is how a VMM stops a
 *   vCPU, and how Linux's scheduler gets the CPU back (cond_resched).
 * - KC_EXIT_WFI: sleeps until kicked (an injected interrupt, a sibling's
 *   SGI), a signal, or the deadline of the guest's earliest armed timer,
 *   which the exit carries (the guest's timers are kcore's: run at that
 *   count, the vCPU gets its interrupt); with no timer armed, only a kick
 *   or a signal ends the sleep.
 * - KC_EXIT_YIELD (WFE): gives the CPU away once, runs again.
 * - KC_EXIT_KICK: kcore made SGIs pending for the vCPUs named; each is woken
 *   if it sleeps, and made to leave the guest if it runs (kick_process's
 *   IPI is a host interrupt there: an IRQ exit, and the next entry loads the
 *   SGI), then this one runs again.
 * - KC_EXIT_VCPU_START / KC_EXIT_VCPU_OFF (PSCI): a vCPU runs only with a
 *   start to consume. vCPU 0 has one from its boot; each CPU_ON of another
 *   vCPU gives it one (and wakes it); its CPU_OFF exit makes it wait for the
 *   next. kcore orders them (CPU_ON needs the target OFF), the module may see
 *   a start before the off it follows: counting, not a flag, keeps that
 *   right (kserv's `restart`).
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <asm/barrier.h>
#include <asm/sysreg.h>

#include <kcore/guest_tests.h>

#include "kcore_mod.h"
#include "kcore_vm.h"

/*
 * The time until the counter reaches a WFI exit's deadline (a physical
 * count: the host's CNTVOFF_EL2 is 0 under kcore, so the virtual counter
 * Linux reads is the same count); 0 if it has passed.
 */
static ktime_t wfi_timeout(u64 deadline)
{
	u64 now, freq = read_sysreg(cntfrq_el0);

	isb();
	now = read_sysreg(cntvct_el0);
	if (deadline <= now || freq == 0)
		return 0;
	/* 128-bit intermediate: a deadline hours away must not overflow into a short sleep. */
	return ns_to_ktime(
	    min_t(u64, mul_u64_u64_div_u64(deadline - now, NSEC_PER_SEC, freq), KTIME_MAX));
}

/* How long a vCPU whose entry kcore refused (STATE) waits for a sibling's power-off mark. */
#define VM_END_WAIT_MS 1000

#define RUN_IN_FLAGS (KC_RUN_MMIO_DONE | KC_RUN_CALL_DONE | KC_RUN_MMIO_ABORT)

int kcore_vcpus_init(struct kcore_vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct kcore_vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = i;
		init_waitqueue_head(&v->wq);
		atomic_set(&v->running, 0);
		v->starts = i == 0 ? 1 : 0;
		v->needs_start = true;
		v->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (v->run_page == NULL)
			return -ENOMEM;
	}
	return 0;
}

void kcore_vcpus_free(struct kcore_vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run_page != NULL)
			__free_page(vm->vcpus[i].run_page);
		vm->vcpus[i].run_page = NULL;
	}
}

static bool vm_ended(struct kcore_vm *vm)
{
	u32 s = READ_ONCE(vm->state);

	return s == KCORE_VM_POWERED_OFF || s == KCORE_VM_FAILED;
}

/* Out of a WFI or start wait, and out of the guest if it runs there (see above). */
static void vcpu_kick(struct kcore_vcpu *v)
{
	unsigned long flags;

	WRITE_ONCE(v->kicked, true);
	wake_up_interruptible(&v->wq);
	spin_lock_irqsave(&v->vm->lock, flags);
	if (v->task != NULL)
		kick_process(v->task);
	spin_unlock_irqrestore(&v->vm->lock, flags);
}

static void vm_end(struct kcore_vm *vm, u32 state)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->lock, flags);
	if (!vm_ended(vm))
		WRITE_ONCE(vm->state, state);
	spin_unlock_irqrestore(&vm->lock, flags);
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

/* Waits for a start to consume (PSCI, see above); 0, -EINTR or -ESHUTDOWN. */
static int vcpu_wait_start(struct kcore_vcpu *v)
{
	struct kcore_vm *vm = v->vm;
	unsigned long flags;
	int ret;

	for (;;) {
		spin_lock_irqsave(&vm->lock, flags);
		if (v->starts > 0) {
			v->starts--;
			spin_unlock_irqrestore(&vm->lock, flags);
			return 0;
		}
		spin_unlock_irqrestore(&vm->lock, flags);
		ret = wait_event_interruptible(v->wq, READ_ONCE(v->starts) > 0 || vm_ended(vm));
		if (ret != 0)
			return -EINTR;
		if (vm_ended(vm))
			return -ESHUTDOWN;
	}
}

static void vcpu_give_start(struct kcore_vm *vm, u64 id)
{
	unsigned long flags;

	if (id >= vm->nr_vcpus)
		return; /* kcore only starts vCPUs it has: nothing to wake */
	spin_lock_irqsave(&vm->lock, flags);
	vm->vcpus[id].starts++;
	spin_unlock_irqrestore(&vm->lock, flags);
	vcpu_kick(&vm->vcpus[id]);
}

/* Before an entry: a vCPU that is off (never started, or after CPU_OFF) waits for a start. */
static int vcpu_ensure_started(struct kcore_vcpu *v)
{
	int ret;

	if (!v->needs_start)
		return 0;
	ret = vcpu_wait_start(v);
	if (ret == 0)
		v->needs_start = false;
	return ret;
}

/*
 * KC_BENCH_NOP, the host's null call, is answered here (x0 = 0) and never
 * reaches the VMM: the round trip guest -> kcore -> host kernel -> guest,
 * what KVM's in-kernel answer to PSCI_VERSION costs under KVM (the
 * benchmark's host_call, docs/bench/README.md). The next entry delivers it.
 */
static void complete_null_call(struct kcore_vcpu_run *page)
{
	page->in.flags = KC_RUN_CALL_DONE;
	memset(page->in.call_ret, 0, sizeof(page->in.call_ret));
}

/*
 * The vCPU's exits until one is user space's: 0 with the exit in the run
 * page, or an errno. in: the completion user space sent (only for the first
 * entry: the module's own re-entries complete nothing).
 */
static long vcpu_run_loop(struct kcore_vcpu *v, struct kcore_vcpu_run *page,
			  const struct kcore_vcpu_run *in)
{
	struct kcore_vm *vm = v->vm;
	phys_addr_t run_pa = page_to_phys(v->run_page);
	unsigned long reason;
	long err;
	int ret;

	memset(&page->in, 0, sizeof(page->in));
	page->in.flags = in->in.flags;
	page->in.mmio_value = in->in.mmio_value;
	memcpy(page->in.call_ret, in->in.call_ret, sizeof(page->in.call_ret));
	for (;;) {
		if (vm_ended(vm))
			return -ESHUTDOWN;
		/* A completion is always delivered: EINTR then means it reached the guest. */
		if (page->in.flags == 0 && signal_pending(current))
			return -EINTR;
		WRITE_ONCE(v->kicked, false);
		err = kcore_hvc4(KC_HC_VCPU_RUN, vm->vmid, v->id, run_pa, 0, &reason);
		if (err != KCORE_OK) {
			/*
			 * STATE: the VM is no longer VERIFIED in kcore. For a VM this
			 * module verified and runs, that is a sibling's power-off (or
			 * reset) that kcore has done and the sibling's thread has not
			 * marked yet (it does right after its call returns): wait for
			 * that mark, so the caller gets ESHUTDOWN as for any power-off,
			 * not EIO.
			 */
			if (err == KCORE_E_STATE)
				(void)wait_event_interruptible_timeout(
				    v->wq, vm_ended(vm), msecs_to_jiffies(VM_END_WAIT_MS));
			if (vm_ended(vm))
				return -ESHUTDOWN;
			pr_info("kcore: VM %llu: KC_HC_VCPU_RUN of vCPU %u: kcore error %ld\n",
				vm->vmid, v->id, err);
			return -EIO;
		}
		if (page->in.flags != 0)
			memset(&page->in, 0, sizeof(page->in)); /* consumed by this entry */
		if (reason != page->out.reason) {
			pr_err("kcore: VM %llu: vCPU %u: exit %lu in x1, %llu in the run page\n",
			       vm->vmid, v->id, reason, page->out.reason);
			vm_end(vm, KCORE_VM_FAILED);
			return -EIO;
		}
		switch (reason) {
		case KC_EXIT_GUEST_CALL:
			/*
			 * Not with a signal pending: a completion set here skips the
			 * signal test above, so a guest calling nothing else would
			 * hold off the VMM's stop until some other exit; the call then
			 * goes to the VMM, which answers it the same way.
			 */
			if (page->out.call.fid == KC_BENCH_NOP && !signal_pending(current)) {
				complete_null_call(page);
				break;
			}
			return 0;
		case KC_EXIT_MMIO:
			return 0;
		case KC_EXIT_POWEROFF:
			vm->powered_off = true; /* read at teardown, after every ioctl ended */
			vm_end(vm, KCORE_VM_POWERED_OFF);
			return 0;
		case KC_EXIT_MEM_FAULT:
			ret = kcore_ram_donate(vm, page->out.fault.ipa);
			if (ret != 0)
				return ret;
			break;
		case KC_EXIT_IRQ:
			break;
		case KC_EXIT_YIELD:
			yield();
			break;
		case KC_EXIT_WFI:
			if (page->out.wfi.deadline == KC_WFI_NO_DEADLINE)
				ret = wait_event_interruptible(v->wq, READ_ONCE(v->kicked) ||
									  vm_ended(vm));
			else
				ret = wait_event_interruptible_hrtimeout(
				    v->wq, READ_ONCE(v->kicked) || vm_ended(vm),
				    wfi_timeout(page->out.wfi.deadline));
			if (ret == -ERESTARTSYS)
				return -EINTR;
			break;
		case KC_EXIT_KICK:
			for (u32 i = 0; i < vm->nr_vcpus; i++)
				if (i != v->id && (page->out.kick.vcpus & (1ull << i)) != 0)
					vcpu_kick(&vm->vcpus[i]);
			break;
		case KC_EXIT_VCPU_START:
			vcpu_give_start(vm, page->out.start.vcpuid);
			break;
		case KC_EXIT_VCPU_OFF:
			v->needs_start = true;
			ret = vcpu_ensure_started(v);
			if (ret != 0)
				return ret;
			break;
		default:
			pr_err("kcore: VM %llu: vCPU %u: unknown exit %lu\n", vm->vmid, v->id,
			       reason);
			vm_end(vm, KCORE_VM_FAILED);
			return -EIO;
		}
		cond_resched();
	}
}

long kcore_vcpu_run(struct kcore_vm *vm, void __user *uarg)
{
	struct kcore_run req;
	struct kcore_vcpu *v;
	struct kcore_vcpu_run *page;
	unsigned long flags;
	long ret;

	if (copy_from_user(&req, uarg, sizeof(req)) != 0)
		return -EFAULT;
	if (req.vcpu >= vm->nr_vcpus || req.flags != 0 || req.reserved[0] != 0 ||
	    req.reserved[1] != 0 || (req.run.in.flags & ~RUN_IN_FLAGS) != 0)
		return -EINVAL;
	for (u32 i = 0; i < ARRAY_SIZE(req.run.in.reserved); i++)
		if (req.run.in.reserved[i] != 0)
			return -EINVAL;
	v = &vm->vcpus[req.vcpu];
	if (atomic_cmpxchg(&v->running, 0, 1) != 0)
		return -EBUSY;
	spin_lock_irqsave(&vm->lock, flags);
	v->task = current;
	if (vm->state == KCORE_VM_VERIFIED)
		vm->state = KCORE_VM_RUNNING;
	spin_unlock_irqrestore(&vm->lock, flags);
	page = page_address(v->run_page);
	ret = vcpu_ensure_started(v);
	if (ret == 0)
		ret = vcpu_run_loop(v, page, &req.run);
	spin_lock_irqsave(&vm->lock, flags);
	v->task = NULL;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (ret == 0) {
		/* Only the exit goes back: "in" is user space's to fill for the next run. */
		if (copy_to_user((u8 __user *)uarg + offsetof(struct kcore_run, run.out),
				 &page->out, sizeof(page->out)) != 0)
			ret = -EFAULT;
	}
	atomic_set(&v->running, 0);
	return ret;
}

long kcore_vcpu_irq(struct kcore_vm *vm, const void __user *uarg)
{
	struct kcore_irq req;
	long err;

	if (copy_from_user(&req, uarg, sizeof(req)) != 0)
		return -EFAULT;
	if (req.vcpu >= vm->nr_vcpus || req.reserved != 0 || req.intid < 16 || req.intid > 1019)
		return -EINVAL;
	if (vm_ended(vm))
		return -ESHUTDOWN;
	err = kcore_vm_call(vm, "KC_HC_VCPU_INJECT_IRQ", KC_HC_VCPU_INJECT_IRQ, req.vcpu, req.intid,
			    0, NULL);
	if (err != KCORE_OK)
		return kcore_errno(err);
	vcpu_kick(&vm->vcpus[req.vcpu]);
	return 0;
}
