/* SPDX-License-Identifier: MIT */
#include "exceptions.h"

#include "console.h"
#include "el1/smccc.h"
#include "esr.h"
#include "format.h"
#include "layout.h"
#include "probe.h"
#include "psci.h"
#include "sysreg.h"

/* Unexpected exceptions being handled per CPU: a second one stops the CPU at once. */
static u32 fatal_depth[KSERV_MAX_CPUS];
static bool told_no_hypervisor;

static const char *vector_name(u64 vector)
{
	static const char *const source[] = {"EL1 with SP_EL0", "EL1h", "lower EL (AArch64)",
					     "lower EL (AArch32)"};
	static const char *const kind[] = {"synchronous", "IRQ", "FIQ", "SError"};
	static char buf[64];

	format_buf(buf, sizeof(buf), "%s from %s", kind[vector & 3], source[(vector >> 2) & 3]);
	return buf;
}

static void report_abort(const struct exc_frame *f, const char *tag, const char *tail)
{
	char detail[96];

	esr_describe(f->esr, detail, sizeof(detail));
	kprintf("kserv: abort: %sEC=0x%02x %s (%s), FAR=0x%lx, ESR=0x%lx, ELR=0x%lx, cpu %u%s\n",
		tag, esr_ec(f->esr), esr_ec_name(esr_ec(f->esr)), detail, f->far, f->esr, f->elr,
		read_cpu_index(), tail);
}

/* An HVC or SMC with nothing above EL1 to take it is UNDEFINED: answer NOT_SUPPORTED. */
static bool claim_undefined_conduit(struct exc_frame *f)
{
	bool hvc = f->elr == (u64)(uintptr_t)smccc_hvc_insn;

	if (esr_ec(f->esr) != ESR_EC_UNKNOWN || (!hvc && f->elr != (u64)(uintptr_t)smccc_smc_insn))
		return false;
	if (!told_no_hypervisor) {
		told_no_hypervisor = true;
		kprintf("kserv: %s #0 is undefined here (nothing at EL%u to take it); such calls "
			"now return NOT_SUPPORTED\n",
			hvc ? "hvc" : "smc", hvc ? 2u : 3u);
	}
	f->x[0] = (u64)-1; /* SMCCC NOT_SUPPORTED, KCORE_E_NOT_SUPPORTED */
	f->elr += 4;
	return true;
}

void kserv_fail(const char *why)
{
	kprintf("KSERV: FAILED: %s\n", why);
	kserv_poweroff();
}

void el1_exception(struct exc_frame *f, u64 vector)
{
	u32 cpu = read_cpu_index() % KSERV_MAX_CPUS;

	if (vector == VEC_CUR_SPX_SYNC) {
		if (probe_claim_abort(f)) {
			if (!probe_is_quiet())
				report_abort(f, "", " (probe: resuming)");
			return;
		}
		if (claim_undefined_conduit(f))
			return;
	}
	if (fatal_depth[cpu]++ > 0) {
		/* Failing inside the failure path: nothing left to trust on this CPU. */
		for (;;)
			wfi();
	}
	if ((vector & 3) == VEC_KIND_SYNC) {
		report_abort(f, "unexpected: ", "");
		if (vector != VEC_CUR_SPX_SYNC)
			kprintf("kserv: abort: (taken as %s)\n", vector_name(vector));
	} else {
		kprintf("kserv: abort: unexpected: %s, ELR=0x%lx, SPSR=0x%lx, ESR=0x%lx, cpu %u\n",
			vector_name(vector), f->elr, f->spsr, f->esr, cpu);
	}
	kserv_fail("unexpected exception");
}
