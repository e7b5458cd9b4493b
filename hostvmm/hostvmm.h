/* SPDX-License-Identifier: MIT */
/*
 * kcore-vmm, the Linux host's user-space VMM (docs/linux-host.md, "The VMM:
 * kcore-vmm"): what its files share. main.c reads the arguments and files
 * and creates the VM; vcpu.c runs one thread per vCPU, stops them all and
 * parks them for a snapshot; snapshot.c takes and restores snapshots;
 * backend_linux.c is vmm/backend.h for a Linux process. The VM's record is
 * vmm/vm.h's struct guest, as kserv's is; this is the part only this
 * program needs (vm.h's struct guest_host), reached through g->host.
 */
#ifndef HOSTVMM_HOSTVMM_H
#define HOSTVMM_HOSTVMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "vmm/guest_mem.h"
#include "vmm/vm.h"

#include "vmm/snapshot_format.h"

/*
 * Exit statuses (--help prints them; docs/linux-host.md has the table). Only
 * a guest that powered itself off (PSCI SYSTEM_OFF) is 0.
 */
enum hostvmm_status {
	HOSTVMM_OK = 0,		  /* the guest powered the VM off */
	HOSTVMM_GUEST_FAILED = 1, /* the VM failed while running, or was stopped (a signal) */
	HOSTVMM_USAGE = 2,	  /* bad arguments, or the files do not fit in --mem */
	HOSTVMM_FILE = 3,	  /* a file unreadable, or not a signed image */
	HOSTVMM_KCORE = 4,	  /* no /dev/kcore, or kcore.ko (or kcore) refused the VM or its
				     snapshot file (--restore-from) */
	HOSTVMM_RESET = 5,	  /* the guest asked for a reset: kcore-vmm does not restart VMs */
};

/* The backend's part of a VM's record. */
struct guest_host {
	pthread_mutex_t lock; /* vmm_vm_lock: vm.h says what it covers */
	int vm_fd;	      /* the VM's file descriptor (KCORE_IOC_CREATE_VM) */
	/* Set once by the first vCPU that sees it (atomics): every vCPU leaves the guest. */
	bool stop;
	bool powered_off; /* a vCPU saw KC_EXIT_POWEROFF (g->reset: it asked for a reset) */
	bool shutdown;	  /* a vCPU's run said ESHUTDOWN: the VM was off already */
	pthread_t threads[GUEST_MAX_VCPUS];
	/* Snapshots (snapshot.c), under lock: */
	const char *snapshot_to; /* --snapshot-to FILE, or NULL: KC_TEST_SNAPSHOT unsupported */
	bool threads_ready;	 /* threads[] all created: they may be kicked */
	bool paused;		 /* a vCPU takes a snapshot: the others park before their runs */
	u32 parked;		 /* vCPU threads parked (out of the ioctl, completions settled) */
	pthread_cond_t cond;	 /* paused, parked or stop changed */
};

/* A snapshot file read for --restore-from, checked, not restored yet (snapshot.c). */
struct hostvmm_snapfile {
	const char *path;
	const struct vmm_snapfile_header *h; /* the file, mapped read-only */
	u64 size;
};

/*
 * Asks every vCPU thread to leave the guest (sets stop; the main thread,
 * waiting in hostvmm_run_vcpus, kicks them out of KCORE_VM_IOC_RUN). Any
 * thread, any lock but g's held or not.
 */
void hostvmm_request_stop(struct guest *g);

/*
 * Runs g's vCPUs, one thread each, until one of them powers the VM off,
 * the VM fails, or SIGINT/SIGTERM comes; then stops and joins them all.
 * What happened is in g (failed, why, reset) and g->host (powered_off).
 * False if the threads could not be started (g failed with why).
 */
bool hostvmm_run_vcpus(struct guest *g);

/* guest_ram.c: the guest's RAM, mapped from the VM's file, for the devices. */
struct hostvmm_ram {
	u8 *host; /* NULL: not mapped */
	u64 base; /* its guest physical base */
	u64 size;
};

/* Maps size bytes of vm_fd's RAM (at guest address base); false with errno. */
bool hostvmm_ram_map(struct hostvmm_ram *r, int vm_fd, u64 base, u64 size);
void hostvmm_ram_unmap(struct hostvmm_ram *r);
/* The accessor over r: copies that fail outside the RAM and on a SIGBUS (a private page). */
struct guest_mem hostvmm_ram_mem(struct hostvmm_ram *r);

/* devices.c: the virtio devices of --disk, --rng and --console virtio. */
#define HOSTVMM_MAX_DISKS 4u

struct hostvmm_disk_arg {
	const char *path;
	bool ro;
};

/* --net tap=NAME or --net bridge=BR (one of them set), or neither: no network. */
struct hostvmm_net_arg {
	const char *tap;
	const char *bridge;
	bool dry_run; /* only check the interface exists: no tap opened or made */
};

/*
 * Opens the disks (exits HOSTVMM_FILE with one line if one cannot be opened
 * or is in use, and so for the network's tap) and sets up the devices in
 * g's windows (g->virtio): disks first, then the rng, the console and the
 * network. Their memory and interrupts come with hostvmm_devices_start.
 */
void hostvmm_devices_open(struct guest *g, const struct hostvmm_disk_arg *disks, u32 nr_disks,
			  bool rng, bool console, const struct hostvmm_net_arg *net);
/* Prints each device's line to out. */
void hostvmm_devices_print(FILE *out, const struct guest *g);
/* Maps the guest's RAM for them (false, with a line, if it cannot be) and wires the interrupts. */
bool hostvmm_devices_start(struct guest *g);
/* net.c: --net's virtio-net over a tap; exits HOSTVMM_FILE (one line) if it cannot be had. */
struct virtio_mmio *hostvmm_net_open(struct guest *g, const struct hostvmm_net_arg *a,
				     const char *name);
/* "tap NAME, MAC ..." for --dry-run's line. */
void hostvmm_net_describe(char *buf, size_t size);
/* Starts the receive thread (after the device has its memory and interrupt); false, said why. */
bool hostvmm_net_start(void);
/* Stops it and closes the tap (before the RAM is unmapped). */
void hostvmm_net_stop(void);
/* Unmaps the RAM and closes the disks: before the VM's file is closed (the mapping holds it). */
void hostvmm_devices_stop(struct guest *g);
/*
 * From the vCPU asking for a snapshot (out of the ioctl): every other vCPU
 * thread kicked out of KCORE_VM_IOC_RUN and parked before its next run, so
 * none is in the module and each one's pending completion is in its record.
 * False (said why) if the VM stops meanwhile or a thread does not park.
 */
bool hostvmm_pause(struct guest *g, const struct guest_vcpu *asking);
/* The parked threads run again. */
void hostvmm_resume(struct guest *g);

/* KC_TEST_SNAPSHOT from v (snapshot.c): the guest's answer (vmm_snapshot_call). */
u64 hostvmm_snapshot_call(struct guest_vcpu *v);

/*
 * --restore-from: the file at path mapped and checked against g's vCPUs and
 * RAM, before /dev/kcore is opened. HOSTVMM_OK, or the exit status (said why:
 * HOSTVMM_FILE unreadable, HOSTVMM_KCORE not a snapshot file for this VM).
 */
int hostvmm_snapfile_load(const struct guest *g, const char *path, struct hostvmm_snapfile *f);

/*
 * Restores f into g's VM (created, never run) through KCORE_VM_IOC_RESTORE and
 * takes the VMM's own state from it (GIC, completions; the asking vCPU's call
 * answered KC_TEST_SNAPSHOT_RESTORED). Unmaps f. HOSTVMM_OK, or HOSTVMM_KCORE
 * (said why: kcore refused it, the VM never runs).
 */
int hostvmm_restore(struct guest *g, struct hostvmm_snapfile *f);

#endif /* HOSTVMM_HOSTVMM_H */
