/* SPDX-License-Identifier: MIT */
/*
 * The host's record of a VM it runs (a "guest"): what the payload asked for,
 * what kcore answered, the pages the host gave it, and the state of its vCPUs
 * and emulated devices. kcore keeps the VM itself; this is the host's side.
 *
 * Lock: the backend's per-VM lock (vmm/backend.h, vmm_vm_lock) covers the
 * vCPU states and counters, the gfn map and the UART line. It is never held
 * across KC_HC_VCPU_RUN. What the lock is, and anything else only the
 * backend needs of a VM, lives in the backend's own part of the record,
 * reached through host (kserv: kserv/guest.h).
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <kcore/abi.h>
#include <kcore/payload.h>

#include "gfn_map.h"
#include "guest_layout.h"
#include "snapshot_store.h"
#include "types.h"
#include "vgic.h"
#include "vuart.h"

#define GUEST_MAX	KCORE_PAYLOAD_MAX_VMS
#define GUEST_MAX_VCPUS 8u
_Static_assert(GUEST_MAX_VCPUS <= VGIC_MAX_CPUS, "a redistributor per vCPU");
#define GUEST_NAME_MAX 32u

enum guest_state {
	GUEST_UNUSED = 0,
	GUEST_CREATING, /* the host is handing it to kcore */
	GUEST_VERIFIED, /* kcore verified its images; not running yet */
	GUEST_RUNNING,
	GUEST_REFUSED,	   /* verification failed: never ran */
	GUEST_POWERED_OFF, /* the guest powered itself off */
	GUEST_FAILED,	   /* stopped for any other reason */
};

enum vcpu_run_state {
	VCPU_OFF = 0, /* not started (or turned off) */
	VCPU_QUEUED,  /* waiting for a CPU in the run queue */
	VCPU_RUNNING, /* in a worker's hands (maybe inside the guest) */
	VCPU_STOPPED, /* will not run again */
};

struct guest;
struct virtio_mmio;
/* The backend's part of a VM's record (kserv: its lock). */
struct guest_host;

struct guest_vcpu {
	struct guest *g;
	u32 id;
	enum vcpu_run_state state;
	u32 cpu; /* the CPU that runs it, while VCPU_RUNNING */
	bool started;
	bool restart; /* a CPU_ON came while its CPU_OFF exit was being handled (kserv/sched.c) */
	u64 run_pa;   /* its run page: a host page kcore reads and writes */
	/* The completion the next KC_HC_VCPU_RUN carries in the run page's "in". */
	u64 next_flags;
	u64 next_mmio_value;
	u64 next_call_ret[4];
	u64 exits;
	u64 idle_until; /* after a WFI exit: not worth running before this time (ms) */
	bool kicked;	/* a sibling's SGI came since its last entry (atomics) */
};

struct guest {
	struct guest_host *host; /* set once, before anything else uses the record */
	enum guest_state state;
	u32 index; /* in the payload */
	char name[GUEST_NAME_MAX];
	u64 vmid; /* kcore's; 0 while not registered */
	u32 nr_vcpus;
	u32 flags; /* KCORE_PAYLOAD_VM_F_* */
	const struct kcore_payload_vm *rec;
	struct guest_layout lay;
	struct gfn_map map;  /* every page of the VM's RAM the host gave, and where */
	u64 image_first_pa;  /* the image's first page: held guest data (the scrub check) */
	u64 fault_first_ipa; /* the first page donated on a fault (0: none yet) */
	u64 pages_donated;   /* 4 KiB donations on faults */
	u64 blocks_donated;  /* 2 MiB donations on faults */
	bool kcore_poweroff; /* kcore's VM is POWEROFF (by the guest or by the host) */
	bool done;	     /* no vCPU may run again */
	bool reset;	     /* it asked for SYSTEM_RESET rather than SYSTEM_OFF */
	u32 active;	     /* vCPUs queued or running */
	bool failed;	     /* something went wrong (counted as failed) */
	const char *why;     /* the first thing that went wrong */
	bool torn_down;	     /* its memory is back with the host, kcore's slot free */
	/* Snapshots: while paused no vCPU enters kcore; in_run counts those inside. */
	bool paused;		   /* atomics */
	u32 in_run;		   /* atomics */
	bool restored;		   /* made from a snapshot: its vCPUs start as the snapshot says */
	u32 restored_start_mask;   /* ... these: the ones running when it was taken */
	bool restore_pending;	   /* restore snap into a new guest once this one is torn down */
	struct guest *replaced_by; /* the guest restored from its snapshot */
	struct snapshot snap;	   /* while restore_pending */
	u64 mmio_exits;		   /* KC_EXIT_MMIO exits seen (atomics): KC_TEST_MMIO_EXITS */
	u64 null_calls;		   /* KC_BENCH_NOP calls answered here (atomics): the same, x3 */
	u64 mmio_last_ipa;	   /* the last one's IPA (atomics) */
	struct vmm_uart uart;	   /* its PL011's line (vuart.h) */
	struct vmm_gic gic;	   /* its GICv3's registers (vgic.h) */
	/* Its virtio-mmio devices (guest_layout.h's windows), under the lock; kserv has none. */
	struct virtio_mmio *virtio[GUEST_VIRTIO_MAX];
	u32 nr_virtio;
	struct guest_vcpu vcpus[GUEST_MAX_VCPUS];
	/* Boot cost, in counter ticks (docs/bench/README.md, "Boot cost"): */
	u64 created_at;	  /* the counter just before KC_HC_REGISTER_VM */
	u64 image_bytes;  /* every file handed to kcore (image, initrd) */
	u64 remap_ticks;  /* all its KC_HC_REMAP_VM_IMAGE calls */
	u64 verify_ticks; /* its KC_HC_VERIFY_VM */
};

/* Empties g for a new VM, the index-th of its payload, with the backend's part host. */
void vm_record_init(struct guest *g, u32 index, struct guest_host *host);

const char *guest_state_name(enum guest_state s);

/* Whether the payload run counts the guest as ok (docs/kserv.md). */
bool guest_ok(const struct guest *g);

#endif /* VMM_VM_H */
