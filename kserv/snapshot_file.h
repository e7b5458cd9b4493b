/* SPDX-License-Identifier: MIT */
/*
 * A snapshot in a file on the machine that runs QEMU (docs/snapshots.md has
 * the format), written and read through semihosting (semihost.h). Reading
 * checks the file's own structure (magic, version, sizes, counts that fit
 * the VM) and says what is wrong; whether the contents are authentic is
 * kcore's to decide at restore.
 */
#ifndef KSERV_SNAPSHOT_FILE_H
#define KSERV_SNAPSHOT_FILE_H

#include "guest.h"

/* Writes s of g to path; false, saying why, if it could not. */
bool snapshot_file_save(const struct guest *g, const struct snapshot *s, const char *path);

/*
 * Reads path into s (allocating its pages) for the VM name with nr_vcpus
 * vCPUs and layout lay; false, saying why, if it could not.
 */
bool snapshot_file_load(const char *name, u32 nr_vcpus, const struct guest_layout *lay,
			const char *path, struct snapshot *s);

#endif /* KSERV_SNAPSHOT_FILE_H */
