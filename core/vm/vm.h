/* SPDX-License-Identifier: MIT */
/*
 * The VM and vCPU registry and their state machines (the seeds' BootCore,
 * BootAux and VCPUOpsAux state checks):
 *
 *   VM:   UNUSED -register-> READY -verify ok-> VERIFIED -power off-> POWEROFF
 *                            READY -verify fails or host power off-> POWEROFF
 *         POWEROFF -free (nothing left mapped)-> UNUSED
 *   vCPU: UNUSED -register (VM READY)-> READY <-activate/deactivate-> ACTIVE
 *
 * A vCPU becomes ACTIVE only while its VM is VERIFIED; nothing of a VM is
 * reclaimed while it is not POWEROFF or while any of its vCPUs is ACTIVE.
 */
#ifndef KCORE_VM_VM_H
#define KCORE_VM_VM_H

#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/spinlock.h"
#include "core/mm/pgtable.h"
#include "mmio_guard.h"

/* The vCPU the host starts (VCPU_SET_ENTRY); the guest starts the others (PSCI CPU_ON). */
#define VM_BOOT_VCPU 0u

enum vm_state { VM_UNUSED = 0, VM_READY, VM_VERIFIED, VM_POWEROFF };
enum vcpu_state { VCPU_UNUSED = 0, VCPU_READY, VCPU_ACTIVE };

/* One image of a VM: where it loads, its window in kcore, how much of it arrived. */
struct vm_image {
	ipaddr_t load_ipa;
	u64 size; /* bytes, trailer included */
	u64 nr_pages;
	vaddr_t window;
	u64 nr_remapped;
	u64 payload_size; /* set when verified: the part a vCPU may start in */
	bool loaded;	  /* verified and handed to the VM: its pages are no longer kcore's */
};

/* What the last exit left for the next run to complete (docs/abi.md, running). */
enum vcpu_pending { PENDING_NONE = 0, PENDING_MMIO, PENDING_CALL };

/* One bit per INTID 0..1023. */
#define VIRQ_WORDS 16u

struct vcpu {
	enum vcpu_state state;
	bool entry_set;
	bool has_run;
	/*
	 * What the fast path returns once it answered a call (an enum arch_fast,
	 * core/run/guest_call.c): ARCH_FAST_REENTER, and ARCH_FAST_STOP from the
	 * VM's power-off on (vm_set_poweroff, under vm->lock), whichever vCPU
	 * powered it off: the per-call power-off check is one load, near the
	 * pointer the fast path gets. Atomics only. (In what was padding: the
	 * layout, and so the code of every other path, stays as it was.)
	 */
	u8 fast_answered;
	u64 entry_pc;
	u64 entry_x0;
	struct vcpu_regs regs; /* struct vcpu_regs (core/arch.h): the world switch's layout */
	struct arch_vcpu arch; /* the arch's (<arch/vcpu_state.h>): the core only copies it */
	enum vcpu_pending pending;
	struct {
		u32 rt;	  /* the register an MMIO read fills */
		u32 size; /* bytes */
		bool write;
		bool sign_extend;
		bool reg64;
		u8 gic_read; /* a read of GIC state kcore completes (core/run/gic_view.h); 0 none */
	} mmio;
	/*
	 * The guest's PPI enables (bits 16..31) as its own GICR_ISENABLER0/ICENABLER0 writes
	 * set them (core/run/gic_view.c): a PPI kcore raises itself (its timer's) is only
	 * delivered while enabled. Reset: all disabled, as on the GIC.
	 */
	u32 ppi_enabled;
	/* Virtual interrupts waiting for a list register (core/vm/virq.c): atomics only. */
	u64 virq_pending[VIRQ_WORDS];
	u64 virq_words; /* bit w: virq_pending[w] may be non-zero (checked at every entry) */
	/* What arch_vcpu_run gets: set by vcpu_register (vcpu_guest_init), constant while
	 * registered. */
	struct arch_guest guest;
};

#define VM_MAX_RAM_REGIONS 4u

struct vm_ram {
	u64 ipa;
	u64 size;
};

/* An open snapshot or restore of a VM (core/snapshot), under vm->lock. */
enum snap_phase { SNAP_NONE = 0, SNAP_EXPORTING, SNAP_RESTORING };

struct vm_snap {
	enum snap_phase phase;
	bool restored;	/* a restore completed: the VM takes no other */
	u8 id[16];	/* the open snapshot's id */
	u8 key[32];	/* and its key: wiped when it closes */
	u64 nr_pages;	/* PAGE records written or restored so far */
	u64 last_ipa;	/* export: the last page's IPA (when nr_pages > 0) */
	u64 vcpus_done; /* bit n: vCPU n written or restored */
	u64 vcpu_mask;	/* the header's vCPUs */
};

struct vm {
	struct vcpu vcpus[KCORE_MAX_VCPUS]; /* first: the 16-byte aligned part */
	spinlock_t lock;
	u32 vmid;
	enum vm_state state;
	u32 nr_images;
	u32 nr_ram;
	struct pgtable s2;
	struct pt_pool pool;
	struct vm_image images[KCORE_MAX_LOAD_IMAGES];
	struct vm_ram ram[VM_MAX_RAM_REGIONS];
	u8 measurement[32]; /* set by VERIFY_VM (core/vm/verify.h) */
	bool started;	    /* a vCPU ran: the host may no longer set the boot entry */
	struct vm_snap snap;
	struct vm_mmio_guard mmio_guard; /* pKVM's MMIO guard (mmio_guard.h) */
};

/*
 * Proof that the holder took vm->lock (as Hafnium's struct vm_locked): only
 * vm_lock() makes one, so a function that takes a struct vm_locked cannot be
 * called without the lock; it replaces "Caller holds vm->lock" comments. One
 * pointer, passed in a register: it costs nothing over a struct vm *.
 */
struct vm_locked {
	struct vm *vm;
};

static inline struct vm_locked vm_lock(struct vm *vm)
{
	spin_lock(&vm->lock);
	return (struct vm_locked){vm};
}

/* The token is spent: it no longer names a VM. */
static inline void vm_unlock(struct vm_locked *locked)
{
	spin_unlock(&locked->vm->lock);
	locked->vm = NULL;
}

/* Sets up the slots, each with its own page-table pool carved by kcore_init. */
void vm_registry_init(u32 max_vms, u32 max_vcpus, u32 ipa_bits);
struct pt_pool *vm_slot_pool(u32 vmid);

/*
 * The VM with this id, or NULL when the id is out of range. Takes the raw
 * 64-bit register so that no truncation can turn a bad id into a good one.
 * Does not check the state or take the lock.
 */
struct vm *vm_from_id(u64 vmid);
struct vcpu *vcpu_from_id(struct vm *vm, u64 vcpuid);
u32 vm_max_vms(void);
u32 vm_max_vcpus(void);
u32 vm_ipa_bits(void);

/* True if [ipa, ipa + size) meets one of the VM's images (registered by set_boot_info). */
bool vm_ipa_in_image(struct vm_locked locked, u64 ipa, u64 size);
/*
 * Boot integrity: true if pc lies in the payload of one of the VM's verified
 * images, where a vCPU may start (the first run, PSCI CPU_ON).
 */
bool vm_search_load_info(struct vm_locked locked, u64 pc);
/* True while a vCPU of the VM runs; it cannot start or stop but under the lock. */
bool vm_any_vcpu_active(struct vm_locked locked);

/*
 * How an activated vCPU starts, decided under vm->lock together with the
 * activation itself: first is true exactly when this activation is the
 * vCPU's first run (the caller then resets it and starts it at pc with x0);
 * otherwise it resumes from its saved registers and pc/x0 are 0. Deciding
 * anything from has_run read before the lock is issue 14's race: another
 * CPU may run the first run in between.
 */
struct vcpu_start {
	bool first;
	u64 pc;
	u64 x0;
};

/*
 * vcpu_activate and vcpu_deactivate (core/kcore.h) for a VM and vCPU the
 * caller has already looked up from the host's ids (vcpu_run).
 */
int vm_vcpu_activate(struct vm *vm, struct vcpu *vcpu, struct vcpu_start *start);
void vm_vcpu_deactivate(struct vm *vm, struct vcpu *vcpu);

/*
 * A vCPU's power state for PSCI (core/run/psci.c), kept in entry_set and
 * has_run, both under vm->lock:
 *
 *   entry_set  has_run
 *       0         0      OFF: never started, or after PSCI CPU_OFF (which clears both
 *                        while the vCPU still runs: ACTIVE, it counts as ON until its run
 *                        returns); CPU_ON makes it (1, 0), its next run a first run (afresh)
 *       1         0      ON_PENDING: started (host for vCPU 0, guest CPU_ON), first run to come
 *       1         1      ON (running, or waiting for the host to run it)
 *
 * So an OFF vCPU cannot be run (vm_vcpu_activate: no entry), at no cost to
 * the resume path. Whether the VM ever ran is vm->started, which stays.
 */

/* Host calls: all arguments raw from registers, all checked. */
int vm_register(u32 *vmid);
int vcpu_register(u64 vmid, u64 vcpuid);
/* Fills vcpu->guest for vcpu number index of vm (core/vm/vcpu_parts.c); vcpu_register's. */
void vcpu_guest_init(struct vm *vm, struct vcpu *vcpu, u32 index);
int vcpu_set_entry(u64 vmid, u64 vcpuid, u64 pc, u64 x0);
int vm_set_ram(u64 vmid, u64 ipa, u64 size);
bool vm_ipa_is_ram(const struct vm *vm, u64 ipa);

/*
 * The VM's state machine for power-off and free. The teardown itself (IO
 * domains, image pages, in which order) is a service's:
 * core/memops/teardown.c. vm_set_poweroff makes the VM POWEROFF for good and
 * ends an open snapshot or restore.
 */
void vm_set_poweroff(struct vm_locked locked);
/* The slot allocation lock (core/lock_order.h: taken before any vm->lock). */
void vm_registry_lock(void);
void vm_registry_unlock(void);
/*
 * VM_FREE's state check: KCORE_E_STATE unless POWEROFF, KCORE_E_BUSY while a
 * vCPU is active or anything is still mapped in the VM's stage-2.
 */
int vm_free_check(struct vm_locked locked);
/* Returns the slot (stage-2 tables, VMID, vCPUs) to UNUSED. After vm_free_check. */
void vm_slot_release(struct vm_locked locked);
/*
 * Zeroes every VM slot, vCPU registers, snapshot keys and measurements
 * included (the reset scrub, core/machine_scrub.c): the registry is
 * unusable afterwards.
 */
void vm_registry_wipe(void);

#endif /* KCORE_VM_VM_H */
