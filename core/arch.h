/* SPDX-License-Identifier: MIT */
/*
 * What the portable core needs from the architecture. arch/aarch64 implements
 * these with system registers and TLBI instructions; arch/sim implements them
 * on a simulated machine that records every call, so host-run tests can check
 * that the core asked for what the hardware needs (e.g. an invalidation after
 * every unmap).
 */
#ifndef KCORE_ARCH_H
#define KCORE_ARCH_H

/*
 * The arch's per-vCPU state, struct arch_vcpu: each arch defines it in its
 * own include directory (arch/aarch64/include/arch/, arch/sim/include/arch/),
 * which the build puts on the include path; the core holds one in every
 * struct vcpu and never looks inside.
 */
#include <arch/vcpu_state.h>

#include "lib/addr.h"

/* kcore's linear view of physical memory: page tables, page scrubbing. */
void *arch_pa_to_ptr(paddr_t pa);

/*
 * kcore's view through its own EL2 stage-1 tables: the image windows. On
 * hardware this is the address itself; the simulated machine walks kcore's
 * stage-1 table to find the page. Valid for one page from va.
 */
const void *arch_kva_to_ptr(vaddr_t va);

/*
 * Cleans and invalidates the data cache over kcore's view of [pa, pa + len)
 * to the point of coherency, complete (DSB included) on return: what kcore
 * wrote there is then in memory, and no stale line is left, whatever
 * memory attributes the page's next owner uses (a VM with its stage-1 MMU
 * off reads memory, not kcore's cache). Called at every hand-over of a page
 * kcore wrote or is about to read on another's behalf: a scrubbed page
 * before it goes to the host, a restored page before its VM runs, an image
 * page between leaving the host and being hashed.
 */
void arch_clean_dcache_range(paddr_t pa, u64 len);

/*
 * A host page (or block) becomes a VM's: a dirty line the host left could
 * later be written back over what the VM wrote with its caches off. Where
 * the CPU's stage-2 forces Write-Back (HCR_EL2.FWB) no world reads or writes
 * RAM uncached and there is nothing to do; otherwise the range is cleaned
 * and invalidated like arch_clean_dcache_range.
 */
void arch_dcache_hand_over(paddr_t pa, u64 len);

/*
 * Pages a new owner may execute changed hands (their data already cleaned:
 * the two hooks above): no instruction cache may still hold an earlier
 * owner's instructions for them. Nothing to do where the CPU's instruction
 * cache is coherent with its data (CTR_EL0.DIC); otherwise every CPU's
 * instruction cache is invalidated. Called once per hand-over call, after
 * its last data clean and before the new owner can run or map the pages.
 */
void arch_sync_icache(void);

/*
 * TLB maintenance, each complete (DSB included) on return. vmid 0 is the host.
 * s2_ipa invalidates every cached stage-2 (and combined) entry for that page
 * of that VMID; s2_vmid every entry of the VMID; el2_va kcore's own entry.
 */
void arch_tlbi_s2_ipa(u32 vmid, ipaddr_t ipa);
void arch_tlbi_s2_vmid(u32 vmid);
void arch_tlbi_el2_va(vaddr_t va);

/*
 * The SMMU (core/smmu/iommu.c decides, the arch programs it). Without an
 * SMMU kcore drives, arch_smmu_present() is false, the IO hypercalls are
 * refused with KCORE_E_NOT_SUPPORTED and the other hooks are never called.
 *
 * attach points stream sid (a PCI requester ID) at the IO page table of
 * domain, rooted at root, with an input size of ia_bits; detach makes the
 * stream abort again (DMA denied, and reported in the SMMU's event queue).
 * Both are complete on return: any configuration the SMMU cached for the
 * stream, and the device's own translation cache (ATS), is invalidated.
 * tlbi_iova invalidates every cached translation of that page of the
 * domain's table, tlbi_domain every translation and table walk cached for
 * the domain; both are complete (CMD_SYNC) on return.
 */
bool arch_smmu_present(void);
void arch_smmu_attach(u32 sid, u32 domain, paddr_t root, u32 ia_bits);
void arch_smmu_detach(u32 sid);
void arch_smmu_tlbi_iova(u32 domain, u64 iova);
void arch_smmu_tlbi_domain(u32 domain);

/*
 * The format the SMMU reads an IO domain's table in: false, the stage-2
 * format (an SMMU that translates a stream with stage 2); true, the stage-1
 * format, for an SMMU that has stage 1 only (QEMU 7.2's). Either way the
 * table, and every structure naming it, is kcore's and only kcore writes it.
 */
bool arch_smmu_stage1_tables(void);

/*
 * One fault the SMMU recorded in its event queue, in the ABI's terms
 * (KC_IO_FAULT_* of include/kcore/abi.h): type is the SMMUv3 event type,
 * addr the input address (0 when the event carries none), access
 * KC_IO_FAULT_ACCESS_*.
 */
struct arch_io_fault {
	u32 sid;
	u32 type;
	u64 addr;
	u32 access;
};

/*
 * What the SMMU's hardware holds for a stream, read back from the stream
 * table (and the context descriptor it names) for the invariant checker,
 * which compares it with what the core says (core/check/smmu_hw.c). The arch
 * decodes; the core judges.
 */
enum arch_smmu_ste_kind {
	ARCH_STE_BLOCKED,   /* its DMA aborts: an invalid STE, or one that aborts */
	ARCH_STE_TRANSLATE, /* translated through the context kcore made for .domain */
	ARCH_STE_BYPASS,    /* its DMA reaches physical memory untranslated */
	ARCH_STE_FOREIGN    /* anything kcore never writes: a context it did not make, ATS, ... */
};

struct arch_smmu_ste_view {
	enum arch_smmu_ste_kind kind;
	u32 domain;   /* TRANSLATE: whose context the entry names */
	paddr_t root; /* TRANSLATE: the table that context walks */
	u32 ia_bits;  /* TRANSLATE: its input size */
};

/*
 * Whether the SMMU as a whole is as kcore set it up: translation on, and the
 * stream table it reads is kcore's (else no entry below means anything).
 */
bool arch_smmu_config_intact(void);
/* The hardware's entry for stream sid (< KCORE_MAX_STREAMS). Only with an SMMU present. */
void arch_smmu_read_ste(u32 sid, struct arch_smmu_ste_view *view);

/* Takes the oldest recorded fault off the SMMU's event queue; false when it is empty. */
bool arch_smmu_fault_pop(struct arch_io_fault *fault);

/*
 * The host touched something it may not: inject a synchronous external abort
 * into the host for the access the arch is currently handling.
 */
void arch_host_inject_abort(ipaddr_t ipa);

/*
 * BearSSL uses FP/SIMD registers, which hold the interrupted host's or VM's
 * state: the arch keeps that state aside between these two calls.
 */
void arch_crypto_begin(void);
void arch_crypto_end(void);

/*
 * Running a vCPU. arch_vcpu_run switches this CPU to the guest (its stage-2,
 * registers, EL1 system registers, FP/SIMD, timer) and back to the host on
 * the first exit, which it describes in portable terms. The core decides
 * what the exit means; the arch never tells the host anything.
 */
struct vm;
struct vcpu;

/* The guest's general registers, as the world switch saves and loads them. */
struct vcpu_regs {
	u64 x[31];
	u64 pc;
	u64 pstate;
};

/*
 * What arch_vcpu_run needs of the vCPU it runs, kept by the core in the
 * vCPU from its registration on: the arch sees nothing else of the core's
 * struct vm and struct vcpu, which it only hands back (vcpu_exit_fast,
 * virq_pop, ...).
 */
struct arch_guest {
	struct vm *vm;
	struct vcpu *vcpu;
	struct vcpu_regs *regs;
	struct arch_vcpu *state;
	paddr_t s2_root; /* the VM's stage-2 */
	u32 vmid;
	u32 vcpu_index; /* its position in the VM: the affinity the guest reads in its MPIDR */
};

enum arch_exit_kind {
	ARCH_EXIT_HVC,	   /* regs->pc is already past the HVC */
	ARCH_EXIT_DABT,	   /* stage-2 data abort */
	ARCH_EXIT_IABT,	   /* stage-2 instruction abort */
	ARCH_EXIT_WFX,	   /* WFI; regs->pc at the instruction */
	ARCH_EXIT_WFE,	   /* WFE; regs->pc at the instruction */
	ARCH_EXIT_IRQ,	   /* a physical interrupt for the host */
	ARCH_EXIT_SYSREG,  /* a trapped MSR/MRS; regs->pc at the instruction */
	ARCH_EXIT_UNKNOWN, /* anything else: a trapped instruction kcore does not emulate */
	ARCH_EXIT_DONE	   /* vcpu_exit_fast() already handled it (the VM powered off meanwhile) */
};

struct arch_exit {
	enum arch_exit_kind kind;
	u64 ipa;	  /* aborts: the faulting IPA, byte-exact */
	bool translation; /* aborts: a translation fault (nothing mapped there) */
	bool isv;	  /* data aborts: the fields below are valid */
	bool write;
	u32 size; /* bytes */
	u32 rt;	  /* the register transferred */
	bool sign_extend;
	bool reg64;
	u32 sysreg; /* ARCH_EXIT_SYSREG: ARCH_SYSREG(...) of the register; rt, write as above */
};

/* A system register as its trap names it: op0, op1, CRn, CRm, op2. */
#define ARCH_SYSREG(op0, op1, crn, crm, op2)                                               \
	(((u32)(op0) << 14) | ((u32)(op1) << 11) | ((u32)(crn) << 7) | ((u32)(crm) << 3) | \
	 (u32)(op2))
#define ARCH_SYSREG_ICC_SGI1R ARCH_SYSREG(3, 0, 12, 11, 5)

void arch_vcpu_run(const struct arch_guest *guest, struct arch_exit *exit);

/*
 * Makes the vCPU take a synchronous external abort (a data abort for a read
 * or a write, or an instruction abort) for its access to ipa.
 */
void arch_vcpu_inject_abort(struct vcpu *vcpu, bool instruction, bool write, u64 ipa);
/* Makes the vCPU take an undefined-instruction exception. */
void arch_vcpu_inject_undef(struct vcpu *vcpu);

/*
 * For a WFI exit (run->out.wfi.deadline): the physical count at which the
 * vCPU's earliest timer that can interrupt it fires (enabled, not masked,
 * its PPI enabled in the guest's GIC), or KC_WFI_NO_DEADLINE. From the
 * timer state saved at the exit.
 */
u64 arch_vcpu_timer_deadline(struct vcpu *vcpu);
/* Puts a vCPU that never ran into its reset state before its first entry. */
void arch_vcpu_reset(struct vcpu *vcpu);
/*
 * Which of INTIDs first..first+31 (first a multiple of 32) the stopped
 * vCPU's list registers hold pending (active false) or active (true): bit i
 * for INTID first + i. For the guest's reads of its pending/active registers
 * (core/run/gic_view.c); never for the host.
 */
u32 arch_vcpu_irq_bits(struct vcpu *vcpu, u32 first, bool active);
/*
 * The guest's write of bits to a clear-pending register for INTIDs
 * first..first+31: the stopped vCPU's list registers drop the pending state
 * of those INTIDs (one only pending becomes empty, one active and pending
 * stays active).
 */
void arch_vcpu_irq_unpend(struct vcpu *vcpu, u32 first, u32 bits);
/*
 * The guest's write of bits to a clear-active register for INTIDs
 * first..first+31: the stopped vCPU's list registers drop the active state
 * of those INTIDs (one only active becomes empty, one active and pending
 * stays pending), as the guest's own deactivation would. A hardware list
 * register's physical interrupt is kcore's to hold active only for a run
 * (aarch64 timers.c), so it needs nothing more: if its level is still high,
 * the next entry makes the virtual interrupt pending again, as on a GIC.
 */
void arch_vcpu_irq_deactivate(struct vcpu *vcpu, u32 first, u32 bits);

/*
 * Snapshots (core/snapshot). arch_random_bytes fills buf from the CPU's
 * random number generator (a fresh snapshot id); false when the CPU has none
 * or it failed, and then no snapshot is taken. arch_vcpu_state_format names
 * the layout of struct arch_vcpu: a snapshot records it and a restore
 * insists on the same.
 */
bool arch_random_bytes(void *buf, size_t len);
u32 arch_vcpu_state_format(void);

/*
 * SHA-256 compression in the CPU's own instructions (core/lib/sha256.c):
 * arch_sha256_fast() says whether there are any; arch_sha256_blocks runs
 * nblocks 64-byte blocks of data through state. Only between
 * arch_crypto_begin and arch_crypto_end.
 */
bool arch_sha256_fast(void);
void arch_sha256_blocks(u32 state[8], const void *data, size_t nblocks);

/*
 * Writes kcore's view of [p, p + len) back to the point of coherency and
 * drops it from every cache (DC CIVAC, then DSB): what kcore zeroed before
 * a reset is in RAM itself, not only in a cache that the reset may discard
 * unwritten (core/machine_scrub.c).
 */
void arch_clean_to_poc(const void *p, size_t len);

/* Console output for kcore's log and panic messages. */
void arch_console_write(const char *s, size_t len);

/* Stop every CPU for good. Used only by panic. */
_Noreturn void arch_halt_all(void);

/*
 * ---- Called by the arch ----
 * Everything the arch may call in the core besides core/kcore.h's entry
 * points (boot, the dispatchers, the host's fault path) and core/lib/. The
 * arch includes no other header of the core's: it sees a VM and a vCPU only
 * as struct arch_guest and the pointers it hands back.
 */

/*
 * The fast path (core/run/guest_call.c): before switching worlds back, the
 * arch offers each exit to the core, which decides what it means and
 * finishes the ones that need neither the host nor an exception injected
 * (guest calls kcore answers itself). The arch only decodes and obeys:
 *   ARCH_FAST_REENTER  answered: re-enter the guest at once, its EL1, FP and
 *                      GIC state still loaded;
 *   ARCH_FAST_STOP     answered, but the VM powered off meanwhile: end the
 *                      run (the core set exit->kind to ARCH_EXIT_DONE);
 *   ARCH_FAST_NO       not answered: end the run with *exit as it is.
 */
enum arch_fast { ARCH_FAST_REENTER = 0, ARCH_FAST_NO, ARCH_FAST_STOP }; /* REENTER 0: one test */
enum arch_fast vcpu_exit_fast(struct vcpu *vcpu, struct arch_exit *exit);
/*
 * The same for an HVC, for an arch that knows it has one before decoding
 * anything (a guest's commonest exit: one argument, no struct arch_exit).
 * The arch then ends the run with an exit of kind ARCH_EXIT_HVC on
 * ARCH_FAST_NO and ARCH_EXIT_DONE on ARCH_FAST_STOP.
 */
enum arch_fast vcpu_exit_fast_hvc(struct vcpu *vcpu);

/*
 * The vCPU's pending virtual interrupts (core/vm/virq.c), which the arch
 * moves into free list registers at every entry: virq_pop takes the lowest
 * pending intid out of the set (false if none), virq_raise puts one back
 * (intid < 1020).
 */
bool virq_pop(struct vcpu *vcpu, u32 *intid);
void virq_raise(struct vcpu *vcpu, u32 intid);
/*
 * Whether the guest has the PPI intid (16..31) enabled in its redistributor
 * (core/vm/virq.c): the arch raises the PPIs it generates itself (its timer's)
 * only then, as a GIC forwards no disabled interrupt.
 */
bool virq_ppi_enabled(const struct vcpu *vcpu, u32 intid);

/*
 * The parts of a vCPU the arch_vcpu_inject_* and arch_vcpu_reset hooks work
 * on (core/vm/vcpu_parts.c); arch_vcpu_run gets them in struct arch_guest.
 */
struct vcpu_regs *vcpu_guest_regs(struct vcpu *vcpu);
struct arch_vcpu *vcpu_arch_state(struct vcpu *vcpu);

/*
 * kcore's own stage-1 at boot (core/mm/kmap.c), built by the arch before it
 * turns its MMU on: each range mapped at its own address, page-aligned, as
 * its kind says. RAM ranges take 2 MiB blocks where they can.
 * KCORE_OK, or the first error of the core's mapping (the arch panics).
 */
enum kcore_s1_kind {
	KCORE_S1_TEXT,	 /* read-only, executable */
	KCORE_S1_RODATA, /* read-only */
	KCORE_S1_DATA,	 /* read-write, never executable */
	KCORE_S1_RAM,	 /* the same, in blocks where aligned */
	KCORE_S1_DEVICE	 /* read-write device registers */
};
int kcore_s1_map_identity(paddr_t base, u64 size, enum kcore_s1_kind kind);

/* Whether the RAM page of pa belongs to the host now (core/mm/pgowner.c's table). */
bool kcore_page_is_hosts(paddr_t pa);

/*
 * The CPU forces Write-Back on every Normal stage-2 mapping (HCR_EL2.FWB):
 * from now on the core's stage-2 leaves say so (core/mm/pt_desc.c). Called
 * by the arch before the first table is built.
 */
void desc_s2_force_write_back(void);

/*
 * The page-table pages one IO domain needs at least (a table per level):
 * what a platform sizes kcore_boot_params.io_pool_pages by.
 */
#define KCORE_IO_DOMAIN_MIN_PAGES 4u

#endif /* KCORE_ARCH_H */
