// SPDX-License-Identifier: MIT
/*
 * The arch interface of core/arch.h on the simulated machine. Whatever
 * hardware would not survive (a PA outside RAM, a kcore VA that does not
 * translate) is a core bug and stops the process loudly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arch/sim/sim_internal.h"
#include "core/arch.h"

void *arch_pa_to_ptr(paddr_t pa)
{
	void *p = sim_ram_ptr(pa);

	if (!p)
		sim_die("arch_pa_to_ptr(%#llx): not RAM (core bug)",
			(unsigned long long)pa_addr(pa));
	return p;
}

/* kcore reads through its own stage-1, hence through the TLB like the CPU. */
const void *arch_kva_to_ptr(vaddr_t va)
{
	enum sim_access_result r;
	paddr_t pa;

	r = sim_translate(SIM_REGIME_EL2, va_addr(va), false, true, &pa);
	if (r != SIM_OK)
		sim_die("arch_kva_to_ptr(%#llx): %s in kcore's stage-1 (core bug)",
			(unsigned long long)va_addr(va), sim_access_result_name(r));
	if (!sim_is_ram(pa))
		sim_die("arch_kva_to_ptr(%#llx): maps PA %#llx, not RAM (core bug)",
			(unsigned long long)va_addr(va), (unsigned long long)pa_addr(pa));
	return sim_ram_ptr(pa);
}

void arch_tlbi_s2_ipa(u32 vmid, ipaddr_t ipa)
{
	sim_record_tlbi(SIM_TLBI_S2_IPA, vmid, ipa_addr(ipa));
	/* Beyond the modelled VMIDs nothing can be cached (SIM_REGIME_EL2 is not a VMID). */
	if (vmid < SIM_NR_VMIDS)
		sim_tlb_drop_addr(vmid, ipa_addr(ipa));
}

void arch_tlbi_s2_vmid(u32 vmid)
{
	sim_record_tlbi(SIM_TLBI_S2_VMID, vmid, 0);
	if (vmid < SIM_NR_VMIDS)
		sim_tlb_drop_regime(vmid);
}

void arch_tlbi_el2_va(vaddr_t va)
{
	sim_record_tlbi(SIM_TLBI_EL2_VA, 0, va_addr(va));
	sim_tlb_drop_addr(SIM_REGIME_EL2, va_addr(va));
}

void arch_host_inject_abort(ipaddr_t ipa)
{
	sim_record_host_abort(ipa);
}

/*
 * The simulated machine has no FP state to protect; it checks that the core
 * brackets its crypto properly (never nested, always closed).
 */
static int crypto_depth;

void arch_crypto_begin(void)
{
	if (crypto_depth != 0) {
		fputs("sim: nested arch_crypto_begin\n", stderr);
		abort();
	}
	crypto_depth = 1;
}

void arch_crypto_end(void)
{
	if (crypto_depth != 1) {
		fputs("sim: arch_crypto_end without begin\n", stderr);
		abort();
	}
	crypto_depth = 0;
}

void arch_console_write(const char *s, size_t len)
{
	sim_record_console(s, len);
}

_Noreturn void arch_halt_all(void)
{
	fflush(stdout);
	fputs("kcore: halted\n", stderr);
	_exit(SIM_HALT_EXIT_CODE);
}

/*
 * The simulated CPU's random number generator: a fixed sequence (xorshift64*)
 * so runs repeat; sim_random_fail() makes it report failure like RNDR can.
 */
static u64 random_state = 0x9e3779b97f4a7c15ull;
static bool random_broken;

void sim_random_reset(u64 seed, bool broken)
{
	random_state = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
	random_broken = broken;
}

bool arch_random_bytes(void *buf, size_t len)
{
	u8 *out = buf;

	if (random_broken)
		return false;
	for (size_t i = 0; i < len; i++) {
		random_state ^= random_state >> 12;
		random_state ^= random_state << 25;
		random_state ^= random_state >> 27;
		out[i] = (u8)((random_state * 0x2545f4914f6cdd1dull) >> 56);
	}
	return true;
}

u32 arch_vcpu_state_format(void)
{
	return 0x51300001u; /* "sim", layout 1: the arch words are the simulator's counters */
}
