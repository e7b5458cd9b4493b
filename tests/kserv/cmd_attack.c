/* SPDX-License-Identifier: MIT */
/*
 * "attack-kcore [sweep]": the host tries to read and write kcore's memory,
 * from every CPU that is up (each runs behind the host stage-2 kcore
 * installed on it). The targets are the /memreserve/ ranges kcore passes: its
 * image (code and data) and its carve-out (page-ownership table and page
 * tables). Each target word is read, then written with a poison value.
 *
 * Plain: the first, middle and last word of each range, one line per access
 * (the QEMU harness reads those addresses back afterwards and checks the
 * poison is not there). "sweep": the first word of every page of every
 * range, reporting only what did not abort as it should.
 *
 * Every access must abort with a data abort whose FAR is the address tried.
 * Marker: "ATTACK-KCORE: N attempts, N aborted, 0 succeeded".
 */
#include <string.h>

#include "drivers.h"
#include "kserv/commands.h"
#include "kserv/console.h"
#include "kserv/esr.h"
#include "kserv/fdt_info.h"
#include "kserv/format.h"
#include "kserv/probe.h"
#include "kserv/smp.h"
#include "kserv/sysreg.h"

/* Written by every attempted store; the QEMU harness looks for it in kcore's memory. */
#define ATTACK_POISON ((u64)0x6b73657276212121) /* "kserv!!!" read as a big-endian word */

struct attack {
	bool sweep;
	u32 attempts;
	u32 aborted;
	u32 succeeded;
	u32 bad_syndrome; /* aborted, but not as a data abort at the address tried */
};

/* Counts the abort of the last probe; true if its syndrome names this access. */
static bool tally_abort(struct attack *t, u64 pa)
{
	struct probe_abort a = kserv_probe_last_abort();
	bool right = esr_ec(a.esr) == ESR_EC_DABT_CUR && a.far == pa;

	t->aborted++;
	if (!right)
		t->bad_syndrome++;
	return right;
}

static void one_access(struct attack *t, u32 cpu, bool write, u64 pa, const char *where)
{
	const char *op = write ? "write" : "read ";
	struct probe_abort a;
	bool right;
	u64 v = 0;

	t->attempts++;
	if (write ? kserv_probe_write(pa, ATTACK_POISON) : kserv_probe_read(pa, &v)) {
		t->succeeded++;
		kprintf("attack: cpu %u: %s 0x%lx (%s): SUCCEEDED%s0x%016lx\n", cpu, op, pa, where,
			write ? ", wrote " : ", read ", write ? ATTACK_POISON : v);
		return;
	}
	right = tally_abort(t, pa);
	if (t->sweep && right)
		return;
	a = kserv_probe_last_abort();
	kprintf("attack: cpu %u: %s 0x%lx (%s): aborted, ESR=0x%lx FAR=0x%lx%s\n", cpu, op, pa,
		where, a.esr, a.far, right ? "" : " (syndrome does not match the access)");
}

static void attack_word(struct attack *t, u32 cpu, u64 pa, const char *where)
{
	one_access(t, cpu, false, pa, where);
	one_access(t, cpu, true, pa, where);
}

static void attack_range(struct attack *t, u32 cpu, u32 i, const struct range *r)
{
	u64 first = align_up(r->base, 8);
	u64 last = align_down(range_end(r) - 8, 8);
	u64 middle = align_down(r->base + r->size / 2, 8);
	u32 before = t->attempts;
	char where[48];

	if (r->size < 8 || last < first)
		return;
	if (!t->sweep) {
		format_buf(where, sizeof(where), "memreserve %u, first word", i);
		attack_word(t, cpu, first, where);
		format_buf(where, sizeof(where), "memreserve %u, middle word", i);
		attack_word(t, cpu, middle, where);
		format_buf(where, sizeof(where), "memreserve %u, last word", i);
		attack_word(t, cpu, last, where);
		return;
	}
	format_buf(where, sizeof(where), "memreserve %u, sweep", i);
	for (u64 pa = first; pa <= last; pa = align_down(pa, KSERV_PAGE_SIZE) + KSERV_PAGE_SIZE)
		attack_word(t, cpu, pa, where);
	kprintf("attack: cpu %u: memreserve %u 0x%lx-0x%lx: %u accesses, one read and one write "
		"per page\n",
		cpu, i, r->base, range_end(r), t->attempts - before);
}

static void attack_from_this_cpu(void *arg)
{
	struct attack *t = arg;
	u32 cpu = read_cpu_index();

	kserv_probe_set_quiet(t->sweep);
	for (u32 i = 0; i < machine.nr_reserved; i++)
		attack_range(t, cpu, i, &machine.reserved[i]);
	kserv_probe_set_quiet(false);
}

int cmd_attack_kcore(int argc, char **argv)
{
	struct attack per_cpu[KSERV_MAX_CPUS];
	struct attack sum = {0};
	bool sweep = argc == 2 && strcmp(argv[1], "sweep") == 0;
	u32 cpus_run = 0;

	if (argc > 2 || (argc == 2 && !sweep)) {
		kprintf("usage: attack-kcore [sweep]\n");
		return 1;
	}
	if (machine.nr_reserved == 0)
		kprintf(
		    "attack: the DTB has no /memreserve/ entries: nothing of kcore's to attack\n");
	for (u32 cpu = 0; cpu < smp_nr_cpus(); cpu++) {
		per_cpu[cpu] = (struct attack){.sweep = sweep};
		if (!smp_cpu_online(cpu))
			continue;
		if (!smp_call(cpu, attack_from_this_cpu, &per_cpu[cpu])) {
			kprintf("attack: cpu %u did not run the attack\n", cpu);
			continue;
		}
		cpus_run++;
		sum.attempts += per_cpu[cpu].attempts;
		sum.aborted += per_cpu[cpu].aborted;
		sum.succeeded += per_cpu[cpu].succeeded;
		sum.bad_syndrome += per_cpu[cpu].bad_syndrome;
	}
	kprintf("attack: %u reserved ranges from %u CPUs; %u aborts with a wrong syndrome\n",
		machine.nr_reserved, cpus_run, sum.bad_syndrome);
	kprintf("ATTACK-KCORE: %u attempts, %u aborted, %u succeeded\n", sum.attempts, sum.aborted,
		sum.succeeded);
	return sum.attempts > 0 && sum.aborted == sum.attempts && sum.bad_syndrome == 0 ? 0 : 1;
}
