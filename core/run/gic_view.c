/* SPDX-License-Identifier: MIT */
#include "gic_view.h"

#include <kcore/payload.h>

#include "core/arch.h"
#include "core/vm/virq.h"

/* The guest's GIC (Arm IHI 0069): the frames and the offsets kcore looks at. */
#define GICD_SIZE	   0x10000ull
#define GICR_STRIDE	   0x20000ull /* RD_base, then SGI_base */
#define GICR_SGI_BASE	   0x10000ull
#define REG_ISENABLER	   0x100u
#define REG_ICENABLER	   0x180u
#define REG_ISPENDR	   0x200u /* ICPENDR at +0x80, ISACTIVER +0x100, ICACTIVER +0x180 */
#define REG_ICPENDR	   0x280u
#define REG_ICACTIVER	   0x380u
#define REG_ICACTIVER_END  0x400u
#define REG_WORDS_PER_KIND 32u

/*
 * A read of a pending or active register, at off in a frame, as gic_read
 * says it; 0 if off is none. In the distributor (word 0 is the
 * redistributor's under affinity routing) only words 1..31.
 */
static u8 state_read(u64 off, bool distributor)
{
	u32 kind, word;

	if (off < REG_ISPENDR || off >= REG_ICACTIVER_END)
		return 0;
	kind = (u32)(off - REG_ISPENDR) / (4 * REG_WORDS_PER_KIND); /* ISP, ICP, ISA, ICA */
	word = (u32)(off % (4ull * REG_WORDS_PER_KIND)) / 4;
	if (distributor ? word == 0 : word != 0)
		return 0;
	return (u8)(GIC_READ_VALID | (kind >= 2 ? GIC_READ_ACTIVE : 0) | word);
}

/*
 * A write to a clear-pending register at off in a frame: the INTIDs it
 * names stop being pending in kcore's list registers and pending set too.
 * (A level-triggered one still asserted, the timer's, is pending again at
 * the next entry, as on a GIC.)
 */
static void clear_pending(struct vcpu *vcpu, u64 off, bool distributor, u32 bits)
{
	u32 word = (u32)(off - REG_ICPENDR) / 4;

	if (off < REG_ICPENDR || off >= REG_ICPENDR + 4 * REG_WORDS_PER_KIND || bits == 0 ||
	    (distributor ? word == 0 : word != 0))
		return;
	arch_vcpu_irq_unpend(vcpu, word * 32, bits);
	virq_unpend(vcpu, word * 32, bits);
}

/*
 * A write to a clear-active register at off in a frame: the INTIDs it
 * names stop being active in kcore's list registers too, as if the guest
 * had deactivated them (its timer's included: a level still high makes it
 * pending again at the next entry, as on a GIC).
 */
static void clear_active(struct vcpu *vcpu, u64 off, bool distributor, u32 bits)
{
	u32 word = (u32)(off - REG_ICACTIVER) / 4;

	if (off < REG_ICACTIVER || off >= REG_ICACTIVER_END || bits == 0 ||
	    (distributor ? word == 0 : word != 0))
		return;
	arch_vcpu_irq_deactivate(vcpu, word * 32, bits);
}

/* A write kcore looks at besides the enables: clear-pending or clear-active. */
static void clear_state(struct vcpu *vcpu, u64 off, bool distributor, u32 bits)
{
	if (off < REG_ICACTIVER)
		clear_pending(vcpu, off, distributor, bits);
	else
		clear_active(vcpu, off, distributor, bits);
}

u8 gic_view_exit(struct vcpu *vcpu, u32 vcpuid, u64 ipa, u32 size, bool write, u64 value)
{
	u64 rd_sgi = KCORE_GUEST_GICR_BASE + GICR_STRIDE * vcpuid + GICR_SGI_BASE;
	u64 off;

	if (size != 4 || (ipa & 3) != 0)
		return 0;
	if (ipa >= rd_sgi && ipa - rd_sgi < GICR_SGI_BASE) {
		off = ipa - rd_sgi;
		if (write) {
			if (off == REG_ISENABLER)
				virq_set_ppi_enables(vcpu, (u32)value, 0);
			else if (off == REG_ICENABLER)
				virq_set_ppi_enables(vcpu, 0, (u32)value);
			else
				clear_state(vcpu, off, false, (u32)value);
			return 0;
		}
		return state_read(off, false);
	}
	if (ipa < KCORE_GUEST_GICD_BASE || ipa - KCORE_GUEST_GICD_BASE >= GICD_SIZE)
		return 0;
	off = ipa - KCORE_GUEST_GICD_BASE;
	if (write) {
		clear_state(vcpu, off, true, (u32)value);
		return 0;
	}
	return state_read(off, true);
}

u64 gic_view_read(struct vcpu *vcpu, u8 gic_read, u64 host_value)
{
	u32 first = (gic_read & GIC_READ_WORD) * 32;
	bool active = (gic_read & GIC_READ_ACTIVE) != 0;
	u32 bits = arch_vcpu_irq_bits(vcpu, first, active);

	if (!active)
		bits |= virq_pending_bits(vcpu, first);
	return host_value | bits;
}
