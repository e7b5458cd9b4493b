/* SPDX-License-Identifier: MIT */
/* The portable core's arch interface (core/arch.h) on aarch64 at EL2. */
#include "core/arch.h"
#include "core/lib/log.h"
#include "el2ctl.h"
#include "percpu.h"
#include "pl011.h"
#include "psci.h"
#include "reset.h"
#include "sysreg.h"

struct cpu cpus[KCORE_MAX_CPUS];
u32 nr_cpus;

void fp_save(struct fp_state *fp);
void fp_restore(const struct fp_state *fp);

/* kcore's stage-1 maps all RAM at its physical address. */
void *arch_pa_to_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

const void *arch_kva_to_ptr(vaddr_t va)
{
	return (const void *)(uintptr_t)va_addr(va);
}

#define VTTBR_VMID_SHIFT 48
#define VTTBR_VMID_MASK	 (0xffull << VTTBR_VMID_SHIFT)

/*
 * Stage-2 TLBIs act on the VMID in VTTBR_EL2: point it at the target VMID
 * for the invalidation, then put the running one back.
 */
static u64 switch_vmid(u32 vmid)
{
	u64 saved = read_sysreg(vttbr_el2);

	if (((saved & VTTBR_VMID_MASK) >> VTTBR_VMID_SHIFT) != vmid) {
		write_sysreg(vttbr_el2,
			     (saved & ~VTTBR_VMID_MASK) | ((u64)vmid << VTTBR_VMID_SHIFT));
		isb();
	}
	return saved;
}

static void restore_vmid(u64 saved)
{
	write_sysreg(vttbr_el2, saved);
	isb();
}

void arch_tlbi_s2_ipa(u32 vmid, ipaddr_t ipa)
{
	u64 saved = switch_vmid(vmid);

	dsb_ishst();
	__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(ipa_addr(ipa) >> 12) : "memory");
	dsb_ish();
	/* Combined stage-1+2 entries may hold the old translation too. */
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb_ish();
	isb();
	restore_vmid(saved);
}

void arch_tlbi_s2_vmid(u32 vmid)
{
	u64 saved = switch_vmid(vmid);

	dsb_ishst();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb_ish();
	isb();
	restore_vmid(saved);
}

void arch_tlbi_el2_va(vaddr_t va)
{
	dsb_ishst();
	__asm__ volatile("tlbi vae2is, %0" : : "r"(va_addr(va) >> 12) : "memory");
	dsb_ish();
	isb();
}

/* The SMMU hooks (arch_smmu_*) are the SMMUv3 driver's: smmuv3.c. */

void arch_crypto_begin(void)
{
	fp_save(&this_cpu()->fp);
}
void arch_crypto_end(void)
{
	fp_restore(&this_cpu()->fp);
}

void arch_console_write(const char *s, size_t len)
{
	pl011_write(s, len);
}

_Noreturn void arch_halt_all(void)
{
	/*
	 * PSCI SYSTEM_OFF stops every CPU at once; a CPU that could keep running
	 * the host after a broken invariant would defeat the point of halting.
	 * Before it, as before a reset, the other CPUs park and everything that
	 * is not the host's is zeroed (reset.c).
	 */
	reset_scrub_and_call(PSCI_SYSTEM_OFF, 0, 0);
}

void arch_clean_dcache_range(paddr_t pa, u64 len)
{
	/* CTR_EL0.DminLine [19:16]: log2 of the smallest data cache line, in words. */
	u64 line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	u64 start = pa_addr(pa) & ~(line - 1), end = pa_addr(pa) + len;

	/* kcore's view of RAM is the identity (arch_pa_to_ptr): clean by that VA. */
	for (u64 va = start; va < end; va += line)
		__asm__ volatile("dc civac, %0" ::"r"(va) : "memory");
	/* Full system: the next reader may be a device, not only another CPU. */
	__asm__ volatile("dsb sy" ::: "memory");
}

void arch_dcache_hand_over(paddr_t pa, u64 len)
{
	if (!el2ctl.fwb)
		arch_clean_dcache_range(pa, len);
}

void arch_sync_icache(void)
{
	/* CTR_EL0.DIC [29]: instruction fetches see data writes without maintenance. */
	if ((read_sysreg(ctr_el0) & (1ull << 29)) != 0)
		return;
	__asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}
