/* SPDX-License-Identifier: MIT */
/*
 * Every exception a guest takes lands here (el1_exception, called by the EL1
 * library's vectors, el1/vectors.S). It is counted and reported as
 *
 *   GUEST <name>: exception EC=0x25 FAR=0x40200000 ESR=0x96000010 ELR=0x80000a2c vCPU 0 (probe:
 * resuming)
 *
 * Two kinds are survived: a data abort at an armed probe (el1/probe.c; not
 * reported while this vCPU's probes are quiet, its counter still counts), and an
 * HVC that is UNDEFINED because there is no EL2 at all (the smoke test on
 * plain QEMU), which then returns NOT_SUPPORTED. Anything else is a failure:
 * "GUEST <name>: FAIL unexpected exception", and the VM powers off.
 */
#include "el1/exc_frame.h"
#include "guest.h"

#define INSN_HVC_0 0xd4000002u /* hvc #0 */

static u64 exception_count;
static u32 nesting[GUEST_MAX_CPUS];
static bool told_no_hypervisor;

u64 guest_exceptions(void)
{
	return __atomic_load_n(&exception_count, __ATOMIC_RELAXED);
}

static void report(const struct exc_frame *f, const char *what)
{
	say("exception EC=0x%x FAR=0x%lx ESR=0x%lx ELR=0x%lx vCPU %u (%s)", esr_ec(f->esr), f->far,
	    f->esr, f->elr, read_cpu_index(), what);
}

static bool hvc_undefined(struct exc_frame *f)
{
	if (esr_ec(f->esr) != ESR_EC_UNKNOWN || (f->elr & 3) != 0 ||
	    *(const volatile u32 *)(uintptr_t)f->elr != INSN_HVC_0)
		return false;
	if (!told_no_hypervisor) {
		told_no_hypervisor = true;
		say("hvc #0 is undefined here (no EL2): such calls now return NOT_SUPPORTED");
	}
	f->x[0] = (u64)-1; /* SMCCC NOT_SUPPORTED */
	f->elr += 4;
	return true;
}

void (*guest_irq_handler)(void);
bool (*guest_sync_handler)(struct exc_frame *f);

/*
 * A synchronous exception someone expects: the guest's own handler's (debug
 * exceptions, guests/debug.c), a probe's abort, or an undefined HVC
 * (reported once by hvc_undefined).
 */
static bool sync_claimed(struct exc_frame *f)
{
	if (guest_sync_handler != NULL && guest_sync_handler(f))
		return true;
	if (probe_claim_abort(f)) {
		if (!probe_is_quiet())
			report(f, "probe: resuming");
		return true;
	}
	return hvc_undefined(f);
}

void el1_exception(struct exc_frame *f, u64 vector)
{
	u32 cpu = read_cpu_index() % GUEST_MAX_CPUS;

	__atomic_add_fetch(&exception_count, 1, __ATOMIC_RELAXED);
	if (++nesting[cpu] > 1) {
		/* An exception while reporting one: the console may be what fails. */
		psci_system_off();
	}
	if (vector == VEC_CUR_SPX_IRQ && guest_irq_handler != NULL) {
		guest_irq_handler();
	} else if (vector != VEC_CUR_SPX_SYNC || !sync_claimed(f)) {
		report(f, vector == VEC_CUR_SPX_SYNC ? "unexpected" : "unexpected vector");
		say("FAIL unexpected exception (vector %lu)", vector);
		psci_system_off();
	}
	nesting[cpu]--;
}
