/* SPDX-License-Identifier: MIT */
/*
 * The kcore host ABI: what an untrusted host (kserv, or any other) compiles
 * against. Hypercalls use the SMC Calling Convention over HVC: the function id
 * goes in x0, arguments in x1..x6; kcore returns a status in x0 (KCORE_OK or a
 * negative KCORE_E_* code) and results in x1... Every argument is checked by
 * kcore before use; bad input returns an error and changes nothing.
 *
 * Function ids live in the SMCCC "vendor specific hypervisor service" range
 * (fast call, SMC64 convention, owning entity 6). docs/abi.md describes every
 * call: arguments, results, the states it needs and the errors it returns.
 */
#ifndef KCORE_ABI_H
#define KCORE_ABI_H

#define KCORE_ABI_MAJOR 0
#define KCORE_ABI_MINOR 1

#define KCORE_HC_BASE 0xC6000000u
#define KCORE_HC(n)   (KCORE_HC_BASE | (n))

/* Host calls (HVC from the host, EL1). */
#define KC_HC_VERSION		 KCORE_HC(0x00) /* -> x1 = (major << 16) | minor */
#define KC_HC_REGISTER_VM	 KCORE_HC(0x01) /* -> x1 = vmid */
#define KC_HC_REGISTER_VCPU	 KCORE_HC(0x02) /* x1 vmid, x2 vcpuid */
#define KC_HC_SET_BOOT_INFO	 KCORE_HC(0x03) /* x1 vmid, x2 load ipa, x3 size -> x1 load_idx */
#define KC_HC_REMAP_VM_IMAGE	 KCORE_HC(0x04) /* x1 vmid, x2 pfn, x3 load_idx */
#define KC_HC_VERIFY_VM		 KCORE_HC(0x05) /* x1 vmid */
#define KC_HC_VCPU_SET_ENTRY	 KCORE_HC(0x06) /* x1 vmid, x2 vcpuid, x3 entry pc, x4 x0 at entry */
#define KC_HC_VM_DONATE		 KCORE_HC(0x07) /* x1 vmid, x2 ipa, x3 pa, x4 size (4 KiB or 2 MiB) */
#define KC_HC_VM_MAP_IO		 KCORE_HC(0x08) /* x1 vmid, x2 ipa, x3 pa (device page) */
#define KC_HC_VM_POWEROFF	 KCORE_HC(0x09) /* x1 vmid */
#define KC_HC_VM_CLEAR_RANGE	 KCORE_HC(0x0a) /* x1 vmid, x2 ipa, x3 size */
#define KC_HC_VM_FREE		 KCORE_HC(0x0b) /* x1 vmid */
#define KC_HC_KEY_INFO		 KCORE_HC(0x0c) /* x1 index -> x1 nr keys, x2..x5 key id (LE words) */
#define KC_HC_VM_SET_RAM	 KCORE_HC(0x0d) /* x1 vmid, x2 ipa, x3 size: a RAM region of the VM */
#define KC_HC_VCPU_RUN		 KCORE_HC(0x0e) /* x1 vmid, x2 vcpuid, x3 run page pa -> x1 exit */
#define KC_HC_VCPU_INJECT_IRQ	 KCORE_HC(0x0f) /* x1 vmid, x2 vcpuid, x3 intid (abi.md) */
/* DMA isolation: IO domains (SMMU page tables) and the streams (devices) attached to them. */
#define KC_HC_IO_DOMAIN_ALLOC	 KCORE_HC(0x10) /* x1 owner (0 = host, or a vmid) -> x1 domain */
#define KC_HC_IO_DOMAIN_FREE	 KCORE_HC(0x11) /* x1 domain */
#define KC_HC_IO_ATTACH		 KCORE_HC(0x12) /* x1 domain, x2 stream id */
#define KC_HC_IO_DETACH		 KCORE_HC(0x13) /* x1 stream id */
#define KC_HC_IO_MAP		 KCORE_HC(0x14) /* x1 domain, x2 iova, x3 pa (4 KiB) */
#define KC_HC_IO_UNMAP		 KCORE_HC(0x15) /* x1 domain, x2 iova (4 KiB) */
#define KC_HC_IO_IOVA_TO_PHYS	 KCORE_HC(0x16) /* x1 domain, x2 iova -> x1 pa */
/* Encrypted snapshots (docs/abi.md "Snapshots"; records: include/kcore/snapshot.h). */
#define KC_HC_VM_SNAPSHOT_BEGIN	 KCORE_HC(0x17) /* x1 vmid, x2 record pa (header) */
#define KC_HC_VM_SNAPSHOT_PAGE	 KCORE_HC(0x18) /* x1 vmid, x2 ipa, x3 data pa, x4 record pa */
#define KC_HC_VM_SNAPSHOT_VCPU	 KCORE_HC(0x19) /* x1 vmid, x2 vcpuid, x3 data pa, x4 record pa */
#define KC_HC_VM_SNAPSHOT_END	 KCORE_HC(0x1a) /* x1 vmid, x2 record pa (trailer) */
#define KC_HC_VM_SNAPSHOT_CANCEL KCORE_HC(0x1b) /* x1 vmid */
#define KC_HC_VM_RESTORE_BEGIN	 KCORE_HC(0x1c) /* x1 vmid, x2 record pa (header) */
#define KC_HC_VM_RESTORE_PAGE	 KCORE_HC(0x1d) /* x1 vmid, x2 data pa, x3 record pa */
#define KC_HC_VM_RESTORE_VCPU	 KCORE_HC(0x1e) /* x1 vmid, x2 data pa, x3 record pa */
#define KC_HC_VM_RESTORE_END	 KCORE_HC(0x1f) /* x1 vmid, x2 record pa (trailer) */
/* -> the oldest DMA fault: x1 stream id, x2 address, x3 event type, x4 access (below) */
#define KC_HC_IO_FAULT_POP	 KCORE_HC(0x20)
#define KC_HC_CHECK_INVARIANTS	 KCORE_HC(0x3f) /* debug builds: -> x1 = violations */

/*
 * KC_HC_IO_FAULT_POP's event types: the SMMUv3 event record's own codes
 * (Arm IHI 0070, "Event records"), so a host can name them as the SMMU does.
 */
#define KC_IO_FAULT_C_BAD_STREAMID 0x02 /* the stream id is beyond the stream table */
#define KC_IO_FAULT_C_BAD_STE	   0x04 /* the stream is attached to no domain: blocked */
#define KC_IO_FAULT_F_WALK_EABT	   0x0b
#define KC_IO_FAULT_F_TRANSLATION  0x10 /* nothing mapped at the address in the domain */
#define KC_IO_FAULT_F_ADDR_SIZE	   0x11
#define KC_IO_FAULT_F_ACCESS	   0x12
#define KC_IO_FAULT_F_PERMISSION   0x13
/* KC_HC_IO_FAULT_POP's access (x4): events of a blocked stream carry neither address nor direction.
 */
#define KC_IO_FAULT_ACCESS_UNKNOWN 0
#define KC_IO_FAULT_ACCESS_READ	   1
#define KC_IO_FAULT_ACCESS_WRITE   2

/* Guest calls (HVC from a VM) that kcore handles itself. */
#define KC_GC_VERSION	   KCORE_HC(0x40) /* -> x1 = (major << 16) | minor */
#define KC_GC_SHARE_PAGE   KCORE_HC(0x41) /* x1 ipa of one of the VM's own pages */
#define KC_GC_UNSHARE_PAGE KCORE_HC(0x42) /* x1 ipa */

/* Status codes returned in x0. KCORE_E_NOT_SUPPORTED matches SMCCC's -1. */
#define KCORE_OK	      0
#define KCORE_E_NOT_SUPPORTED (-1)  /* unknown function id */
#define KCORE_E_INVAL	      (-2)  /* malformed argument: id out of range, unaligned, not RAM */
#define KCORE_E_STATE	      (-3)  /* the VM, vCPU or image is in the wrong state */
#define KCORE_E_PERM	      (-4)  /* the page or object is not the caller's to use */
#define KCORE_E_NOMEM	      (-5)  /* a kcore pool, slot table or window is exhausted */
#define KCORE_E_BUSY	      (-6)  /* still in use: shared, running, or mapped */
#define KCORE_E_EXIST	      (-7)  /* already mapped or already done */
#define KCORE_E_VERIFY	      (-8)  /* an image failed signature verification */
#define KCORE_E_NOENT	      (-9)  /* nothing mapped or registered there */
#define KCORE_E_AUTH	      (-10) /* a snapshot record or blob failed authentication */

/*
 * Running a vCPU. The host gives kcore one of its own pages per vCPU it runs
 * (KC_HC_VCPU_RUN's x3); kcore reads the "in" part once when the call starts
 * and writes the "out" part before it returns. The exit tells the host only
 * what it needs to act (brief: vCPU confidentiality), never a register the
 * exit does not concern.
 */
#define KC_EXIT_MMIO	   1 /* access outside the VM's RAM: emulate it */
#define KC_EXIT_MEM_FAULT  2 /* first touch of a RAM page: donate one at ipa */
#define KC_EXIT_GUEST_CALL 3 /* a guest HVC kcore does not answer itself */
#define KC_EXIT_POWEROFF   4 /* the VM powered itself off (or reset) */
#define KC_EXIT_WFI	   5 /* the vCPU waits for an interrupt */
#define KC_EXIT_IRQ	   6 /* a physical interrupt came: handle it, then run again */
#define KC_EXIT_VCPU_START 7 /* the guest started another vCPU (PSCI CPU_ON): run it */
#define KC_EXIT_KICK	   8 /* the guest sent SGIs to other vCPUs: run (or kick) them */
#define KC_EXIT_YIELD	   9 /* the vCPU waits for an event (WFE): run another if one waits */
/* This vCPU turned itself off (PSCI CPU_OFF): not run again until a KC_EXIT_VCPU_START names it. */
#define KC_EXIT_VCPU_OFF   10

#define KC_WFI_NO_DEADLINE (~0ull)

/* in.flags */
#define KC_RUN_MMIO_DONE  (1ull << 0) /* complete the pending MMIO read with in.mmio_value */
#define KC_RUN_CALL_DONE  (1ull << 1) /* complete the pending guest call with in.call_ret */
#define KC_RUN_MMIO_ABORT (1ull << 2) /* no device there: the guest takes an external abort */

struct kcore_vcpu_run {
	struct {
		unsigned long long flags;
		unsigned long long mmio_value;
		unsigned long long call_ret[4]; /* x0..x3 of the guest */
		unsigned long long reserved[10];
	} in;
	struct {
		unsigned long long reason; /* KC_EXIT_* */
		union {
			struct {
				unsigned long long ipa;
				unsigned long long size; /* 1, 2, 4 or 8 */
				unsigned long long is_write;
				unsigned long long value; /* writes only */
			} mmio;
			struct {
				unsigned long long ipa; /* page aligned */
				unsigned long long is_write;
				unsigned long long is_exec;
			} fault;
			struct {
				unsigned long long fid;
				unsigned long long args[6]; /* x1..x6 */
			} call;
			struct {
				unsigned long long reset;
			} poweroff;
			struct {
				unsigned long long vcpuid;
			} start;
			struct {
				unsigned long long vcpus; /* bit n: vCPU n has a new SGI pending */
			} kick;
			struct {
				/*
				 * KC_EXIT_WFI: the physical count (CNTPCT_EL0) at which the
				 * vCPU's earliest armed timer fires and kcore will give it
				 * its interrupt if it is run then, or KC_WFI_NO_DEADLINE: no
				 * timer armed, only the host (an injected interrupt) or a
				 * sibling (an SGI, a kick) can end the wait.
				 */
				unsigned long long deadline;
			} wfi;
			unsigned long long raw[8];
		};
	} out;
};

#define KCORE_PAGE_SIZE	 4096ull
#define KCORE_BLOCK_SIZE (2ull * 1024 * 1024)

#endif /* KCORE_ABI_H */
