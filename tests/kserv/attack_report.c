/* SPDX-License-Identifier: MIT */
#include "attack_report.h"

#include "kserv/console.h"
#include "kserv/esr.h"
#include "kserv/format.h"
#include "kserv/hvc.h"
#include "kserv/lock.h"
#include "kserv/probe.h"

static struct ticket_lock counts_lock;
static u32 nr_attempted, nr_refused, nr_succeeded, nr_odd;

void attack_counts_reset(void)
{
	ticket_lock(&counts_lock);
	nr_attempted = nr_refused = nr_succeeded = nr_odd = 0;
	ticket_unlock(&counts_lock);
}

void attack_counts(u32 *attempted, u32 *refused, u32 *succeeded, u32 *odd_errors)
{
	ticket_lock(&counts_lock);
	*attempted = nr_attempted;
	*refused = nr_refused;
	*succeeded = nr_succeeded;
	*odd_errors = nr_odd;
	ticket_unlock(&counts_lock);
}

void attack_report(const char *what, bool refused, const char *detail)
{
	ticket_lock(&counts_lock);
	nr_attempted++;
	if (refused)
		nr_refused++;
	else
		nr_succeeded++;
	ticket_unlock(&counts_lock);
	kprintf("ATTACK: %s (%s): %s\n", what, detail, refused ? "refused" : "SUCCEEDED");
}

static void abort_detail(u64 pa, char *buf, size_t size)
{
	struct probe_abort a = kserv_probe_last_abort();

	format_buf(buf, size, "aborted, ESR 0x%lx, FAR 0x%lx%s", a.esr, a.far,
		   esr_ec(a.esr) == ESR_EC_DABT_CUR && a.far == pa ? "" : ": unexpected syndrome");
}

void attack_read(const char *what, u64 pa)
{
	char detail[96];
	bool got;
	u64 v;

	kserv_probe_set_quiet(true);
	got = kserv_probe_read(pa, &v);
	kserv_probe_set_quiet(false);
	if (got)
		format_buf(detail, sizeof(detail), "read 0x%lx at 0x%lx", v, pa);
	else
		abort_detail(pa, detail, sizeof(detail));
	attack_report(what, !got, detail);
}

void attack_write(const char *what, u64 pa)
{
	char detail[96];
	bool done;

	kserv_probe_set_quiet(true);
	done = kserv_probe_write(pa, ATTACK_VM_POISON);
	kserv_probe_set_quiet(false);
	if (done)
		format_buf(detail, sizeof(detail), "wrote 0x%lx at 0x%lx", ATTACK_VM_POISON, pa);
	else
		abort_detail(pa, detail, sizeof(detail));
	attack_report(what, !done, detail);
}

void attack_call(const char *what, s64 want, u64 id, u64 a1, u64 a2, u64 a3, u64 a4)
{
	s64 err = kcore_call(id, a1, a2, a3, a4, 0, NULL);
	bool odd = err != KCORE_OK && want != 0 && err != want;
	char detail[96];

	if (odd) {
		format_buf(detail, sizeof(detail), "%s, documented: %s", kcore_err_name(err),
			   kcore_err_name(want));
		ticket_lock(&counts_lock);
		nr_odd++;
		ticket_unlock(&counts_lock);
	} else {
		format_buf(detail, sizeof(detail), "%s", kcore_err_name(err));
	}
	attack_report(what, err != KCORE_OK, detail);
}
