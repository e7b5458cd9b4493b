/* SPDX-License-Identifier: MIT */
/*
 * How the host attack suite (vm_attacks.h) counts and reports: one line per
 * attempt, "ATTACK: <what> (<detail>): refused" or "...: SUCCEEDED", and the
 * probing read and write and the hypercall each attack is made of.
 */
#ifndef KSERV_ATTACK_REPORT_H
#define KSERV_ATTACK_REPORT_H

#include "kserv/types.h"

/* Written by every attacking store, so a successful one is recognisable. */
#define ATTACK_VM_POISON ((u64)0x686f737421212121) /* "host!!!!" */

void attack_counts_reset(void);
void attack_counts(u32 *attempted, u32 *refused, u32 *succeeded, u32 *odd_errors);

/* Counts and prints one attempt. */
void attack_report(const char *what, bool refused, const char *detail);

/* A probing read / write of pa that must abort. */
void attack_read(const char *what, u64 pa);
void attack_write(const char *what, u64 pa);

/*
 * A hypercall that must fail: with want (a KCORE_E_* code), or with any
 * error if want is 0. An error other than want still counts as refused, but
 * is reported and counted as odd.
 */
void attack_call(const char *what, s64 want, u64 id, u64 a1, u64 a2, u64 a3, u64 a4);

#endif /* KSERV_ATTACK_REPORT_H */
