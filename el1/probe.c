/* SPDX-License-Identifier: MIT */
/*
 * The probes of probe.h. The CPU arms its flag around one of the labelled
 * instructions of probe_access.S; a synchronous data abort (or, for the SVE
 * one, an undefined instruction) taken at exactly that instruction while
 * armed is recorded and skipped.
 */
#include "probe.h"

#include <stdatomic.h>

#include "esr.h"
#include "layout.h"
#include "sysreg.h"

u64 probe_load64(u64 addr);
void probe_store64(u64 addr, u64 val);
void probe_store32(u64 addr, u32 val);
u64 probe_sve_rdvl(void);
extern const u32 probe_load64_insn[];
extern const u32 probe_store64_insn[];
extern const u32 probe_store32_insn[];
extern const u32 probe_sve_rdvl_insn[];

struct probe_state {
	volatile bool armed;
	volatile bool undef_armed; /* probe_undef: an undefined instruction in it is skipped */
	volatile bool aborted;
	bool quiet;
	struct probe_abort last;
};

static struct probe_state probe_cpu[EL1_MAX_CPUS];

static struct probe_state *this_probe(void)
{
	return &probe_cpu[read_cpu_index() % EL1_MAX_CPUS];
}

/* Orders the flag updates against the probing instruction (an asm call). */
static void probe_barrier(void)
{
	atomic_signal_fence(memory_order_seq_cst);
}

/* Arms this CPU's probe around one probing instruction; probe_disarm says whether it aborted. */
static struct probe_state *probe_arm(void)
{
	struct probe_state *p = this_probe();

	p->aborted = false;
	p->armed = true;
	probe_barrier();
	return p;
}

/* True if the instruction completed. */
static bool probe_disarm(struct probe_state *p)
{
	probe_barrier();
	p->armed = false;
	return !p->aborted;
}

bool probe_read64(u64 addr, u64 *val)
{
	struct probe_state *p = probe_arm();
	u64 v = probe_load64(addr);

	if (!probe_disarm(p))
		return false;
	*val = v;
	return true;
}

bool probe_write64(u64 addr, u64 val)
{
	struct probe_state *p = probe_arm();

	probe_store64(addr, val);
	return probe_disarm(p);
}

bool probe_write32(u64 addr, u32 val)
{
	struct probe_state *p = probe_arm();

	probe_store32(addr, val);
	return probe_disarm(p);
}

bool probe_sve(u64 *vector_bytes)
{
	struct probe_state *p = probe_arm();
	u64 v = probe_sve_rdvl();

	if (!probe_disarm(p))
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

/* What a refused system register access raises at EL1: undefined, or an FP/SVE/SME trap. */
static bool is_refused_access(u64 esr)
{
	u32 ec = esr_ec(esr);

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
	u32 ec = esr_ec(f->esr);

	if (p->undef_armed && is_refused_access(f->esr)) {
		p->last = (struct probe_abort){f->esr, f->far, f->elr};
		p->aborted = true;
		f->elr += 4;
		return true;
	}
	if (!p->armed)
		return false;
	if (ec == ESR_EC_DABT_CUR) {
		if (f->elr != (u64)(uintptr_t)probe_load64_insn &&
		    f->elr != (u64)(uintptr_t)probe_store64_insn &&
		    f->elr != (u64)(uintptr_t)probe_store32_insn)
			return false;
	} else if (ec != ESR_EC_UNKNOWN || f->elr != (u64)(uintptr_t)probe_sve_rdvl_insn) {
		return false;
	}
	p->last = (struct probe_abort){f->esr, f->far, f->elr};
	p->aborted = true;
	f->elr += 4;
	return true;
}
