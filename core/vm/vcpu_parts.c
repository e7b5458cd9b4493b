/* SPDX-License-Identifier: MIT */
/*
 * The parts of a vCPU the arch works on (core/arch.h, "called by the
 * arch"): struct arch_guest for a run, its registers and arch state for an
 * injection or a reset. The arch sees nothing else of struct vcpu.
 */
#include "core/arch.h"
#include "core/vm/vm.h"

struct vcpu_regs *vcpu_guest_regs(struct vcpu *vcpu)
{
	return &vcpu->regs;
}

struct arch_vcpu *vcpu_arch_state(struct vcpu *vcpu)
{
	return &vcpu->arch;
}

/*
 * Once, when the vCPU is registered: everything in it stays as it is while
 * the vCPU is (the VM's slot, its stage-2 root made by vm_register, the
 * vCPU's place), so a run costs the core no copying.
 */
void vcpu_guest_init(struct vm *vm, struct vcpu *vcpu, u32 index)
{
	vcpu->guest = (struct arch_guest){.vm = vm,
					  .vcpu = vcpu,
					  .regs = &vcpu->regs,
					  .state = &vcpu->arch,
					  .s2_root = vm->s2.root,
					  .vmid = vm->vmid,
					  .vcpu_index = index};
}
