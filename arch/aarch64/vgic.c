/* SPDX-License-Identifier: MIT */
#include "vgic.h"

#include "sysreg.h"

#define ICH_HCR_EN	 (1ull << 0)
#define LR_STATE_SHIFT	 62
#define LR_STATE_MASK	 (3ull << LR_STATE_SHIFT)
#define LR_STATE_PENDING (1ull << LR_STATE_SHIFT)
#define LR_HW		 (1ull << 61) /* the virtual interrupt stands for a physical one */
#define LR_GROUP1	 (1ull << 60)
#define LR_PINTID_SHIFT	 32
#define LR_PRIORITY(p)	 ((u64)(p) << 48)
#define LR_VINTID_MASK	 0xffffffffull

/* ICH_VTR_EL2's count of list registers, read once (every CPU of the machine is alike). */
static u32 lrs_cached;
/*
 * How many ICH_AP0Rn_EL2/ICH_AP1Rn_EL2 pairs the CPU implements: one per 32
 * preemption levels (ICH_VTR_EL2.PREbits [28:26], the count minus one: 5
 * bits is one pair, 6 two, 7 four). Each holds a guest's active priorities
 * (its ICV_AP*Rn_EL1), so each is switched; read once like lrs_cached.
 */
static u32 aprs_cached;

static inline u32 nr_aprs(void)
{
	u32 n = aprs_cached;

	if (__builtin_expect(n == 0, 0)) {
		u32 prebits = (u32)((read_sysreg(ich_vtr_el2) >> 26) & 7) + 1;

		n = prebits <= 5 ? 1 : (prebits == 6 ? 2 : 4);
		__atomic_store_n(&aprs_cached, n, __ATOMIC_RELAXED);
	}
	return n;
}

static u32 nr_lrs(void)
{
	u32 n = lrs_cached;

	if (n == 0) {
		n = (u32)(read_sysreg(ich_vtr_el2) & 0x1f) + 1;
		n = n > VGIC_MAX_LRS ? VGIC_MAX_LRS : n;
		__atomic_store_n(&lrs_cached, n, __ATOMIC_RELAXED);
	}
	return n;
}

/* The list registers are separate system registers: one case each. */
static u64 read_lr(u32 n)
{
	switch (n) {
	case 0:
		return read_sysreg(ich_lr0_el2);
	case 1:
		return read_sysreg(ich_lr1_el2);
	case 2:
		return read_sysreg(ich_lr2_el2);
	case 3:
		return read_sysreg(ich_lr3_el2);
	case 4:
		return read_sysreg(ich_lr4_el2);
	case 5:
		return read_sysreg(ich_lr5_el2);
	case 6:
		return read_sysreg(ich_lr6_el2);
	case 7:
		return read_sysreg(ich_lr7_el2);
	case 8:
		return read_sysreg(ich_lr8_el2);
	case 9:
		return read_sysreg(ich_lr9_el2);
	case 10:
		return read_sysreg(ich_lr10_el2);
	case 11:
		return read_sysreg(ich_lr11_el2);
	case 12:
		return read_sysreg(ich_lr12_el2);
	case 13:
		return read_sysreg(ich_lr13_el2);
	case 14:
		return read_sysreg(ich_lr14_el2);
	default:
		return read_sysreg(ich_lr15_el2);
	}
}

static void write_lr(u32 n, u64 v)
{
	switch (n) {
	case 0:
		write_sysreg(ich_lr0_el2, v);
		break;
	case 1:
		write_sysreg(ich_lr1_el2, v);
		break;
	case 2:
		write_sysreg(ich_lr2_el2, v);
		break;
	case 3:
		write_sysreg(ich_lr3_el2, v);
		break;
	case 4:
		write_sysreg(ich_lr4_el2, v);
		break;
	case 5:
		write_sysreg(ich_lr5_el2, v);
		break;
	case 6:
		write_sysreg(ich_lr6_el2, v);
		break;
	case 7:
		write_sysreg(ich_lr7_el2, v);
		break;
	case 8:
		write_sysreg(ich_lr8_el2, v);
		break;
	case 9:
		write_sysreg(ich_lr9_el2, v);
		break;
	case 10:
		write_sysreg(ich_lr10_el2, v);
		break;
	case 11:
		write_sysreg(ich_lr11_el2, v);
		break;
	case 12:
		write_sysreg(ich_lr12_el2, v);
		break;
	case 13:
		write_sysreg(ich_lr13_el2, v);
		break;
	case 14:
		write_sysreg(ich_lr14_el2, v);
		break;
	default:
		write_sysreg(ich_lr15_el2, v);
		break;
	}
}

void vgic_reset_lrs(void)
{
	u32 n = nr_lrs();

	for (u32 i = 0; i < n; i++)
		write_lr(i, 0);
	isb();
}

u32 vgic_load(const struct vgic_state *state)
{
	u32 n = nr_lrs();
	u32 loaded = 0;

	write_sysreg(ich_vmcr_el2, state->vmcr);
	write_sysreg(ich_ap0r0_el2, state->ap0r[0]);
	write_sysreg(ich_ap1r0_el2, state->ap1r[0]);
	if (__builtin_expect(nr_aprs() > 1, 0)) {
		write_sysreg(ich_ap0r1_el2, state->ap0r[1]);
		write_sysreg(ich_ap1r1_el2, state->ap1r[1]);
		if (nr_aprs() > 2) {
			write_sysreg(ich_ap0r2_el2, state->ap0r[2]);
			write_sysreg(ich_ap1r2_el2, state->ap1r[2]);
			write_sysreg(ich_ap0r3_el2, state->ap0r[3]);
			write_sysreg(ich_ap1r3_el2, state->ap1r[3]);
		}
	}
	/* vgic_save left every list register that held something zero: fill the used ones. */
	for (u32 i = 0; i < n; i++) {
		if (state->lr[i] != 0) {
			write_lr(i, state->lr[i]);
			loaded |= 1u << i;
		}
	}
	write_sysreg(ich_hcr_el2, ICH_HCR_EN);
	isb();
	return loaded;
}

void vgic_save(struct vgic_state *state, u32 loaded)
{
	u64 empty = read_sysreg(ich_elrsr_el2); /* bit i: LR i holds no interrupt */

	state->vmcr = read_sysreg(ich_vmcr_el2);
	state->ap0r[0] = read_sysreg(ich_ap0r0_el2);
	state->ap1r[0] = read_sysreg(ich_ap1r0_el2);
	if (__builtin_expect(nr_aprs() > 1, 0)) {
		state->ap0r[1] = read_sysreg(ich_ap0r1_el2);
		state->ap1r[1] = read_sysreg(ich_ap1r1_el2);
		if (nr_aprs() > 2) {
			state->ap0r[2] = read_sysreg(ich_ap0r2_el2);
			state->ap1r[2] = read_sysreg(ich_ap1r2_el2);
			state->ap0r[3] = read_sysreg(ich_ap0r3_el2);
			state->ap1r[3] = read_sysreg(ich_ap1r3_el2);
		}
	}
	/* The others: empty since vgic_load, their words zero (see vgic.h). */
	for (u32 i = 0; loaded != 0; i++, loaded >>= 1) {
		if ((loaded & 1) == 0)
			continue;
		if ((empty & (1ull << i)) != 0) {
			state->lr[i] = 0; /* what is left in it is ignored by the GIC */
			continue;
		}
		/* The next world must not see this one's interrupts. */
		state->lr[i] = read_lr(i);
		write_lr(i, 0);
	}
	write_sysreg(ich_hcr_el2, 0);
	isb();
}

bool vgic_add_pending(struct vgic_state *state, u32 intid)
{
	u32 n = nr_lrs();
	u32 free_lr = n;

	for (u32 i = 0; i < n; i++) {
		u64 lr = state->lr[i];

		if ((lr & LR_STATE_MASK) == 0) {
			if (free_lr == n)
				free_lr = i;
		} else if ((lr & LR_VINTID_MASK) == intid) {
			state->lr[i] = lr | LR_STATE_PENDING;
			return true;
		}
	}
	if (free_lr == n)
		return false;
	state->lr[free_lr] = LR_STATE_PENDING | LR_GROUP1 | LR_PRIORITY(0xa0) | intid;
	return true;
}

u32 vgic_lr_bits(const struct vgic_state *state, u32 first, bool active)
{
	u64 want = active ? 2ull << LR_STATE_SHIFT : LR_STATE_PENDING;
	u32 n = nr_lrs();
	u32 bits = 0;

	for (u32 i = 0; i < n; i++) {
		u64 lr = state->lr[i];
		u64 intid = lr & LR_VINTID_MASK;

		if ((lr & want) != 0 && intid >= first && intid - first < 32)
			bits |= 1u << (intid - first);
	}
	return bits;
}

void vgic_lr_unpend(struct vgic_state *state, u32 first, u32 bits)
{
	u32 n = nr_lrs();

	for (u32 i = 0; i < n; i++) {
		u64 lr = state->lr[i];
		u64 intid = lr & LR_VINTID_MASK;

		if ((lr & LR_STATE_PENDING) == 0 || intid < first || intid - first >= 32 ||
		    ((bits >> (intid - first)) & 1) == 0)
			continue;
		lr &= ~LR_STATE_PENDING;
		/* Nothing left (not active): the whole LR empty, as vgic_save leaves a free one. */
		state->lr[i] = (lr & LR_STATE_MASK) == 0 ? 0 : lr;
	}
}

void vgic_lr_deactivate(struct vgic_state *state, u32 first, u32 bits)
{
	u64 active = 2ull << LR_STATE_SHIFT;
	u32 n = nr_lrs();

	for (u32 i = 0; i < n; i++) {
		u64 lr = state->lr[i];
		u64 intid = lr & LR_VINTID_MASK;

		if ((lr & active) == 0 || intid < first || intid - first >= 32 ||
		    ((bits >> (intid - first)) & 1) == 0)
			continue;
		lr &= ~active;
		state->lr[i] = (lr & LR_STATE_MASK) == 0 ? 0 : lr;
	}
}

int vgic_find(const struct vgic_state *state, u32 vintid)
{
	u32 n = nr_lrs();

	for (u32 i = 0; i < n; i++) {
		u64 lr = state->lr[i];

		if ((lr & LR_STATE_MASK) != 0 && (lr & LR_VINTID_MASK) == vintid)
			return (int)i;
	}
	return -1;
}

bool vgic_add_hw(struct vgic_state *state, u32 vintid, u32 pintid)
{
	u32 n = nr_lrs();

	for (u32 i = 0; i < n; i++) {
		if ((state->lr[i] & LR_STATE_MASK) == 0) {
			state->lr[i] = LR_STATE_PENDING | LR_HW | LR_GROUP1 | LR_PRIORITY(0xa0) |
				       ((u64)pintid << LR_PINTID_SHIFT) | vintid;
			return true;
		}
	}
	return false;
}

void vgic_retract(struct vgic_state *state, u32 lr)
{
	if ((state->lr[lr] & LR_STATE_MASK) == LR_STATE_PENDING)
		state->lr[lr] = 0;
}
