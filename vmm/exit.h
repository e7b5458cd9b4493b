/* SPDX-License-Identifier: MIT */
/*
 * What the host does with a vCPU's exit (docs/kserv.md, "Running VMs"):
 * given the exit record kcore wrote in the vCPU's run page (struct
 * kcore_vcpu_run, include/kcore/abi.h), vmm_exit_handle does the host's
 * part and says what the caller, which owns the CPUs and the run queue,
 * does next. Whatever the exit leaves to complete (an MMIO read's value, a
 * call's results) is set in the vCPU's next_* fields for the next run.
 *
 * MMIO (KC_EXIT_MMIO) reaches the devices the host emulates:
 *
 * - a PL011 at KCORE_GUEST_UART_BASE (4 KiB): writes to DR collect
 *   characters, and each complete line goes to the backend
 *   (vmm_guest_line) and to the hooks; FR reads TXFE|RXFE (never full,
 *   nothing received); the PrimeCell ID registers read as a PL011's; every
 *   other register reads 0, writes to them are ignored (vuart.h);
 * - the GICv3 the guest's DTB names: the distributor (64 KiB) and one
 *   redistributor (128 KiB) per vCPU, with each register's state kept per
 *   VM and vCPU as vgic.h says (interrupts themselves reach the guest
 *   through kcore's virtual CPU interface, which adds what it holds to the
 *   guest's reads: core/run/gic_view.c);
 * - the virtio-mmio devices the VMM gave it (g->virtio, windows at
 *   GUEST_VIRTIO_BASE: guest_layout.h), each access under g's lock
 *   (virtio_mmio.h);
 * - the benchmark device at KCORE_GUEST_BENCH_BASE (4 KiB, bench/): +0x0
 *   reads KCORE_GUEST_BENCH_MAGIC (0x1234), every other register reads 0,
 *   writes (the benchmark's at +0x8) are accepted and ignored.
 *
 * Any other address, or an access size other than 1, 2, 4 or 8, gets
 * KC_RUN_MMIO_ABORT: the guest takes an external abort.
 *
 * Guest calls (KC_EXIT_GUEST_CALL: function id and x1..x6 only). kcore
 * answers its own calls and PSCI itself (a CPU_ON comes as
 * KC_EXIT_VCPU_START), so what reaches the host is the test calls of
 * include/kcore/guest_tests.h:
 *
 * - KC_TEST_READ_SHARED(ipa): the host reads the 4 KiB page the guest
 *   shares at ipa (through its gfn map, with reads that may fail: a page
 *   that is not shared aborts) and answers x0 = 0, x1 = kc_test_checksum()
 *   of it, or x0 = KCORE_E_INVAL;
 * - KC_TEST_SNAPSHOT: the backend's snapshot machinery answers
 *   (vmm_snapshot_call);
 * - KC_BENCH_NOP: x0 = 0 (the host_call benchmark), counted;
 * - KC_TEST_MMIO_EXITS: x0 = 0, x1 the VM's MMIO exits, x2 the last one's
 *   IPA, x3 the KC_BENCH_NOP calls answered here;
 * - anything else goes to the hooks (KC_TEST_CHECKPOINT, KC_TEST_REGWORLD,
 *   ...); a call no hook answers gets x0 = -1 (SMCCC NOT_SUPPORTED).
 */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include <kcore/abi.h>

#include "hooks.h"
#include "types.h"
#include "vm.h"

/* What the caller does after vmm_exit_handle. */
enum vmm_exit_action {
	VMM_EXIT_RUN_ON,     /* handled (completion set): run it again */
	VMM_EXIT_RAM_FAULT,  /* first touch of RAM at IPA arg: the host maps memory there */
	VMM_EXIT_WAIT,	     /* WFI: nothing to do until an interrupt */
	VMM_EXIT_SPIN,	     /* WFE: it spins on something another vCPU may change */
	VMM_EXIT_HOST_IRQ,   /* an interrupt of the host's took the CPU (kserv: its slice timer) */
	VMM_EXIT_KICK,	     /* it sent an SGI to the vCPUs of mask arg, which may sleep */
	VMM_EXIT_VCPU_START, /* PSCI CPU_ON of vCPU arg (GUEST_MAX_VCPUS: out of range) */
	VMM_EXIT_VCPU_OFF,   /* PSCI CPU_OFF: it runs again only when a VCPU_START names it */
	VMM_EXIT_POWEROFF,   /* the guest powered the VM off; arg 1: it asked for a reset */
	VMM_EXIT_RUN_FAILED, /* KC_HC_VCPU_RUN returned an error: the caller decides */
	VMM_EXIT_STOP,	     /* the VM failed (vmm_vm_fail said why): this vCPU stops */
};

/* Two words: returned in registers, on every exit's path. */
struct vmm_exit {
	enum vmm_exit_action action;
	u64 arg;
};

/* The exit's parts that do the host's work; vmm_exit_handle calls them. */
/* KC_EXIT_MMIO: emulates the access; sets v's completion. */
void vmm_exit_mmio(struct guest_vcpu *v, const struct kcore_vcpu_run *run);
/* KC_EXIT_GUEST_CALL: answers the call (or a hook does); sets v's completion. */
void vmm_exit_guest_call(struct guest_vcpu *v, const struct kcore_vcpu_run *run);
/* Say what went wrong and fail v's VM (vmm_vm_fail). */
void vmm_exit_reasons_disagree(struct guest_vcpu *v, u64 reason, const struct kcore_vcpu_run *run);
void vmm_exit_unknown(struct guest_vcpu *v, u64 reason);

static inline struct vmm_exit vmm_exit_outcome(enum vmm_exit_action action, u64 arg)
{
	return (struct vmm_exit){.action = action, .arg = arg};
}

/*
 * v's KC_HC_VCPU_RUN returned err with reason in x1, and run is its run
 * page. Calls the exit hooks first (vmm_hooks_exit, before anything
 * changes), counts the exit, then handles it. Inline: it is on every exit's
 * path, and inlined the compiler folds its answer into the caller's switch
 * on it (the benchmark's counts stay where they were before it moved here).
 */
static inline struct vmm_exit vmm_exit_handle(struct guest_vcpu *v, s64 err, u64 reason,
					      const struct kcore_vcpu_run *run)
{
	vmm_hooks_exit(v, err, reason, run); /* before the host's own code changes anything */
	v->exits++;
	if (err != KCORE_OK)
		return vmm_exit_outcome(VMM_EXIT_RUN_FAILED, 0);
	if (reason != run->out.reason) {
		vmm_exit_reasons_disagree(v, reason, run);
		return vmm_exit_outcome(VMM_EXIT_STOP, 0);
	}
	switch (reason) {
	case KC_EXIT_MMIO:
		vmm_exit_mmio(v, run);
		return vmm_exit_outcome(VMM_EXIT_RUN_ON, 0);
	case KC_EXIT_GUEST_CALL:
		vmm_exit_guest_call(v, run);
		return vmm_exit_outcome(VMM_EXIT_RUN_ON, 0);
	case KC_EXIT_MEM_FAULT:
		return vmm_exit_outcome(VMM_EXIT_RAM_FAULT, run->out.fault.ipa);
	case KC_EXIT_POWEROFF:
		return vmm_exit_outcome(VMM_EXIT_POWEROFF, run->out.poweroff.reset != 0);
	case KC_EXIT_WFI:
		return vmm_exit_outcome(VMM_EXIT_WAIT, 0);
	case KC_EXIT_YIELD:
		return vmm_exit_outcome(VMM_EXIT_SPIN, 0);
	case KC_EXIT_IRQ:
		return vmm_exit_outcome(VMM_EXIT_HOST_IRQ, 0);
	case KC_EXIT_KICK:
		return vmm_exit_outcome(VMM_EXIT_KICK, run->out.kick.vcpus);
	case KC_EXIT_VCPU_START:
		return vmm_exit_outcome(VMM_EXIT_VCPU_START, run->out.start.vcpuid < GUEST_MAX_VCPUS
								 ? run->out.start.vcpuid
								 : GUEST_MAX_VCPUS);
	case KC_EXIT_VCPU_OFF:
		return vmm_exit_outcome(VMM_EXIT_VCPU_OFF, 0);
	default:
		vmm_exit_unknown(v, reason);
		return vmm_exit_outcome(VMM_EXIT_STOP, 0);
	}
}

/* Gives what is left of g's UART line to the backend (at teardown). */
void vmm_uart_flush(struct guest *g);

/* "MMIO", "MEM_FAULT", ...: an exit reason's name, for reports. */
const char *vmm_exit_reason_name(u64 reason);

#endif /* VMM_EXIT_H */
