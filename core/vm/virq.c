/* SPDX-License-Identifier: MIT */
#include "virq.h"

#include <kcore/abi.h>

#include "core/lib/spinlock.h"

/* ICC_SGI1R_EL1 fields (Arm GICv3: TargetList, Aff1, INTID, Aff2, IRM, RS, Aff3). */
#define SGI1R_TARGETS(v) ((v)&0xffffull)
#define SGI1R_INTID(v)	 (((v) >> 24) & 0xfull)
#define SGI1R_IRM	 (1ull << 40)
/* Aff1, Aff2, RS and Aff3: every vCPU has Aff0 = its index (< 16) and zero above. */
#define SGI1R_HIGH_AFF	 ((0xffull << 16) | (0xffull << 32) | (0xfull << 44) | (0xffull << 48))

/*
 * Every entry asks for pending interrupts, and almost always there are none:
 * virq_words says which of the 16 words to look at. A raise sets the bit in
 * its word first and then the word's summary bit; a pop clears the summary
 * bit first and then looks at the word (setting it again if bits are left),
 * so a concurrent raise is never missed, at worst looked at once for nothing.
 */
void virq_raise(struct vcpu *vcpu, u32 intid)
{
	__atomic_fetch_or(&vcpu->virq_pending[intid / 64], 1ull << (intid % 64), __ATOMIC_RELEASE);
	__atomic_fetch_or(&vcpu->virq_words, 1ull << (intid / 64), __ATOMIC_RELEASE);
}

/* Takes the lowest pending bit of word w, or returns false if it has none. */
static bool pop_word(struct vcpu *vcpu, u32 w, u32 *intid)
{
	u64 bits = __atomic_load_n(&vcpu->virq_pending[w], __ATOMIC_ACQUIRE);

	while (bits != 0) {
		u64 bit = bits & -bits;
		u64 old = __atomic_fetch_and(&vcpu->virq_pending[w], ~bit, __ATOMIC_ACQ_REL);

		if ((old & bit) != 0) {
			if ((old & ~bit) != 0) /* more left in this word */
				__atomic_fetch_or(&vcpu->virq_words, 1ull << w, __ATOMIC_RELEASE);
			*intid = w * 64 + (u32)__builtin_ctzll(bit);
			return true;
		}
		bits = old & ~bit; /* someone else took it meanwhile: look again */
	}
	return false;
}

bool virq_pop(struct vcpu *vcpu, u32 *intid)
{
	u64 words = __atomic_load_n(&vcpu->virq_words, __ATOMIC_ACQUIRE);

	while (words != 0) {
		u32 w = (u32)__builtin_ctzll(words);

		__atomic_fetch_and(&vcpu->virq_words, ~(1ull << w), __ATOMIC_ACQ_REL);
		if (pop_word(vcpu, w, intid))
			return true;
		words &= ~(1ull << w);
	}
	return false;
}

bool virq_ppi_enabled(const struct vcpu *vcpu, u32 intid)
{
	return intid >= VIRQ_FIRST_PPI && intid < 32 && ((vcpu->ppi_enabled >> intid) & 1) != 0;
}

void virq_set_ppi_enables(struct vcpu *vcpu, u32 set, u32 clear)
{
	const u32 ppis = 0xffff0000u;

	vcpu->ppi_enabled = (vcpu->ppi_enabled | (set & ppis)) & ~(clear & ppis);
}

u32 virq_pending_bits(const struct vcpu *vcpu, u32 first)
{
	u64 word = __atomic_load_n(&vcpu->virq_pending[first / 64], __ATOMIC_ACQUIRE);

	return (u32)(word >> (first % 64));
}

void virq_unpend(struct vcpu *vcpu, u32 first, u32 bits)
{
	/* The summary bit may stay set: the next pop looks once for nothing. */
	__atomic_fetch_and(&vcpu->virq_pending[first / 64], ~((u64)bits << (first % 64)),
			   __ATOMIC_ACQ_REL);
}

void virq_clear(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->virq_words, 0, __ATOMIC_RELEASE);
	for (u32 w = 0; w < VIRQ_WORDS; w++)
		__atomic_store_n(&vcpu->virq_pending[w], 0, __ATOMIC_RELEASE);
}

u64 virq_send_sgi(struct vm *vm, u32 sender, u64 value)
{
	u64 targets = 0;

	if ((value & SGI1R_IRM) != 0) {
		targets = ~(1ull << sender); /* every vCPU but the sender */
	} else if ((value & SGI1R_HIGH_AFF) == 0) {
		targets = SGI1R_TARGETS(value);
	}
	for (u32 i = 0; i < vm_max_vcpus(); i++) {
		if ((targets & (1ull << i)) == 0)
			continue;
		/* The state only ever leaves UNUSED under vm->lock; a stale read just skips one. */
		if (__atomic_load_n(&vm->vcpus[i].state, __ATOMIC_ACQUIRE) == VCPU_UNUSED)
			targets &= ~(1ull << i);
		else
			virq_raise(&vm->vcpus[i], (u32)SGI1R_INTID(value));
	}
	return targets & ((1ull << vm_max_vcpus()) - 1);
}

int virq_inject_from_host(u64 vmid, u64 vcpuid, u64 intid)
{
	struct vm *vm = vm_from_id(vmid);
	struct vm_locked locked;
	struct vcpu *vcpu;
	int err = KCORE_OK;

	if (vm == NULL)
		return KCORE_E_INVAL;
	vcpu = vcpu_from_id(vm, vcpuid);
	/* SGIs come only from the guest's own vCPUs, and both timers' interrupts are kcore's. */
	if (vcpu == NULL || intid < VIRQ_FIRST_PPI || intid >= VIRQ_LIMIT || intid == VIRQ_VTIMER ||
	    intid == VIRQ_PTIMER)
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	if (vm->state != VM_VERIFIED || vcpu->state == VCPU_UNUSED)
		err = KCORE_E_STATE;
	else
		virq_raise(vcpu, (u32)intid);
	vm_unlock(&locked);
	return err;
}
