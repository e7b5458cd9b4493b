// SPDX-License-Identifier: MIT
/*
 * The console recorder: what the core printed (kc_log, panics), kept for the
 * tests in a buffer that grows as needed, and echoed to stderr with
 * SIM_VERBOSE=1. Its own file because it lives on the heap: the persistent
 * fuzzer (tests/fuzz/state.h) restores every other global of the sim byte
 * for byte, but a saved pointer to a buffer that grew since would dangle,
 * so it empties this one instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/sim/sim_internal.h"

static struct {
	char *text;
	size_t len;
	size_t cap;
} console;

static void locked_record_console(const char *s, size_t len)
{
	const char *verbose = getenv("SIM_VERBOSE");

	if (console.len + len + 1 > console.cap) {
		size_t cap = console.cap ? console.cap : 4096;
		char *p;

		while (console.len + len + 1 > cap)
			cap *= 2;
		p = realloc(console.text, cap);
		if (!p)
			sim_die("console: out of memory (%zu bytes)", cap);
		console.text = p;
		console.cap = cap;
	}
	memcpy(console.text + console.len, s, len);
	console.len += len;
	console.text[console.len] = '\0';

	if (verbose && strcmp(verbose, "1") == 0) {
		fwrite(s, 1, len, stderr);
		fflush(stderr);
	}
}

/* Several simulated CPUs may print at once (the race harness): one at a time. */
void sim_record_console(const char *s, size_t len)
{
	sim_bus_lock();
	locked_record_console(s, len);
	sim_bus_unlock();
}

const char *sim_console_text(void)
{
	return console.text ? console.text : "";
}

size_t sim_console_len(void)
{
	return console.len;
}

void sim_console_clear(void)
{
	console.len = 0;
	if (console.text)
		console.text[0] = '\0';
}
