/* SPDX-License-Identifier: MIT */
/*
 * The snapshot tests' look for leaks (payload flag SNAPSHOT_SCAN): every
 * page of RAM the host can read (kcore's /memreserve/ ranges aside, which
 * the host cannot), kserv's own memory and the snapshot's buffers included,
 * searched word by word for the test guests' secret values
 * (kc_test_is_secret, include/kcore/guest_tests.h). Prints
 *
 *   SNAPSCAN: <name> <when>: <n> pages read, <m> unreadable, no secret
 *   SNAPSCAN: <name> <when>: a secret word at PA 0x... FOUND   (and fails the guest)
 *
 * never the value itself. Each scan first checks it finds a secret word kserv
 * planted in a page of its own (and zeroes it again).
 */
#ifndef KSERV_SNAPSHOT_SCAN_H
#define KSERV_SNAPSHOT_SCAN_H

#include "kserv/guest.h"

/* Scans; true if no secret was found (else g failed). */
bool snapshot_scan_host(struct guest *g, const char *when);

#endif /* KSERV_SNAPSHOT_SCAN_H */
