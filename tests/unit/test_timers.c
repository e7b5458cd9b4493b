/* SPDX-License-Identifier: MIT */
/*
 * The guest's emulated physical timer (arch/aarch64/timers.h, compiled here
 * for the host): what CNTP_CTL/CVAL/TVAL_EL0 read and write, as the Arm ARM
 * has them (TVAL a signed 32-bit view of CVAL - counter, ISTATUS the
 * condition whatever IMASK says, read-only), which trapped accesses are
 * CNTP_* ones, and when an entry needs the timers' slow path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "arch/aarch64/timers.h"

/* ISS of a trapped MSR/MRS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] read[0].
 */
static u64 iss(u32 op0, u32 op1, u32 crn, u32 crm, u32 op2, u32 rt, bool read)
{
	return ((u64)op0 << 20) | ((u64)op2 << 17) | ((u64)op1 << 14) | ((u64)crn << 10) |
	       ((u64)rt << 5) | ((u64)crm << 1) | (read ? 1 : 0);
}

static bool is_cntp(u64 i)
{
	return (i & ISS_SYSREG_MASK) == ISS_SYSREG_CNTP;
}

static void test_tval_is_signed_32_bits(void **state)
{
	struct ptimer_state t = {0};

	(void)state;
	ptimer_write(&t, PTIMER_TVAL, 100, 1000);
	assert_int_equal(t.cval, 1100);
	ptimer_write(&t, PTIMER_TVAL, 0xffffffffull, 1000); /* -1 */
	assert_int_equal(t.cval, 999);
	ptimer_write(&t, PTIMER_TVAL, 0x80000000ull, 1ull << 40); /* the most negative */
	assert_int_equal(t.cval, (1ull << 40) - 0x80000000ull);
	ptimer_write(&t, PTIMER_TVAL, 0x500000005ull, 1000); /* bits [63:32] ignored */
	assert_int_equal(t.cval, 1005);
	/* Read: CVAL - counter, low 32 bits; it counts down, past the deadline too. */
	t.cval = 5000;
	assert_int_equal(ptimer_read(&t, PTIMER_TVAL, 4000), 1000);
	assert_int_equal(ptimer_read(&t, PTIMER_TVAL, 4600), 400);
	assert_int_equal(ptimer_read(&t, PTIMER_TVAL, 5001), 0xffffffffull);
	assert_int_equal(ptimer_read(&t, PTIMER_TVAL, 5000 + (1ull << 32)), 0);
}

static void test_ctl_and_istatus(void **state)
{
	struct ptimer_state t = {0};

	(void)state;
	ptimer_write(&t, PTIMER_CTL, ~0ull, 0); /* only ENABLE and IMASK stick */
	assert_int_equal(t.ctl, TIMER_ENABLE | TIMER_IMASK);
	ptimer_write(&t, PTIMER_CVAL, 700, 0);
	assert_int_equal(ptimer_read(&t, PTIMER_CVAL, 123), 700);
	/* ISTATUS: enabled and due, whatever IMASK says; never when disabled. */
	assert_int_equal(ptimer_read(&t, PTIMER_CTL, 699), TIMER_ENABLE | TIMER_IMASK);
	assert_int_equal(ptimer_read(&t, PTIMER_CTL, 700),
			 TIMER_ENABLE | TIMER_IMASK | TIMER_ISTATUS);
	ptimer_write(&t, PTIMER_CTL, TIMER_IMASK, 0);
	assert_int_equal(ptimer_read(&t, PTIMER_CTL, 800), TIMER_IMASK);
	/* The interrupt's condition: enabled, unmasked, due. */
	assert_false(timer_fires(TIMER_ENABLE | TIMER_IMASK, 700, 800));
	assert_false(timer_fires(0, 700, 800));
	assert_false(timer_fires(TIMER_ENABLE, 700, 699));
	assert_true(timer_fires(TIMER_ENABLE, 700, 700));
	assert_true(timer_fires(TIMER_ENABLE | TIMER_ISTATUS, 0, 0));
}

static void test_which_accesses_are_cntp(void **state)
{
	(void)state;
	for (u32 rt = 0; rt < 32; rt += 7) {
		assert_true(is_cntp(iss(3, 3, 14, 2, 0, rt, true)));  /* CNTP_TVAL_EL0 */
		assert_true(is_cntp(iss(3, 3, 14, 2, 1, rt, false))); /* CNTP_CTL_EL0 */
		assert_true(is_cntp(iss(3, 3, 14, 2, 2, rt, true)));  /* CNTP_CVAL_EL0 */
	}
	assert_int_equal(ISS_SYSREG_OP2(iss(3, 3, 14, 2, 2, 5, true)), PTIMER_CVAL);
	assert_false(is_cntp(iss(3, 3, 14, 3, 1, 0, true))); /* CNTV_CTL_EL0 */
	assert_false(is_cntp(iss(3, 7, 14, 2, 1, 0, true))); /* CNTPS_CTL_EL1 */
	assert_false(is_cntp(iss(3, 4, 14, 2, 1, 0, true))); /* CNTHP_CTL_EL2 */
	assert_false(is_cntp(iss(3, 3, 14, 0, 1, 0, true))); /* CNTPCT_EL0 */
	assert_false(is_cntp(iss(3, 3, 9, 12, 0, 0, true))); /* PMCR_EL0 */
	assert_false(is_cntp(iss(2, 3, 14, 2, 1, 0, true)));
}

static void test_slow_path_only_for_timer_users(void **state)
{
	static struct arch_vcpu s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_false(timers_in_use(&s)); /* never touched a timer: the benchmark guest */
	s.sysregs[R_CNTV_CVAL] = 12345;	 /* a compare value alone arms nothing */
	assert_false(timers_in_use(&s));
	s.sysregs[R_CNTV_CTL] = TIMER_ENABLE | TIMER_IMASK; /* enabled, masked */
	assert_true(timers_in_use(&s));
	s.sysregs[R_CNTV_CTL] = TIMER_ENABLE;
	assert_true(timers_in_use(&s));
	s.sysregs[R_CNTV_CTL] = 0;
	s.timers_used = 1; /* once used, always: it may arm a timer in a run with no exit */
	assert_true(timers_in_use(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tval_is_signed_32_bits),
	    cmocka_unit_test(test_ctl_and_istatus),
	    cmocka_unit_test(test_which_accesses_are_cntp),
	    cmocka_unit_test(test_slow_path_only_for_timer_users),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
