/* SPDX-License-Identifier: MIT */
/*
 * The lock-order check (core/lock_order.h, arch/sim/lock_check.c): kcore's
 * real locks taken in the documented order pass; taken in the wrong order,
 * twice, unranked, or released without being held, the simulated machine
 * halts with a "lock order" panic. Each violation runs in a forked child, as
 * a halt ends the process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "arch/sim/sim.h"
#include "core/check/check.h"
#include "core/lib/log.h"
#include "core/lib/spinlock.h"
#include "core/mm/mem_lock.h"
#include "core/vm/vm.h"
#include "tests/lib/child.h"
#include "tests/lib/fixture.h"

static void expect_lock_panic(void (*fn)(void), const char *why)
{
	struct fx_child res;

	fx_run_child(fn, &res);
	if (strstr(res.err, why) == NULL)
		print_error("child's output lacks \"%s\":\n%s\n", why, res.err);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), SIM_HALT_EXIT_CODE);
	assert_int_equal(res.after, 0); /* nothing after the violation ran */
	assert_non_null(strstr(res.err, "PANIC: lock order: "));
	assert_non_null(strstr(res.err, why));
}

static int setup(void **state)
{
	(void)state;
	fx_boot(NULL);
	assert_int_equal(lock_check_nr_held(), 0);
	return 0;
}

/* The documented order, the checker's ascending vm->locks, and release in any order. */
static void test_documented_order_passes(void **state)
{
	(void)state;
	spin_lock(&vm_from_id(1)->lock);
	spin_lock(&vm_from_id(2)->lock);
	spin_lock(&vm_from_id(4)->lock);
	struct mem_locked locked = mem_lock();
	kc_log("lock order test: console under every other lock");
	assert_int_equal(lock_check_nr_held(), 4);
	spin_unlock(&vm_from_id(2)->lock); /* not the last taken: allowed */
	mem_unlock(locked);
	spin_unlock(&vm_from_id(4)->lock);
	spin_unlock(&vm_from_id(1)->lock);
	assert_int_equal(lock_check_nr_held(), 0);
	/* The checker takes every vm->lock: it passes the check and leaves none held. */
	assert_int_equal(kcore_check_invariants(), 0);
	assert_int_equal(lock_check_nr_held(), 0);
}

static void child_vm_lock_under_mem_lock(void)
{
	(void)mem_lock();
	spin_lock(&vm_from_id(1)->lock);
}

static void child_vm_locks_descending(void)
{
	spin_lock(&vm_from_id(3)->lock);
	spin_lock(&vm_from_id(2)->lock);
}

static void child_mem_lock_twice(void)
{
	(void)mem_lock();
	(void)mem_lock();
}

static void child_unlock_unheld(void)
{
	/* A forged token: the type cannot stop this, the runtime check must. */
	mem_unlock(mem_locked_sole_cpu());
}

static void child_unlock_other_lock(void)
{
	spin_lock(&vm_from_id(1)->lock);
	spin_unlock(&vm_from_id(2)->lock);
}

static void child_unranked_lock(void)
{
	static spinlock_t unranked;

	spin_lock(&unranked);
}

static void test_wrong_order_fires(void **state)
{
	(void)state;
	expect_lock_panic(child_vm_lock_under_mem_lock,
			  "taking vm->lock (order 1) while holding mem_lock");
	expect_lock_panic(child_vm_locks_descending,
			  "taking vm->lock (order 2) while holding vm->lock (order 3)");
	expect_lock_panic(child_mem_lock_twice,
			  "taking mem_lock (order 0), which this CPU already");
}

static void test_release_unheld_fires(void **state)
{
	(void)state;
	expect_lock_panic(child_unlock_unheld,
			  "releasing mem_lock (order 0), which this CPU does not");
	expect_lock_panic(child_unlock_other_lock,
			  "releasing vm->lock (order 2), which this CPU does not");
}

static void test_unranked_lock_fires(void **state)
{
	(void)state;
	expect_lock_panic(child_unranked_lock, "taking a lock with no rank");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_documented_order_passes, setup),
	    cmocka_unit_test_setup(test_wrong_order_fires, setup),
	    cmocka_unit_test_setup(test_release_unheld_fires, setup),
	    cmocka_unit_test_setup(test_unranked_lock_fires, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
