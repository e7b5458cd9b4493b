/* SPDX-License-Identifier: MIT */
/*
 * The payload tools/kcore-run hands kserv (as QEMU's -initrd): the VMs to
 * create and their signed images. kcore never reads it; only the host does,
 * and every image in it is verified by kcore before it can run.
 *
 *   struct kcore_payload_hdr
 *   struct kcore_payload_vm[nr_vms]
 *   file data, each file 4 KiB aligned from the start of the payload
 *
 * All integers little-endian; strings NUL-terminated within their field.
 */
#ifndef KCORE_PAYLOAD_H
#define KCORE_PAYLOAD_H

#include <stdint.h>

#define KCORE_PAYLOAD_MAGIC   "KCPAYLD1"
#define KCORE_PAYLOAD_MAX_VMS 8u

struct kcore_payload_file {
	uint64_t offset; /* from the start of the payload; 0 = absent */
	uint64_t size;	 /* bytes; a signed image includes its 256-byte trailer */
};

struct kcore_payload_hdr {
	char magic[8];
	uint32_t nr_vms;
	uint32_t flags;	     /* KCORE_PAYLOAD_F_* */
	uint64_t total_size; /* bytes of the whole payload */
	/*
	 * Snapshot files on the machine that runs QEMU (docs/snapshots.md): paths
	 * kserv opens through semihosting, each stored in the payload after the
	 * files as size bytes plus a NUL; {0, 0} if absent. QEMU must run with
	 * semihosting when either is present (tools/kcore-run does).
	 */
	struct kcore_payload_file snapshot_to;	/* for the VM flagged SNAPSHOT_TO_FILE */
	struct kcore_payload_file restore_from; /* for the VM flagged RESTORE_FROM_FILE */
	uint64_t reserved;
};

#define KCORE_PAYLOAD_F_ATTACKS (1u << 0) /* kserv runs the host attack suite (tests) */

struct kcore_payload_vm {
	char name[32];
	uint32_t nr_vcpus;		  /* 1..8 */
	uint32_t flags;			  /* KCORE_PAYLOAD_VM_F_* */
	uint64_t mem_size;		  /* guest RAM in bytes (2 MiB multiple) */
	struct kcore_payload_file image;  /* signed arm64 Image or bare-metal guest */
	struct kcore_payload_file initrd; /* signed, optional */
	char cmdline[256];
	uint64_t reserved[4];
};

#define KCORE_PAYLOAD_VM_F_EXPECT_REFUSED    (1u << 0) /* tests: verification must fail */
/* The host gives this VM's RAM on faults in 4 KiB pages only, never 2 MiB blocks (benchmarks). */
#define KCORE_PAYLOAD_VM_F_SMALL_PAGES	     (1u << 1)
/*
 * Snapshots (docs/snapshots.md), when the guest asks for one
 * (KC_TEST_SNAPSHOT, include/kcore/guest_tests.h): save it to the header's
 * snapshot_to file and let the guest stop; or tear the VM down and restore it
 * from the snapshot in memory; or first attack the snapshot (tests). A VM
 * flagged RESTORE_FROM_FILE is not booted: it is restored from the header's
 * restore_from file. SNAPSHOT_SCAN: kserv scans every host page it can read
 * for the guest's secrets after each snapshot and restore (tests).
 */
#define KCORE_PAYLOAD_VM_F_SNAPSHOT_TO_FILE  (1u << 2)
#define KCORE_PAYLOAD_VM_F_SNAPSHOT_RESTORE  (1u << 3)
#define KCORE_PAYLOAD_VM_F_SNAPSHOT_ATTACKS  (1u << 4)
#define KCORE_PAYLOAD_VM_F_RESTORE_FROM_FILE (1u << 5)
#define KCORE_PAYLOAD_VM_F_SNAPSHOT_SCAN     (1u << 6)
#define KCORE_PAYLOAD_VM_F_SNAPSHOT_ANY                                              \
	(KCORE_PAYLOAD_VM_F_SNAPSHOT_TO_FILE | KCORE_PAYLOAD_VM_F_SNAPSHOT_RESTORE | \
	 KCORE_PAYLOAD_VM_F_SNAPSHOT_ATTACKS)
#define KCORE_PAYLOAD_VM_FLAGS                                                    \
	(KCORE_PAYLOAD_VM_F_EXPECT_REFUSED | KCORE_PAYLOAD_VM_F_SMALL_PAGES |     \
	 KCORE_PAYLOAD_VM_F_SNAPSHOT_ANY | KCORE_PAYLOAD_VM_F_RESTORE_FROM_FILE | \
	 KCORE_PAYLOAD_VM_F_SNAPSHOT_SCAN)

/*
 * The guest's machine, as kserv builds it for every VM (docs/guests.md):
 * RAM from GUEST_RAM_BASE, the image at its start (2 MiB aligned, per the
 * arm64 Image booting rules: text_offset from the header), a PL011 at
 * GUEST_UART_BASE emulated by kserv, a DTB and the initrd in the top of RAM,
 * vCPU 0 entering the image with x0 = the DTB's address.
 */
#define KCORE_GUEST_RAM_BASE	0x80000000ull
#define KCORE_GUEST_UART_BASE	0x09000000ull
#define KCORE_GUEST_GICD_BASE	0x08000000ull
#define KCORE_GUEST_GICR_BASE	0x080a0000ull
/*
 * The benchmark device (bench/, docs/bench/README.md), 4 KiB, emulated by
 * the host: a 32-bit read of +0x0 returns KCORE_GUEST_BENCH_MAGIC, a 32-bit
 * write to +0x8 is accepted and ignored, everything else reads 0.
 */
#define KCORE_GUEST_BENCH_BASE	0x0a000000ull
#define KCORE_GUEST_BENCH_SIZE	0x1000ull
#define KCORE_GUEST_BENCH_READ	0x0u
#define KCORE_GUEST_BENCH_WRITE 0x8u
#define KCORE_GUEST_BENCH_MAGIC 0x1234u

#endif /* KCORE_PAYLOAD_H */
