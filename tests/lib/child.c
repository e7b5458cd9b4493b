/* SPDX-License-Identifier: MIT */
#include "child.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void fx_run_child(void (*fn)(void), struct fx_child *res)
{
	int after[2], err[2];
	size_t got = 0;
	char chunk[512];
	ssize_t n;
	char c;
	pid_t pid;

	assert_int_equal(pipe(after), 0);
	assert_int_equal(pipe(err), 0);
	/* Nothing buffered may be written twice (by the child's exit too). */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(after[0]);
		close(err[0]);
		dup2(err[1], 2);
		setenv("SIM_VERBOSE", "1", 1);
		fn();
		/* Only reached if the call above returned. */
		if (write(after[1], "ran", 3) != 3)
			_exit(2);
		_exit(0);
	}
	close(after[1]);
	close(err[1]);
	/* Read to the end, what does not fit dropped: a child must not block on a full pipe. */
	while ((n = read(err[0], chunk, sizeof(chunk))) > 0) {
		size_t keep = sizeof(res->err) - 1 - got;

		if ((size_t)n < keep)
			keep = (size_t)n;
		memcpy(res->err + got, chunk, keep);
		got += keep;
	}
	res->err[got] = '\0';
	res->after = read(after[0], &c, 1);
	close(after[0]);
	close(err[0]);
	assert_int_equal(waitpid(pid, &res->status, 0), pid);
}
