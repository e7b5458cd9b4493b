/* SPDX-License-Identifier: MIT */
/*
 * kserv's EL1 exception handling. Every exception lands in el1_exception()
 * (called by the EL1 library's vectors, el1/vectors.S; kserv's is in
 * exceptions.c). Two kinds are expected and survived: the data abort of an
 * armed probe (probe.h), and an HVC/SMC that is undefined because nothing
 * runs at EL2/EL3 (a development boot without kcore), which then returns
 * NOT_SUPPORTED. Everything else is reported on one line beginning
 * "kserv: abort: unexpected:" and powers the machine off with the marker
 * "KSERV: FAILED".
 */
#ifndef KSERV_EXCEPTIONS_H
#define KSERV_EXCEPTIONS_H

#include "el1/exc_frame.h"

/* Stops kserv for a reason: prints "KSERV: FAILED: why" and powers off. */
_Noreturn void kserv_fail(const char *why);

#endif /* KSERV_EXCEPTIONS_H */
