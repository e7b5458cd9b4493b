/* SPDX-License-Identifier: MIT */
/*
 * Scripted guests for the run-loop tests: a verified VM with two vCPUs and
 * 16 MiB of RAM, a run page, and a guest that plays one step function per
 * entry (set with gp_program), recording the registers it found each time.
 */
#ifndef KCORE_TESTS_GUEST_PROG_H
#define KCORE_TESTS_GUEST_PROG_H

#include "core/arch.h"
#include "core/vm/vm.h"
#include "fixture.h"

#define GP_RAM_IPA   0x80000000ull
#define GP_RAM_SIZE  (16ull << 20)
#define GP_MMIO_IPA  0x09000000ull
#define GP_SECRET    0x5ec2e75ec2e7ull
#define GP_MAX_STEPS 16u

typedef void (*gp_step_fn)(struct vcpu_regs *r, struct arch_exit *e);

struct gp_trace {
	gp_step_fn steps[GP_MAX_STEPS];
	u32 nr;
	u32 next;
	struct vcpu_regs seen[GP_MAX_STEPS]; /* the registers as the guest found them */
	u32 vcpuid[GP_MAX_STEPS];
};

extern struct gp_trace gp;
extern u32 gp_vmid;
extern u64 gp_run_pa;

/* Boots the machine and the VM (entry RAM base + 0x40, x0 0x1234); a cmocka setup. */
int gp_setup(void **state);

/* The guest plays these n steps, one per entry. */
void gp_program(u32 n, ...);

struct kcore_vcpu_run *gp_run_page(void);

/* KC_HC_VCPU_RUN with in.flags = flags; asserts it ran and checks the invariants. */
u64 gp_run(u32 vcpu, u64 flags);

/* Every general register set to GP_SECRET + n, so a test sees none leak. */
void gp_fill_secrets(struct vcpu_regs *r);

/* A step: secrets in every register, then WFI. */
void gp_step_wfi(struct vcpu_regs *r, struct arch_exit *e);

/*
 * A script of HVCs, one per entry: gp_call(i, ...) sets the x0..x3 of step
 * i, and gp_step_hvc, played as step i, makes that call.
 */
void gp_call(u32 i, u64 x0, u64 x1, u64 x2, u64 x3);
void gp_step_hvc(struct vcpu_regs *r, struct arch_exit *e);

#endif /* KCORE_TESTS_GUEST_PROG_H */
