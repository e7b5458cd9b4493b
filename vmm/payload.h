/* SPDX-License-Identifier: MIT */
/*
 * The VM payload (include/kcore/payload.h): QEMU's -initrd, which the DTB's
 * /chosen linux,initrd-start/end point at. the host checks every count, offset,
 * size and string in it before it uses any, and says what is wrong in a log
 * line beginning "payload:" (kserv: "kserv: payload:").
 */
#ifndef VMM_PAYLOAD_H
#define VMM_PAYLOAD_H

#include <kcore/payload.h>

#include "guest_layout.h"
#include "types.h"

/* The longest snapshot file path, with its NUL. */
#define PAYLOAD_PATH_MAX 1024u

struct payload {
	u64 pa;
	u64 size; /* total_size */
	u32 nr_vms;
	u32 flags; /* KCORE_PAYLOAD_F_* */
	const struct kcore_payload_vm *vms;
	const char *snapshot_to; /* the snapshot file paths (docs/snapshots.md), or NULL */
	const char *restore_from;
	struct guest_layout layout[KCORE_PAYLOAD_MAX_VMS];
};

/*
 * Checks the payload in [pa, pa + avail) (the initrd QEMU loaded); true and
 * *out filled if every part of it is sound.
 */
bool payload_parse(u64 pa, u64 avail, struct payload *out);

/* The first byte of a file the payload holds (checked by payload_parse). */
static inline const u8 *payload_file(const struct payload *p, const struct kcore_payload_file *f)
{
	return (const u8 *)(uintptr_t)(p->pa + f->offset);
}

#endif /* VMM_PAYLOAD_H */
