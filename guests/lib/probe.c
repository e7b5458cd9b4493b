/* SPDX-License-Identifier: MIT */
/*
 * Probes: a 64-bit load or store the guest expects may abort (an attack
 * guest touching what it must not), or an SVE instruction it expects to be
 * undefined. The vCPU arms its flag around one of the labelled instructions
 * of start.S; a synchronous data abort (or, for the SVE one, an undefined
 * instruction) taken at exactly that instruction while armed is recorded and
 * skipped. Any other exception stays unexpected.
 */
#include "exc_frame.h"

u64 probe_load64(u64 ipa);
void probe_store64(u64 ipa, u64 val);
u64 probe_sve_rdvl(void);
extern const u32 probe_load64_insn[], probe_store64_insn[], probe_sve_rdvl_insn[];

struct probe_state {
	volatile bool armed;
	volatile bool undef_armed; /* probe_undef: any undefined instruction in it is skipped */
	volatile bool aborted;
	bool quiet;
	struct probe_abort last;
};

static struct probe_state probes[GUEST_MAX_CPUS];

static struct probe_state *this_probe(void)
{
	return &probes[this_cpu() % GUEST_MAX_CPUS];
}

/* Keeps the compiler from moving the flag updates across the probing call. */
static void probe_barrier(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

bool probe_read64(u64 ipa, u64 *val)
{
	struct probe_state *p = this_probe();
	u64 v;

	p->aborted = false;
	p->armed = true;
	probe_barrier();
	v = probe_load64(ipa);
	probe_barrier();
	p->armed = false;
	if (p->aborted)
		return false;
	*val = v;
	return true;
}

bool probe_write64(u64 ipa, u64 val)
{
	struct probe_state *p = this_probe();

	p->aborted = false;
	p->armed = true;
	probe_barrier();
	probe_store64(ipa, val);
	probe_barrier();
	p->armed = false;
	return !p->aborted;
}

bool probe_sve(u64 *vector_bytes)
{
	struct probe_state *p = this_probe();
	u64 v;

	p->aborted = false;
	p->armed = true;
	probe_barrier();
	v = probe_sve_rdvl();
	probe_barrier();
	p->armed = false;
	if (p->aborted)
		return false;
	*vector_bytes = v;
	return true;
}

bool probe_undef(void (*fn)(u64 *), u64 *val)
{
	struct probe_state *p = this_probe();
	bool quiet = p->quiet;

	p->quiet = true; /* a refused access is an answer, not news */
	p->aborted = false;
	p->undef_armed = true;
	probe_barrier();
	fn(val);
	probe_barrier();
	p->undef_armed = false;
	p->quiet = quiet;
	return !p->aborted;
}

/*
 * The exception classes a system register access can take at EL1 when it is
 * not allowed: undefined (kcore refusing it, or no such register), and the
 * FP, SVE and SME traps CPACR_EL1 may route to EL1.
 */
static bool is_refused_access(u64 esr)
{
	u64 ec = ESR_EC(esr);

	return ec == ESR_EC_UNKNOWN || ec == 0x07 || ec == 0x18 || ec == 0x19 || ec == 0x1d;
}

struct probe_abort probe_last_abort(void)
{
	return this_probe()->last;
}

void probe_set_quiet(bool quiet)
{
	this_probe()->quiet = quiet;
}

bool probe_is_quiet(void)
{
	return this_probe()->quiet;
}

bool probe_claim_abort(struct exc_frame *f)
{
	struct probe_state *p = this_probe();

	if (p->undef_armed && is_refused_access(f->esr)) {
		p->last = (struct probe_abort){f->esr, f->far};
		p->aborted = true;
		f->elr += 4;
		return true;
	}
	if (!p->armed)
		return false;
	if (ESR_EC(f->esr) == ESR_EC_DABT_CUR) {
		if (f->elr != (u64)(uintptr_t)probe_load64_insn &&
		    f->elr != (u64)(uintptr_t)probe_store64_insn)
			return false;
	} else if (ESR_EC(f->esr) != ESR_EC_UNKNOWN ||
		   f->elr != (u64)(uintptr_t)probe_sve_rdvl_insn) {
		return false;
	}
	p->last = (struct probe_abort){f->esr, f->far};
	p->aborted = true;
	f->elr += 4;
	return true;
}
