/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * One protected VM of the Linux host, as the module keeps it: what
 * kcore_vm.c (creation, teardown, the VM's file) and kcore_vcpu.c (running
 * its vCPUs) share.
 *
 * Locks: vm->lock (a spinlock, never held across a host call) covers
 * vm->state and each vCPU's task and start count; vm->ram has the xarray's
 * own lock. A vCPU's run page and its "in the ioctl" flag belong to the one
 * thread that won vcpu->running.
 */
#ifndef KCORE_VM_H
#define KCORE_VM_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <kcore/abi.h>
#include <kcore/kcore_ioctl.h>

/*
 * Where every VM's RAM starts: KCORE_GUEST_RAM_BASE of include/kcore/payload.h
 * (kserv's guests' machine, which kcore-vmm gives them too). That header is
 * not a kernel header (stdint.h), so the value is repeated here.
 */
#define KCORE_GUEST_RAM_BASE 0x80000000ull

/* A file handed to kcore in fresh pages: a signed image, or the DTB. */
struct kcore_file_pages {
	struct page **pages;
	unsigned long nr_pages; /* allocated (and filled) */
	unsigned long nr_given; /* pages[0..nr_given) are kcore's */
	u64 size;		/* bytes */
	u64 ipa;		/* its first byte in the VM */
};

struct kcore_vm;

struct kcore_vcpu {
	struct kcore_vm *vm;
	u32 id;
	struct page *run_page; /* the run page kcore reads and writes (a Linux page) */
	atomic_t running;      /* 1 while a thread is in KCORE_VM_IOC_RUN for it */
	bool needs_start;      /* off: the next entry waits for a start (that thread's) */
	/* Under vm->lock: */
	struct task_struct *task; /* that thread, for kicks */
	u32 starts;		  /* PSCI starts not consumed yet (vCPU 0: its boot) */
	/* Set by anyone who wants it out of a WFI sleep; cleared before each entry. */
	bool kicked;
	wait_queue_head_t wq;
};

struct kcore_vm {
	u64 vmid; /* 0 until kcore registered it */
	u32 nr_vcpus;
	u64 ram_size;
	u64 load_ipa; /* the kernel's first byte, vCPU 0's entry */
	struct kcore_file_pages image, initrd, dtb;
	/* Pages donated on faults, by (ipa - KCORE_GUEST_RAM_BASE) >> PAGE_SHIFT. */
	struct xarray ram;
	struct mutex ram_lock;	   /* donations (kcore_ram.c) */
	u32 flags;		   /* KCORE_VM_* of the request */
	atomic_long_t pages_given; /* pages of this VM kcore holds (KCORE_VM_IOC_INFO) */
	spinlock_t lock;
	u32 state;	  /* KCORE_VM_* (under lock once the VM's file exists) */
	bool ram_set;	  /* KC_HC_VM_SET_RAM done */
	bool powered_off; /* kcore's VM is POWEROFF (the guest's doing, or a refused verify) */
	bool verified;	  /* the image pages are the VM's, mapped in its RAM */
	bool restored;	  /* KCORE_VM_IOC_RESTORE succeeded (under lock): never again */
	struct kcore_vcpu vcpus[KCORE_VM_MAX_VCPUS];
};

/* The module's counts over all VMs (KCORE_IOC_STATS). */
extern atomic_long_t kcore_pages_allocated;
extern atomic_long_t kcore_pages_held;
extern atomic_long_t kcore_pages_leaked;

/*
 * Pages kcore holds are marked PageOffline from the moment kcore took them
 * until it gave them back: the page type Linux's balloon drivers use for
 * memory a hypervisor took. The linear-map walkers that honour it
 * (/proc/kcore reads zeros there, hibernation and crash dumps skip such
 * pages) then never touch one and take kcore's abort. npages: a block's.
 */
void kcore_pages_taken(struct page *page, unsigned long npages);
void kcore_pages_returned(struct page *page, unsigned long npages);

/* kcore's error as an errno (docs/linux-host.md's table). */
int kcore_errno(long err);

/* One call of a VM's life; a refusal is logged with the call's name. */
long kcore_vm_call(struct kcore_vm *vm, const char *name, unsigned long fid, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long *x1);

/* kcore_vcpu.c: the vCPUs' part of a new VM (run pages), and of its end. */
int kcore_vcpus_init(struct kcore_vm *vm);
void kcore_vcpus_free(struct kcore_vm *vm);
long kcore_vcpu_run(struct kcore_vm *vm, void __user *uarg);
long kcore_vcpu_irq(struct kcore_vm *vm, const void __user *uarg);

/* kcore_ram.c: a zeroed page donated at ipa (a first touch); every such page freed. */
int kcore_ram_donate(struct kcore_vm *vm, u64 ipa);
/*
 * Restores: a page at ipa unless the VM has one there (a file's or donated).
 * An ipa outside the RAM or unaligned is left alone (0): kcore answers it.
 */
int kcore_ram_ensure(struct kcore_vm *vm, u64 ipa);
/*
 * Snapshots: the index (ipa - KCORE_GUEST_RAM_BASE) >> PAGE_SHIFT of the first
 * page kcore holds for the VM at or above index from (files and RAM, blocks
 * page by page); false if none. Under vm->ram_lock.
 */
bool kcore_ram_next(struct kcore_vm *vm, unsigned long from, unsigned long *out);

/* kcore_snap.c: KCORE_VM_IOC_SNAPSHOT and KCORE_VM_IOC_RESTORE. */
long kcore_vm_snapshot(struct kcore_vm *vm, void __user *uarg);
long kcore_vm_restore(struct kcore_vm *vm, const void __user *uarg);
void kcore_ram_free_all(struct kcore_vm *vm, bool leak);
/* The frame given at ipa (a RAM address of vm), 0 if none yet; under vm->ram_lock. */
unsigned long kcore_ram_pfn(struct kcore_vm *vm, u64 ipa);

/* kcore_mmap.c: mmap() of the VM's file (its RAM, for the VMM's devices). */
struct file;
struct vm_area_struct;
int kcore_vm_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* KCORE_VM_H */
