/* SPDX-License-Identifier: MIT */
/*
 * kcore's own EL2 stage-1, built through the core's write-once kmap: kcore's
 * text read-only and executable, its read-only data read-only, its data and
 * all other RAM read-write and never executable (RAM at its physical
 * address: kcore reads tables, scrubs pages, copies images), the UART and
 * the SMMU's registers as devices. Image windows are added later by the core, above all of this.
 */
#include "mmu.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "el2ctl.h"
#include "sysreg.h"
#include "timers.h"
#include "vgic.h"

extern char _start_image[], _etext[], _erodata[], _end[];

static u64 sym(const char *p)
{
	return (u64)(uintptr_t)p;
}

static void map(u64 start, u64 end, enum kcore_s1_kind kind)
{
	int err = kcore_s1_map_identity(pa_init(start), end - start, kind);

	if (err != KCORE_OK)
		kc_panic("kcore stage-1: cannot map %lx..%lx (%d)", start, end, err);
}

void mmu_build(const struct machine *m)
{
	u64 img_start = sym(_start_image), img_end = sym(_end);

	map(img_start, sym(_etext), KCORE_S1_TEXT);
	map(sym(_etext), sym(_erodata), KCORE_S1_RODATA);
	map(sym(_erodata), img_end, KCORE_S1_DATA);
	for (u32 i = 0; i < m->nr_ram; i++) {
		u64 start = pa_addr(m->ram[i].base), end = start + m->ram[i].size;

		if (img_start >= start && img_end <= end) {
			map(start, img_start, KCORE_S1_RAM);
			map(img_end, end, KCORE_S1_RAM);
		} else {
			map(start, end, KCORE_S1_RAM);
		}
	}
	map(m->uart_base & ~(PAGE_SIZE - 1), (m->uart_base & ~(PAGE_SIZE - 1)) + PAGE_SIZE,
	    KCORE_S1_DEVICE);
	/* The SMMU's registers: kcore's alone (a kcore device, never the host's). */
	map(pa_addr(m->smmu.base), pa_addr(m->smmu.base) + m->smmu.size, KCORE_S1_DEVICE);
	/*
	 * Each redistributor's RD_base page 0: mediated for the host
	 * (gicr_mediate.c); and its SGI_base page, where kcore makes the timers'
	 * PPIs reach EL2 while a guest runs (timers.c).
	 */
	for (u32 i = 0; i < m->nr_gicr_frames; i++) {
		map(m->gicr_frames[i], m->gicr_frames[i] + PAGE_SIZE, KCORE_S1_DEVICE);
		map(m->gicr_frames[i] + GICR_SGI_BASE,
		    m->gicr_frames[i] + GICR_SGI_BASE + PAGE_SIZE, KCORE_S1_DEVICE);
	}
}

static u64 pa_range_field(void)
{
	u64 parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return parange > 5 ? 5 : parange; /* 48 bits is all kcore uses */
}

void mmu_enable(void)
{
	u64 tcr = 16ull /* T0SZ: 48-bit VA */ | (1ull << 8) /* IRGN0 WB */ |
		  (1ull << 10) /* ORGN0 WB */ | (3ull << 12) /* SH0 inner */ |
		  (pa_range_field() << 16) /* PS */ | (1ull << 23) | (1ull << 31) /* RES1 */;

	write_sysreg(mair_el2, MAIR_EL2_VALUE);
	write_sysreg(tcr_el2, tcr);
	write_sysreg(ttbr0_el2, pa_addr(kcore_s1_root()));
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb_ish();
	isb();
	/* WXN: no mapping is ever both writable and executable at EL2. */
	write_sysreg(sctlr_el2,
		     SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN);
	isb();
}

void host_stage2_enable(void)
{
	u32 bits = kcore_ipa_bits();
	u64 vtcr = (64ull - bits) /* T0SZ */ | (2ull << 6) /* SL0: start at level 0 */ |
		   (1ull << 8) | (1ull << 10) | (3ull << 12) /* WB, inner shareable walks */ |
		   (pa_range_field() << 16) /* PS */ | (1ull << 31) /* RES1 */;
	paddr_t root;

	KC_CHECK(kcore_s2_root(KCORE_HOST_VMID, &root));
	/* The host sees its CPU's real identity (the reset value is UNKNOWN). */
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	write_sysreg(vtcr_el2, vtcr);
	write_sysreg(vttbr_el2, pa_addr(root)); /* VMID 0 */
	write_sysreg(cnthctl_el2, CNTHCTL_HOST);
	write_sysreg(cntvoff_el2, 0);
	/* EL2's timer is off whenever no guest runs (its reset value is UNKNOWN): timers.c. */
	write_sysreg(cnthp_ctl_el2, 0);
	write_sysreg(sctlr_el1, SCTLR_EL1_INIT);
	write_sysreg(mdcr_el2, el2ctl.mdcr_host);
	el2ctl_init_cpu();
	write_sysreg(icc_sre_el2, ICC_SRE_SRE | ICC_SRE_ENABLE);
	isb();
	vgic_reset_lrs(); /* vgic_load relies on empty list registers */
	write_sysreg(hcr_el2, el2ctl.hcr_host);
	isb();
	__asm__ volatile("tlbi alle1is" ::: "memory");
	dsb_ish();
	isb();
}
