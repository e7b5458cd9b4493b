/* SPDX-License-Identifier: MIT */
/*
 * A call that must halt the simulated machine (a kcore panic, a lock-order
 * violation) ends the process: tests make it in a forked child and read what
 * the child printed and whether anything after the call ran.
 */
#ifndef KCORE_TESTS_CHILD_H
#define KCORE_TESTS_CHILD_H

#include <sys/types.h>

struct fx_child {
	int status;	/* waitpid's */
	ssize_t after;	/* bytes the child wrote after fn returned: 0 if it halted */
	char err[8192]; /* the start of its stderr, kcore's console included */
};

/*
 * Runs fn in a forked child with SIM_VERBOSE=1 (kcore's console echoed to
 * stderr), waits for it, and fills res.
 */
void fx_run_child(void (*fn)(void), struct fx_child *res);

#endif /* KCORE_TESTS_CHILD_H */
