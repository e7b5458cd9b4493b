/* SPDX-License-Identifier: MIT */
#include "smp.h"

#include <stdatomic.h>

#include "console.h"
#include "psci.h"
#include "sysreg.h"

/* How long a CPU may take to come up, or to finish posted work. */
#define CPU_UP_TIMEOUT_MS 5000
#define CALL_TIMEOUT_MS	  10000

struct cpu_slot {
	u64 mpidr;
	s64 cpu_on_result;
	_Atomic bool online;
	/* Work posting: the boot CPU sets fn/arg, then bumps request; the CPU bumps done. */
	smp_fn fn;
	void *arg;
	_Atomic u32 request;
	_Atomic u32 done;
};

static struct cpu_slot cpus[KSERV_MAX_CPUS];
static u32 nr_cpus;

extern const u32 el1_secondary_entry[];

u64 time_ms(void)
{
	u64 freq = read_cntfrq();

	/* CNTFRQ_EL0 is firmware-set; if it was left at 0, assume QEMU's 62.5 MHz. */
	return read_cntvct() / (freq >= 1000 ? freq / 1000 : 62500);
}

void smp_init(const struct machine *m)
{
	u64 me = read_mpidr();
	bool found = false;

	cpus[0].mpidr = me;
	atomic_store_explicit(&cpus[0].online, true, memory_order_release);
	nr_cpus = 1;
	for (u32 i = 0; i < m->nr_cpus; i++) {
		if (m->cpu_mpidr[i] == me) {
			found = true;
			continue;
		}
		if (nr_cpus < KSERV_MAX_CPUS)
			cpus[nr_cpus++].mpidr = m->cpu_mpidr[i];
	}
	if (!found)
		kprintf("kserv: warning: boot CPU MPIDR 0x%lx is not in the DTB\n", me);
	if (m->nr_cpus_in_dtb > KSERV_MAX_CPUS)
		kprintf("kserv: the DTB lists %u CPUs; kserv uses the first %u\n",
			m->nr_cpus_in_dtb, KSERV_MAX_CPUS);
}

void smp_start_secondaries(void)
{
	u64 deadline;

	for (u32 i = 1; i < nr_cpus; i++) {
		s64 ret = psci_cpu_on(cpus[i].mpidr, (u64)(uintptr_t)el1_secondary_entry, i);

		cpus[i].cpu_on_result = ret;
		if (ret != PSCI_SUCCESS)
			kprintf("kserv: CPU_ON cpu %u (MPIDR 0x%lx): %s (%ld)\n", i, cpus[i].mpidr,
				psci_err_name(ret), ret);
	}
	deadline = time_ms() + CPU_UP_TIMEOUT_MS;
	for (u32 i = 1; i < nr_cpus; i++) {
		if (cpus[i].cpu_on_result != PSCI_SUCCESS)
			continue;
		while (!atomic_load_explicit(&cpus[i].online, memory_order_acquire) &&
		       time_ms() < deadline)
			cpu_relax();
		if (!smp_cpu_online(i))
			kprintf("kserv: cpu %u (MPIDR 0x%lx) did not come up\n", i, cpus[i].mpidr);
	}
}

u32 smp_nr_cpus(void)
{
	return nr_cpus;
}

u64 smp_cpu_mpidr(u32 cpu)
{
	return cpu < nr_cpus ? cpus[cpu].mpidr : 0;
}

bool smp_cpu_online(u32 cpu)
{
	return cpu < nr_cpus && atomic_load_explicit(&cpus[cpu].online, memory_order_acquire);
}

u32 smp_nr_online(void)
{
	u32 n = 0;

	for (u32 i = 0; i < nr_cpus; i++)
		n += smp_cpu_online(i) ? 1 : 0;
	return n;
}

s64 smp_cpu_on_result(u32 cpu)
{
	return cpu < nr_cpus ? cpus[cpu].cpu_on_result : PSCI_E_INVALID_PARAMS;
}

static bool cpu_idle(const struct cpu_slot *c)
{
	return atomic_load_explicit(&c->done, memory_order_acquire) ==
	       atomic_load_explicit(&c->request, memory_order_relaxed);
}

bool smp_post(u32 cpu, smp_fn fn, void *arg)
{
	struct cpu_slot *c = &cpus[cpu];
	u32 req;

	if (!smp_cpu_online(cpu) || cpu == read_cpu_index() || !cpu_idle(c))
		return false;
	req = atomic_load_explicit(&c->request, memory_order_relaxed) + 1;
	c->fn = fn;
	c->arg = arg;
	atomic_store_explicit(&c->request, req, memory_order_release);
	sev();
	return true;
}

bool smp_wait(u32 cpu, u64 timeout_ms)
{
	const struct cpu_slot *c = &cpus[cpu];
	u64 deadline = time_ms() + timeout_ms;

	if (cpu >= nr_cpus)
		return true;
	while (!cpu_idle(c)) {
		if (timeout_ms != SMP_WAIT_FOREVER && time_ms() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

bool smp_call(u32 cpu, smp_fn fn, void *arg)
{
	if (!smp_cpu_online(cpu))
		return false;
	if (cpu == read_cpu_index()) {
		fn(arg);
		return true;
	}
	if (!smp_post(cpu, fn, arg)) {
		kprintf("kserv: cpu %u is busy\n", cpu);
		return false;
	}
	if (!smp_wait(cpu, CALL_TIMEOUT_MS)) {
		kprintf("kserv: cpu %u did not finish its work in %u ms\n", cpu, CALL_TIMEOUT_MS);
		return false;
	}
	return true;
}

void kserv_secondary(u64 index)
{
	u32 cpu = (u32)index;
	struct cpu_slot *c = &cpus[cpu];
	u32 seen = 0;

	kprintf("kserv: cpu %u up (MPIDR 0x%lx, EL%u)\n", cpu, read_mpidr(), read_current_el());
	if (read_mpidr() != c->mpidr)
		kprintf("kserv: warning: cpu %u was started for MPIDR 0x%lx\n", cpu, c->mpidr);
	atomic_store_explicit(&c->online, true, memory_order_release);
	for (;;) {
		u32 req = atomic_load_explicit(&c->request, memory_order_acquire);

		if (req == seen) {
			wfe();
			continue;
		}
		c->fn(c->arg);
		seen = req;
		atomic_store_explicit(&c->done, req, memory_order_release);
	}
}
