/* SPDX-License-Identifier: MIT */
/*
 * The snapshot attacks (payload flag SNAPSHOT_ATTACKS; docs/snapshots.md).
 * With the victim paused after its snapshot A, kserv takes a second snapshot
 * B of it and one, O, of another VM of the payload built from a different
 * image, then tries to restore into a fresh VM made from the victim's images
 * (named "<victim>~attack", so its markers are not the victim's):
 *
 * - A with one byte flipped in: the header, a page record, a page's data, a
 *   vCPU record, a vCPU blob, the trailer;
 * - A with its first two pages (record and data) swapped;
 * - A with its first page taken from O;
 * - A's header followed by B's pages, vCPUs and trailer;
 * - A with its first page presented twice;
 * - A without its last page;
 *
 * each of which must be refused with KCORE_E_AUTH by the call the ABI names
 * and leave the VM unable to run (KC_HC_VCPU_RUN refused with STATE); and
 * a restore into the victim itself, whose vCPU ran: STATE. One line each,
 * as the host attack suite's: "ATTACK: restore <what> (<detail>): refused"
 * or "... SUCCEEDED", then
 *
 *   SNAPATTACKS: <n> attempted, <r> refused, <s> succeeded
 *
 * A itself is left as it was: the victim is then restored from it (as
 * SNAPSHOT_RESTORE) and must finish intact, which shows A was good.
 */
#ifndef KSERV_SNAPSHOT_ATTACKS_H
#define KSERV_SNAPSHOT_ATTACKS_H

#include "kserv/guest.h"

/* g paused, a its snapshot. */
void snapshot_attacks_run(struct guest *g, struct snapshot *a);

#endif /* KSERV_SNAPSHOT_ATTACKS_H */
