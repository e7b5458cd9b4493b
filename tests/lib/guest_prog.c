/* SPDX-License-Identifier: MIT */
#include "guest_prog.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

struct gp_trace gp;
u32 gp_vmid;
u64 gp_run_pa;

static void guest(void *ctx, u32 vmid, u32 vcpuid, struct vcpu_regs *r, struct arch_exit *e)
{
	(void)ctx;
	(void)vmid;
	assert_true(gp.next < gp.nr);
	gp.seen[gp.next] = *r;
	gp.vcpuid[gp.next] = vcpuid;
	gp.steps[gp.next++](r, e);
}

void gp_program(u32 n, ...)
{
	va_list ap;

	assert_true(n <= GP_MAX_STEPS);
	memset(&gp, 0, sizeof(gp));
	va_start(ap, n);
	for (u32 i = 0; i < n; i++)
		gp.steps[i] = va_arg(ap, gp_step_fn);
	va_end(ap);
	gp.nr = n;
	sim_set_guest(guest, NULL);
}

struct kcore_vcpu_run *gp_run_page(void)
{
	return sim_ram_ptr(pa_init(gp_run_pa));
}

int gp_setup(void **state)
{
	static uint8_t payload[8192];
	size_t size;
	uint8_t *img;
	u64 id;

	(void)state;
	fx_boot(NULL);
	memset(payload, 0x11, sizeof(payload));
	img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	gp_vmid = (u32)id;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, gp_vmid, 1, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, gp_vmid, GP_RAM_IPA, GP_RAM_SIZE, 0, NULL),
			 KCORE_OK);
	assert_int_equal(fx_load_image(gp_vmid, GP_RAM_IPA, img, size, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, gp_vmid, 0, GP_RAM_IPA + 0x40, 0x1234, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	free(img);
	gp_run_pa = fx_host_page();
	memset(gp_run_page(), 0, 4096);
	fx_check();
	return 0;
}

u64 gp_run(u32 vcpu, u64 flags)
{
	u64 reason = 0;

	gp_run_page()->in.flags = flags;
	assert_int_equal(fx_hc(KC_HC_VCPU_RUN, gp_vmid, vcpu, gp_run_pa, 0, &reason), KCORE_OK);
	assert_int_equal(reason, gp_run_page()->out.reason);
	fx_check();
	return reason;
}

void gp_fill_secrets(struct vcpu_regs *r)
{
	for (u32 i = 0; i < 31; i++)
		r->x[i] = GP_SECRET + i;
}

void gp_step_wfi(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	e->kind = ARCH_EXIT_WFX;
}

static u64 gp_hvc[GP_MAX_STEPS][4];

void gp_call(u32 i, u64 x0, u64 x1, u64 x2, u64 x3)
{
	assert_true(i < GP_MAX_STEPS);
	gp_hvc[i][0] = x0;
	gp_hvc[i][1] = x1;
	gp_hvc[i][2] = x2;
	gp_hvc[i][3] = x3;
}

void gp_step_hvc(struct vcpu_regs *r, struct arch_exit *e)
{
	const u64 *a = gp_hvc[gp.next - 1];

	for (u32 i = 0; i < 4; i++)
		r->x[i] = a[i];
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}
