/* SPDX-License-Identifier: MIT */
/*
 * /dev/kcore's ioctls (kmod/, docs/linux-host.md "The module"): what a
 * user-space VMM on a Linux host compiles against. A uapi header: it
 * includes only Linux's own uapi headers, so both the module and a program
 * against glibc use it.
 */
#ifndef KCORE_KCORE_IOCTL_H
#define KCORE_KCORE_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "abi.h"

/* The ioctl "type" byte of /dev/kcore (a misc device: the number only has to differ from
 * the numbers of other drivers' ioctls a confused program might send it). */
#define KCORE_IOC_TYPE 0xC7

/* kcore's host ABI version, as KC_HC_VERSION answers it (include/kcore/abi.h). */
struct kcore_version {
	__u32 abi_major;
	__u32 abi_minor;
};

#define KCORE_IOC_VERSION _IOR(KCORE_IOC_TYPE, 0x00, struct kcore_version)

/*
 * KCORE_IOC_CREATE_VM: a protected VM from a signed kernel image, an
 * optional signed initrd and an optional device tree (the files kcore-sign
 * writes: payload then trailer, docs/image-format.md), checked by kcore
 * before the ioctl returns. Returns a new file descriptor for the VM
 * (close-on-exec), as KVM_CREATE_VM does: closing its last reference powers
 * the VM off, frees it in kcore and gives every page back to Linux.
 *
 * Every file is copied into fresh pages, which go to kcore. The kernel is
 * loaded at the start of the VM's RAM (KCORE_GUEST_RAM_BASE,
 * include/kcore/payload.h), or text_offset above it for an arm64 Image (the
 * module reads where from its copy; KCORE_VM_IOC_INFO says). The initrd
 * (signed, trailer included) goes at initrd_ipa and the DTB (not signed: the
 * host describes the machine, as it does to kserv's guests) at dtb_ipa; both
 * page aligned, inside the RAM, overlapping nothing else. vCPU 0 starts at
 * the kernel's first byte with x0 = dtb_ipa (0 without a DTB), as Linux's
 * arm64 boot protocol asks; the others start when the guest asks (PSCI).
 * Errors (docs/linux-host.md):
 *   EFAULT        a file not readable (NULL, unmapped, kernel address, wraps)
 *   EINVAL        image_size below a trailer (KCORE_VM_IMAGE_MIN), nr_vcpus
 *                 0 or above KCORE_VM_MAX_VCPUS, ram_size 0 or not a multiple
 *                 of 4 KiB, a flag not defined, a reserved word not 0, an initrd or DTB address
 *                 with no size (or the reverse), an IPA not page aligned, out
 *                 of the RAM or overlapping; kcore refused an argument
 *   E2BIG         a file above its maximum (KCORE_VM_IMAGE_MAX,
 *                 KCORE_VM_DTB_MAX) or the kernel larger than the RAM above
 *                 its load address; ram_size above KCORE_VM_MAX_RAM
 *   EKEYREJECTED  kcore refused a signature: no VM
 *   ENOMEM        no Linux memory; ENOSPC no free VM slot in kcore
 *   EMFILE        no file descriptor left
 * On any error nothing is left behind: no VM in kcore, every page freed.
 */
struct kcore_create_vm {
	__u64 image;	  /* user address of the signed kernel image */
	__u64 image_size; /* bytes, trailer included */
	__u64 ram_size;	  /* bytes of guest RAM */
	__u32 nr_vcpus;
	__u32 flags;	   /* KCORE_VM_SMALL_PAGES, or 0 */
	__u64 initrd;	   /* user address of a signed initrd; 0 with initrd_size 0: none */
	__u64 initrd_size; /* bytes, trailer included */
	__u64 initrd_ipa;
	__u64 dtb; /* user address of the guest's device tree; 0 with dtb_size 0: none */
	__u64 dtb_size;
	__u64 dtb_ipa;
	__u64 reserved[2]; /* 0 */
};

#define KCORE_VM_IMAGE_MIN   257ull		    /* a trailer and one byte (kcore's minimum) */
#define KCORE_VM_IMAGE_MAX   (512ull * 1024 * 1024) /* kcore's KC_HC_SET_BOOT_INFO maximum */
#define KCORE_VM_MAX_RAM     (16ull * 1024 * 1024 * 1024)
#define KCORE_VM_MAX_VCPUS   16u /* kcore's build ceiling; its boot parameters may allow fewer */
/* RAM only in 4 KiB pages, never 2 MiB blocks (the benchmarks measure a fault per page). */
#define KCORE_VM_SMALL_PAGES 1u
#define KCORE_VM_DTB_MAX     (64ull * 1024)

#define KCORE_IOC_CREATE_VM _IOW(KCORE_IOC_TYPE, 0x01, struct kcore_create_vm)

/* What the module holds for VMs, over all of them. */
struct kcore_stats {
	__u64 vms;		/* VMs alive (VM file descriptors not closed yet) */
	__u64 pages_allocated;	/* pages the module allocated for VMs and has not freed */
	__u64 pages_with_kcore; /* of those, kcore's: never touched until kcore gives them back */
	__u64 pages_leaked;	/* kcore refused a teardown: never freed (also counted above) */
};

#define KCORE_IOC_STATS _IOR(KCORE_IOC_TYPE, 0x02, struct kcore_stats)

/* On a VM's file descriptor. */
#define KCORE_VM_VERIFIED    1u /* kcore checked every image's signature: the VM may run */
#define KCORE_VM_RUNNING     2u /* a vCPU has run */
#define KCORE_VM_POWERED_OFF 3u /* the guest powered it off: no vCPU runs again */
#define KCORE_VM_FAILED	     4u /* kcore refused a run or the module could not go on (no memory) */

struct kcore_vm_info {
	__u64 vmid;  /* kcore's VM id */
	__u32 state; /* KCORE_VM_* */
	__u32 nr_vcpus;
	__u64 ram_base; /* guest physical */
	__u64 ram_size;
	__u64 load_ipa; /* where the image is */
	__u64 image_size;
	__u64 pages; /* pages of this VM kcore holds */
};

#define KCORE_VM_IOC_INFO _IOR(KCORE_IOC_TYPE, 0x40, struct kcore_vm_info)

/*
 * mmap() of a VM's file descriptor: the guest's RAM, for the VMM's devices
 * (docs/virtio.md). Offset 0 is ram_base (KCORE_VM_IOC_INFO), the length at
 * most ram_size from the offset, MAP_SHARED only; anything else is EINVAL.
 * A page reads and writes the guest's memory only while the guest shares it
 * with the host; any other page is kcore's, and a load or store there is a
 * SIGBUS for the thread (BUS_OBJERR: kcore's abort), as is one at an
 * address the guest never touched (BUS_ADRERR: no page there yet; the
 * mapping never gives the guest one). The mapping is not inherited across
 * fork() and keeps the VM alive: closing the descriptor tears the VM down
 * only after the last munmap. Never pass a pointer into it to a system call:
 * the kernel's own access of a private page is kcore's abort in the
 * kernel, an oops of the calling task on Linux 6.1; copy to a buffer first.
 */

/*
 * KCORE_VM_IOC_RUN: runs vCPU `vcpu` until something only user space can
 * handle. `run` is the run page of include/kcore/abi.h: its "in" part
 * completes the previous exit (KC_RUN_MMIO_DONE with the value of an MMIO
 * read, KC_RUN_CALL_DONE with a guest call's x0..x3, KC_RUN_MMIO_ABORT),
 * its "out" part is the exit that ended this run. What the module handles
 * itself and never returns: a first touch of RAM (KC_EXIT_MEM_FAULT: it
 * donates a zeroed page), host interrupts (KC_EXIT_IRQ), WFI (it sleeps
 * until an interrupt is injected, a sibling's SGI or kick, or a short
 * timeout for the guest's own timer, which only kcore sees), WFE, SGIs to
 * siblings (KC_EXIT_KICK: it wakes them), PSCI CPU_ON and CPU_OFF (a vCPU
 * not started yet, or off, sleeps in this ioctl until the guest starts it).
 * What comes back (0): KC_EXIT_MMIO, KC_EXIT_GUEST_CALL, KC_EXIT_POWEROFF.
 * Errors:
 *   EINTR   a signal is pending (another thread's pthread_kill is how a VMM
 *           stops a vCPU); no exit is pending: run again with in.flags 0
 *   EBUSY   another thread is running this vCPU, or a snapshot or restore of
 *           the VM is under way (KCORE_VM_IOC_SNAPSHOT, KCORE_VM_IOC_RESTORE)
 *   EINVAL  vcpu out of range, flags or reserved not 0, in.flags unknown
 *   ENOMEM  no page for the guest's RAM; EIO kcore refused the run (the VM
 *           is broken: KCORE_VM_IOC_INFO's state says why); ESHUTDOWN the VM
 *           powered off
 */
struct kcore_run {
	__u32 vcpu;
	__u32 flags;	   /* 0 */
	__u64 reserved[2]; /* 0 */
	struct kcore_vcpu_run run;
};

#define KCORE_VM_IOC_RUN _IOWR(KCORE_IOC_TYPE, 0x41, struct kcore_run)

/*
 * KCORE_VM_IOC_IRQ: makes interrupt intid pending for vcpu (a device the VMM
 * emulates raised its line: a PPI or SPI, 16..1019 but the timers' 27 and 30,
 * which are kcore's), and wakes
 * the vCPU if it sleeps in WFI. EINVAL: vcpu or intid out of range, or
 * kcore refused it.
 */
struct kcore_irq {
	__u32 vcpu;
	__u32 intid;
	__u64 reserved; /* 0 */
};

#define KCORE_VM_IOC_IRQ _IOW(KCORE_IOC_TYPE, 0x42, struct kcore_irq)

/*
 * Encrypted snapshots (docs/abi.md "Snapshots", docs/linux-host.md
 * "Snapshots"): kcore's records and encrypted data pages, copied to and from
 * user buffers. The module makes the hypercalls with host pages of its own
 * (one record page and one data page per ioctl, reused call after call) and
 * copies each record and page out or in: user space never sees a physical
 * address, and the records and pages are ciphertext it can only store.
 *
 * Both ioctls claim every vCPU of the VM for their whole length, as RUN
 * claims one: a vCPU in KCORE_VM_IOC_RUN on another thread makes them fail
 * with EBUSY (stop every vCPU first: a signal, as for the power-off), and a
 * RUN that comes meanwhile fails with EBUSY.
 *
 * The buffers: records holds (nr_pages + nr_vcpus + 2) records of
 * KCORE_SNAP_RECORD_SIZE (128) bytes, packed: the header, the PAGE records in
 * increasing IPA order, the VCPU records by vCPU id, the trailer
 * (include/kcore/snapshot.h); data holds (nr_pages + nr_vcpus) pages of 4 KiB:
 * the PAGE records' data pages in the same order, then the vCPUs'.
 */
struct kcore_snapshot {
	__u64 records;	    /* user address of the records, or 0 (see below) */
	__u64 records_size; /* its bytes */
	__u64 data;	    /* user address of the data pages, 4 KiB each, or 0 */
	__u64 data_size;    /* its bytes */
	__u64 nr_pages;	    /* PAGE records: SNAPSHOT's answer, RESTORE's input */
	__u32 nr_vcpus;	    /* VCPU records: SNAPSHOT's answer, RESTORE's input (the VM's) */
	__u32 vcpus_on;	    /* bit n: vCPU n is started (SNAPSHOT's answer, RESTORE's input) */
	__u32 flags;	    /* 0 */
	__u32 reserved0;    /* 0 */
	__u64 reserved[2];  /* 0 */
};

#define KCORE_SNAP_RECORD_BYTES 128ull
#define KCORE_SNAP_PAGE_BYTES	4096ull

/*
 * KCORE_VM_IOC_SNAPSHOT: a snapshot of the VM (verified, maybe running, no
 * vCPU in RUN). With records, data and both sizes 0 it only answers the
 * sizes: nr_pages (an upper bound: the pages of the VM kcore holds),
 * nr_vcpus and vcpus_on, and takes nothing. Otherwise it takes the snapshot
 * (SNAPSHOT_BEGIN, a PAGE per page of the VM in increasing IPA order, a VCPU
 * per vCPU, END) into the buffers, which must hold the sizes for the upper
 * bound, and answers the exact nr_pages written, nr_vcpus and vcpus_on (which
 * vCPUs are started: those that run again without a PSCI CPU_ON: what the VMM
 * gives KCORE_VM_IOC_RESTORE). The VM may run again afterwards, as before.
 * Errors (nothing taken, the VM as it was):
 *   EFAULT      the request or a buffer not writable
 *   EINVAL      flags or a reserved word not 0; one buffer given and not the
 *               other; the sizes asked (no buffer) with a size not 0
 *   ERANGE      a buffer smaller than the upper bound (nr_pages, nr_vcpus answered)
 *   EBUSY       a vCPU is in KCORE_VM_IOC_RUN, or another snapshot or restore of
 *               it is under way; or kcore's BUSY: the VM shares a page with the
 *               host (a shared page is not part of a snapshot)
 *   ESHUTDOWN   the VM powered off or failed
 *   EOPNOTSUPP  kcore takes no snapshots (no sealing key, no random numbers)
 *   ENOMEM      no Linux page for the module's record and data pages
 *   EIO         kcore refused another call (its error in the kernel log)
 */
#define KCORE_VM_IOC_SNAPSHOT _IOWR(KCORE_IOC_TYPE, 0x43, struct kcore_snapshot)

/*
 * KCORE_VM_IOC_RESTORE: restores a snapshot into this VM, which must be
 * freshly created from the same signed images, RAM and vCPUs (the same
 * measurement) and never run: a page donated at every IPA the PAGE records
 * name where the VM has none, then RESTORE_BEGIN, RESTORE_PAGE each page,
 * RESTORE_VCPU each vCPU, RESTORE_END, each record and page copied from the
 * buffers into the module's page first. Then RUN goes on from the snapshot:
 * the vCPUs of vcpus_on run at once, the others wait for a PSCI CPU_ON.
 * Errors that leave the VM as it was (fresh, it may still run or be restored):
 *   EFAULT      the request or the header record not readable
 *   EINVAL      flags or a reserved word not 0; nr_vcpus not the VM's, vcpus_on
 *               naming a vCPU it does not have, nr_pages 0 or above its RAM's
 *               pages; a buffer smaller than the counts need; the VM has run
 *               (or entered RUN) or was restored already; kcore refused an
 *               argument
 *   EBUSY       a vCPU is in KCORE_VM_IOC_RUN, or a snapshot or restore of it is
 *               under way
 *   ESHUTDOWN   the VM powered off or failed
 *   EOPNOTSUPP  kcore restores no snapshots; ENOMEM no Linux page for the copies
 * Errors once kcore accepted the header: the VM is FAILED (KCORE_VM_IOC_INFO),
 * never runs (RUN: ESHUTDOWN) and is torn down at close as usual:
 *   EBADMSG     kcore's AUTH: a record or page was changed, is out of place, or
 *               is not this VM's or this snapshot's (kcore powered the VM off)
 *   ENOENT      a PAGE record's IPA is outside the VM's RAM (kcore powered it off)
 *   EFAULT      a later record or page not readable; ENOMEM/ENOSPC no page to
 *               donate; EINVAL kcore refused a call
 */
#define KCORE_VM_IOC_RESTORE _IOW(KCORE_IOC_TYPE, 0x44, struct kcore_snapshot)

#endif /* KCORE_KCORE_IOCTL_H */
