/* SPDX-License-Identifier: MIT */
/*
 * The parts of a vCPU the arch works on outside a run (core/arch.h, "called
 * by the arch"): the arch sees nothing else of struct vcpu.
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
