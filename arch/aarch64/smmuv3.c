/* SPDX-License-Identifier: MIT */
/*
 * kcore's SMMUv3 driver (Arm IHI 0070): kcore takes the SMMU at boot and is
 * the only one that ever programs it. Its registers are kcore's device
 * memory; its stream table, context descriptors, queues and every IO page
 * table are kcore's memory (this file's tables live in kcore's image, the IO
 * tables in the IO pool of the carve-out). None of it is ever mapped for the
 * host, so no device the host programs can be pointed anywhere kcore did not
 * put it.
 *
 * Streams 0..255 (PCI bus 0: the requester ID is the stream ID) have a linear
 * stream table. A stream attached to no domain has an invalid STE (V = 0):
 * its DMA is terminated and the SMMU records C_BAD_STE in the event queue. An
 * STE with Config = abort would refuse the DMA too, but records nothing (and
 * QEMU 7.2 records nothing for it), and kcore wants every refused DMA seen.
 *
 * An attached stream translates with stage 1 through its domain's context
 * descriptor (one per domain, ASID = domain id), stage 2 bypassed: QEMU 7.2's
 * SMMUv3 has no stage 2 (IDR0.S2P = 0; it calls a stage-2 STE bad), and
 * stage 1 works on any SMMUv3 with S1P. The isolation does not depend on the
 * stage: it rests on kcore alone writing the STE, the CD and the table, so
 * the core builds the IO tables in the stage-1 format (PT_IO_S1).
 *
 * Every hook is called with mem_lock held (core/smmu/iommu.c), which
 * serialises the command and event queues too.
 */
#include "smmuv3.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "sysreg.h"

/* ---- registers (offsets in the window; EVENTQ_PROD/CONS are in page 1) ---- */
#define SMMU_IDR0	     0x00
#define SMMU_IDR1	     0x04
#define SMMU_IDR5	     0x14
#define SMMU_CR0	     0x20
#define SMMU_CR0ACK	     0x24
#define SMMU_CR1	     0x28
#define SMMU_CR2	     0x2c
#define SMMU_GBPA	     0x44
#define SMMU_GERROR	     0x60
#define SMMU_GERRORN	     0x64
#define SMMU_STRTAB_BASE     0x80
#define SMMU_STRTAB_BASE_CFG 0x88
#define SMMU_CMDQ_BASE	     0x90
#define SMMU_CMDQ_PROD	     0x98
#define SMMU_CMDQ_CONS	     0x9c
#define SMMU_EVENTQ_BASE     0xa0
#define SMMU_EVENTQ_PROD     0x100a8
#define SMMU_EVENTQ_CONS     0x100ac
#define SMMU_WINDOW_MIN	     0x20000ul

#define IDR0_S1P	   (1u << 1)
#define IDR0_TTF_AARCH64   (1u << 3) /* TTF = 0b10 or 0b11 */
#define IDR0_COHACC	   (1u << 4)
#define IDR1_SIDSIZE(v)	   ((v)&0x3fu)
#define IDR1_EVENTQS(v)	   (((v) >> 16) & 0x1fu)
#define IDR1_CMDQS(v)	   (((v) >> 21) & 0x1fu)
#define IDR5_OAS(v)	   ((v)&7u)
#define IDR5_GRAN4K	   (1u << 4)
#define GBPA_UPDATE	   (1u << 31)
#define GBPA_ABORT	   (1u << 20)
#define CR0_SMMUEN	   (1u << 0)
#define STRTAB_BASE_ADDR   0x000fffffffffffc0ull
#define CR0_EVENTQEN	   (1u << 2)
#define CR0_CMDQEN	   (1u << 3)
#define GERROR_CMDQ_ERR	   (1u << 0)
#define CMDQ_CONS_ERR(v)   (((v) >> 24) & 0x7fu)
#define EVENTQ_PROD_OVFLG  (1u << 31)
#define BASE_READ_ALLOCATE (1ull << 62)

/*
 * CR1: the SMMU's own reads and writes of tables and queues are Normal
 * write-back, inner shareable, as kcore's own mapping of that memory.
 */
#define CR1_VALUE ((1u << 0) | (1u << 2) | (3u << 4) | (1u << 6) | (1u << 8) | (3u << 10))
/*
 * CR2: RECINVSID, record an event for a stream ID beyond the table; PTM, the
 * CPUs' broadcast TLB maintenance (host's and VMs' included) never touches
 * the SMMU's TLB, only kcore's commands do.
 */
#define CR2_VALUE ((1u << 1) | (1u << 2))

/* ---- sizes ---- */
#define STREAM_BITS   8u /* KCORE_MAX_STREAMS */
#define NR_STREAMS    (1u << STREAM_BITS)
#define STE_WORDS     8u /* 64 bytes */
#define CD_WORDS      8u /* 64 bytes */
#define CMDQ_BITS     8u /* 256 commands of 16 bytes: 4 KiB */
#define EVENTQ_BITS   7u /* 128 events of 32 bytes: 4 KiB */
#define CMD_WORDS     2u
#define EVENT_WORDS   4u
#define POLL_ATTEMPTS 10000000u

_Static_assert(NR_STREAMS == KCORE_MAX_STREAMS, "the stream table covers every stream id");

/* ---- STE (stream table entry) ---- */
#define STE0_V		 (1ull << 0)
#define STE0_CFG_S1	 (5ull << 1) /* stage 1 translates, stage 2 bypassed */
#define STE0_CFG(w0)	 (((w0) >> 1) & 7u)
#define STE_CFG_ABORT	 0u
#define STE_CFG_BYPASS	 4u
#define STE_CFG_S1	 5u
#define STE0_S1FMT	 (3ull << 4)
#define STE0_S1CTXPTR	 0x000fffffffffffc0ull
#define STE0_S1CDMAX	 (0x1full << 59)
#define STE1_EATS	 (3ull << 28) /* ATS: a device caching translations of its own */
#define STE1_S1CIR_WB	 (1ull << 2)
#define STE1_S1COR_WB	 (1ull << 4)
#define STE1_S1CSH_INNER (3ull << 6)
#define STE1_SHCFG_INC	 (1ull << 44) /* shareability: the incoming transaction's */

/* ---- CD (context descriptor) ---- */
#define CD0_T0SZ(bits) ((u64)(64u - (bits)))
#define CD0_TG0_4K     (0ull << 6)
#define CD0_IR0_WB     (1ull << 8)
#define CD0_OR0_WB     (1ull << 10)
#define CD0_SH0_INNER  (3ull << 12)
#define CD0_EPD1       (1ull << 30) /* no TTB1: the upper half of the space faults */
#define CD0_V	       (1ull << 31)
#define CD0_IPS(oas)   ((u64)(oas) << 32)
#define CD0_AA64       (1ull << 41)
#define CD0_R	       (1ull << 45) /* record translation faults in the event queue */
#define CD0_A	       (1ull << 46) /* a faulting transaction is aborted, not stalled */
#define CD0_ASID(asid) ((u64)(asid) << 48)
#define CD1_TTB0       0x000ffffffffffff0ull
#define CD0_T0SZ_OF(w) ((u32)((w)&0x3fu))
#define CD0_EPD0       (1ull << 14)
#define CD0_ASID_OF(w) ((u32)((w) >> 48))

/* ---- commands ---- */
#define CMD_CFGI_STE	  0x03ull
#define CMD_CFGI_CD_ALL	  0x06ull
#define CMD_CFGI_ALL	  0x04ull /* CFGI_STE_RANGE with Range = 31 */
#define CMD_TLBI_NH_ASID  0x11ull
#define CMD_TLBI_NH_VA	  0x12ull
#define CMD_TLBI_EL2_ALL  0x20ull
#define CMD_TLBI_NSNH_ALL 0x30ull
#define CMD_SYNC	  0x46ull
#define CMD_SID(sid)	  ((u64)(sid) << 32)
#define CMD_ASID(asid)	  ((u64)(asid) << 48)
#define CMD_LEAF	  (1ull << 0)
#define CMD_RANGE_ALL	  31ull

/* ---- events ---- */
#define EVT_TYPE(w0)	 ((u32)((w0)&0xffu))
#define EVT_SID(w0)	 ((u32)((w0) >> 32))
#define EVT_RNW(w1)	 (((w1) >> 35) & 1u)
#define EVT_F_UUT	 0x01u
#define EVT_F_TRANS_FORB 0x07u

static u64 stream_table[NR_STREAMS * STE_WORDS] __attribute__((aligned(NR_STREAMS * 64)));
static u64 context_descs[KCORE_MAX_IO_DOMAINS * CD_WORDS] __attribute__((aligned(64)));
static u64 cmdq[(1u << CMDQ_BITS) * CMD_WORDS] __attribute__((aligned(4096)));
static u64 eventq[(1u << EVENTQ_BITS) * EVENT_WORDS] __attribute__((aligned(4096)));

static struct {
	volatile u8 *regs;
	bool on;
	u32 oas; /* IDR5.OAS, the output size a CD asks for */
	u32 cmdq_bits, eventq_bits;
	u32 cmdq_prod;	 /* with its wrap bit, as the register holds it */
	u32 eventq_cons; /* likewise */
} smmu;

static u64 pa_of(const void *p)
{
	return (u64)(uintptr_t)p; /* kcore maps all RAM, its image included, at its PA */
}

static u32 rd32(u32 off)
{
	return *(volatile u32 *)(smmu.regs + off);
}

static void wr32(u32 off, u32 v)
{
	*(volatile u32 *)(smmu.regs + off) = v;
}

static void wr64(u32 off, u64 v)
{
	*(volatile u64 *)(smmu.regs + off) = v;
}

/* The queue index arithmetic of SMMUv3: an index of `bits` bits plus a wrap bit above it. */
static u32 q_next(u32 v, u32 bits)
{
	return (v + 1u) & ((2u << bits) - 1u);
}

static bool q_full(u32 prod, u32 cons, u32 bits)
{
	u32 mask = (2u << bits) - 1u;

	return ((prod ^ cons) & mask) == (1u << bits);
}

/* ---- control ---- */

static void set_cr0(u32 v)
{
	u32 n = 0;

	wr32(SMMU_CR0, v);
	while (rd32(SMMU_CR0ACK) != v) {
		if (++n == POLL_ATTEMPTS)
			kc_panic("SMMU: CR0 %x never acknowledged (CR0ACK %x)", v,
				 rd32(SMMU_CR0ACK));
	}
}

static void wait_gbpa_update(void)
{
	u32 n = 0;

	while ((rd32(SMMU_GBPA) & GBPA_UPDATE) != 0) {
		if (++n == POLL_ATTEMPTS)
			kc_panic("SMMU: GBPA update never completed (GBPA %x)", rd32(SMMU_GBPA));
	}
}

/*
 * While SMMUEN is 0 every transaction takes SMMU_GBPA's attributes, and with
 * ABORT clear that means bypass: straight to physical memory. Abort instead,
 * before SMMUEN goes off, so nothing reaches memory while kcore builds its
 * tables (SMMUv3 spec 6.3.14: one 32-bit write with Update set, written only
 * while Update is 0, then poll Update until the SMMU clears it).
 */
static void gbpa_abort(void)
{
	wait_gbpa_update();
	wr32(SMMU_GBPA, rd32(SMMU_GBPA) | GBPA_ABORT | GBPA_UPDATE);
	wait_gbpa_update();
	/*
	 * QEMU's SMMUv3 before 8.0 has no GBPA (reads 0, ignores writes): there
	 * the bring-up below is only safe because no device has been programmed
	 * yet (the host has not run). docs/security.md says so.
	 */
	if ((rd32(SMMU_GBPA) & GBPA_ABORT) == 0)
		kc_log("SMMU: GBPA.ABORT not implemented (GBPA %x): the SMMU bypasses while off",
		       rd32(SMMU_GBPA));
}

/* A command kcore built wrong, or an SMMU that stopped: either way nothing is isolated any more. */
static void check_cmdq_error(void)
{
	if (((rd32(SMMU_GERROR) ^ rd32(SMMU_GERRORN)) & GERROR_CMDQ_ERR) != 0)
		kc_panic("SMMU: command queue error %u at CONS %x",
			 CMDQ_CONS_ERR(rd32(SMMU_CMDQ_CONS)), rd32(SMMU_CMDQ_CONS));
}

static void cmd_push(u64 w0, u64 w1)
{
	u64 *entry = &cmdq[(size_t)(smmu.cmdq_prod & ((1u << smmu.cmdq_bits) - 1u)) * CMD_WORDS];
	u32 n = 0;

	while (q_full(smmu.cmdq_prod, rd32(SMMU_CMDQ_CONS), smmu.cmdq_bits)) {
		check_cmdq_error();
		if (++n == POLL_ATTEMPTS)
			kc_panic("SMMU: command queue stays full");
	}
	entry[0] = w0;
	entry[1] = w1;
	smmu.cmdq_prod = q_next(smmu.cmdq_prod, smmu.cmdq_bits);
	/* The command (and any table it names) visible to the SMMU before it may read it. */
	dsb_ishst();
	wr32(SMMU_CMDQ_PROD, smmu.cmdq_prod);
}

/* CMD_SYNC and wait until the SMMU has consumed it: every command before it is complete. */
static void cmd_sync(void)
{
	u32 mask = (2u << smmu.cmdq_bits) - 1u, n = 0;

	cmd_push(CMD_SYNC, 0);
	while ((rd32(SMMU_CMDQ_CONS) & mask) != smmu.cmdq_prod) {
		check_cmdq_error();
		if (++n == POLL_ATTEMPTS)
			kc_panic("SMMU: CMD_SYNC never completed");
	}
	check_cmdq_error();
}

/* ---- boot ---- */

static void check_features(u32 idr0, u32 idr1, u32 idr5)
{
	/* Without coherent table walks kcore's cacheable writes could go unseen. */
	if ((idr0 & IDR0_COHACC) == 0)
		kc_panic("SMMU: no coherent access (IDR0 %x): kcore cannot drive it", idr0);
	if ((idr0 & IDR0_S1P) == 0 || (idr0 & IDR0_TTF_AARCH64) == 0 || (idr5 & IDR5_GRAN4K) == 0)
		kc_panic("SMMU: no stage 1 with AArch64 4 KiB tables (IDR0 %x, IDR5 %x)", idr0,
			 idr5);
	if (IDR1_SIDSIZE(idr1) < STREAM_BITS)
		kc_panic("SMMU: %u-bit stream ids, kcore needs %u", IDR1_SIDSIZE(idr1),
			 STREAM_BITS);
	if (IDR5_OAS(idr5) < 2)
		kc_panic("SMMU: output size field %u below 40 bits", IDR5_OAS(idr5));
}

static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

void smmuv3_init(const struct kcore_mem_range *regs)
{
	u32 idr0, idr1, idr5;

	if (regs->size < SMMU_WINDOW_MIN)
		kc_panic("SMMU: register window of %lu bytes, need %lu", regs->size,
			 SMMU_WINDOW_MIN);
	smmu.regs = (volatile u8 *)(uintptr_t)pa_addr(regs->base);
	idr0 = rd32(SMMU_IDR0);
	idr1 = rd32(SMMU_IDR1);
	idr5 = rd32(SMMU_IDR5);
	check_features(idr0, idr1, idr5);
	smmu.oas = IDR5_OAS(idr5);
	smmu.cmdq_bits = min_u32(CMDQ_BITS, IDR1_CMDQS(idr1));
	smmu.eventq_bits = min_u32(EVENTQ_BITS, IDR1_EVENTQS(idr1));

	/* Nothing bypasses from here on, not even while the SMMU is off below. */
	gbpa_abort();
	/* Whatever firmware left on goes off first: the tables change under it next. */
	set_cr0(0);
	/* Every STE invalid (the table is zero, in .bss): every stream blocked. */
	wr64(SMMU_STRTAB_BASE, BASE_READ_ALLOCATE | pa_of(stream_table));
	wr32(SMMU_STRTAB_BASE_CFG, STREAM_BITS); /* linear, LOG2SIZE = 8 */
	wr64(SMMU_CMDQ_BASE, BASE_READ_ALLOCATE | pa_of(cmdq) | smmu.cmdq_bits);
	wr32(SMMU_CMDQ_PROD, 0);
	wr32(SMMU_CMDQ_CONS, 0);
	wr64(SMMU_EVENTQ_BASE, BASE_READ_ALLOCATE | pa_of(eventq) | smmu.eventq_bits);
	wr32(SMMU_EVENTQ_PROD, 0);
	wr32(SMMU_EVENTQ_CONS, 0);
	wr32(SMMU_CR1, CR1_VALUE);
	wr32(SMMU_CR2, CR2_VALUE);
	smmu.cmdq_prod = 0;
	smmu.eventq_cons = 0;
	dsb_ishst();

	set_cr0(CR0_CMDQEN);
	/* Nothing cached from before kcore may survive: configuration and TLBs. */
	cmd_push(CMD_CFGI_ALL, CMD_RANGE_ALL);
	cmd_push(CMD_TLBI_NSNH_ALL, 0);
	cmd_push(CMD_TLBI_EL2_ALL, 0);
	cmd_sync();
	set_cr0(CR0_CMDQEN | CR0_EVENTQEN);
	set_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
	smmu.on = true;
	kc_log("SMMUv3 at %lx: %u streams blocked, stage-1 IO tables, %u-entry event queue",
	       pa_addr(regs->base), NR_STREAMS, 1u << smmu.eventq_bits);
}

/* ---- the hooks (core/arch.h) ---- */

bool arch_smmu_present(void)
{
	return smmu.on;
}

bool arch_smmu_stage1_tables(void)
{
	return true;
}

static u64 *ste_of(u32 sid)
{
	KC_CHECK(smmu.on && sid < NR_STREAMS);
	return &stream_table[(size_t)sid * STE_WORDS];
}

/* The SMMU forgets what it cached of sid's STE and CDs; complete on return. */
static void invalidate_stream_config(u32 sid)
{
	cmd_push(CMD_CFGI_STE | CMD_SID(sid), CMD_LEAF);
	cmd_push(CMD_CFGI_CD_ALL | CMD_SID(sid), 0);
	cmd_sync();
}

void arch_smmu_attach(u32 sid, u32 domain, paddr_t root, u32 ia_bits)
{
	u64 *ste = ste_of(sid);
	u64 *cd;

	KC_CHECK(domain < KCORE_MAX_IO_DOMAINS && ia_bits >= 25 && ia_bits <= 48);
	/* The core moves a stream only through a detach: a live STE here is a core bug. */
	KC_CHECK((ste[0] & STE0_V) == 0);
	/*
	 * The domain's CD. Streams already attached to it may be using it: they
	 * read the same words again, since a domain keeps its root for its life.
	 */
	cd = &context_descs[(size_t)domain * CD_WORDS];
	cd[1] = pa_addr(root) & CD1_TTB0;
	cd[2] = 0;
	cd[3] = MAIR_EL2_VALUE; /* AttrIndx means what it means in kcore's own tables */
	cd[0] = CD0_T0SZ(ia_bits) | CD0_TG0_4K | CD0_IR0_WB | CD0_OR0_WB | CD0_SH0_INNER |
		CD0_EPD1 | CD0_V | CD0_IPS(smmu.oas) | CD0_AA64 | CD0_R | CD0_A | CD0_ASID(domain);
	/* The STE's other words first, V last: the SMMU never sees half an entry. */
	ste[1] = STE1_S1CIR_WB | STE1_S1COR_WB | STE1_S1CSH_INNER | STE1_SHCFG_INC;
	ste[2] = 0;
	ste[3] = 0;
	dsb_ishst();
	ste[0] = STE0_V | STE0_CFG_S1 | (pa_of(cd) & STE0_S1CTXPTR);
	invalidate_stream_config(sid);
}

void arch_smmu_detach(u32 sid)
{
	u64 *ste = ste_of(sid);

	KC_CHECK((ste[0] & STE0_V) != 0);
	/* Invalid again, the blocked state: its DMA aborts and is reported as C_BAD_STE. */
	ste[0] = 0;
	dsb_ishst();
	ste[1] = 0;
	/* No ATS is ever enabled (STE.EATS = 0), so no device holds translations of its own. */
	invalidate_stream_config(sid);
}

void arch_smmu_tlbi_iova(u32 domain, u64 iova)
{
	KC_CHECK(smmu.on && domain < KCORE_MAX_IO_DOMAINS);
	/* Not leaf-only: an unmap may have freed the tables above the page too. */
	cmd_push(CMD_TLBI_NH_VA | CMD_ASID(domain), iova & ~(PAGE_SIZE - 1));
	cmd_sync();
}

void arch_smmu_tlbi_domain(u32 domain)
{
	KC_CHECK(smmu.on && domain < KCORE_MAX_IO_DOMAINS);
	cmd_push(CMD_TLBI_NH_ASID | CMD_ASID(domain), 0);
	cmd_sync();
}

/* Events that name the faulting input address and the direction (Arm IHI 0070, 7.3). */
static bool event_has_address(u32 type)
{
	switch (type) {
	case EVT_F_UUT:
	case EVT_F_TRANS_FORB:
	case KC_IO_FAULT_F_WALK_EABT:
	case KC_IO_FAULT_F_TRANSLATION:
	case KC_IO_FAULT_F_ADDR_SIZE:
	case KC_IO_FAULT_F_ACCESS:
	case KC_IO_FAULT_F_PERMISSION:
		return true;
	default:
		return false;
	}
}

bool arch_smmu_fault_pop(struct arch_io_fault *fault)
{
	u32 prod, idx;
	const u64 *ev;

	KC_CHECK(smmu.on);
	prod = rd32(SMMU_EVENTQ_PROD);
	if (((prod ^ smmu.eventq_cons) & ((2u << smmu.eventq_bits) - 1u)) == 0)
		return false;
	/* The record is complete in memory once PROD says so; read it after. */
	dsb_ish();
	idx = smmu.eventq_cons & ((1u << smmu.eventq_bits) - 1u);
	ev = &eventq[(size_t)idx * EVENT_WORDS];
	fault->sid = EVT_SID(ev[0]);
	fault->type = EVT_TYPE(ev[0]);
	if (event_has_address(fault->type)) {
		fault->addr = ev[2];
		fault->access = EVT_RNW(ev[1]) ? KC_IO_FAULT_ACCESS_READ : KC_IO_FAULT_ACCESS_WRITE;
	} else {
		fault->addr = 0;
		fault->access = KC_IO_FAULT_ACCESS_UNKNOWN;
	}
	smmu.eventq_cons = q_next(smmu.eventq_cons, smmu.eventq_bits);
	/* The overflow flag acknowledged with it: the lost events are gone either way. */
	wr32(SMMU_EVENTQ_CONS, smmu.eventq_cons | (prod & EVENTQ_PROD_OVFLG));
	return true;
}

/* ---- read back for the invariant checker (core/check/smmu_hw.c) ---- */

bool arch_smmu_config_intact(void)
{
	volatile const u64 *base = (volatile const u64 *)(smmu.regs + SMMU_STRTAB_BASE);

	KC_CHECK(smmu.on);
	/* Off, the SMMU would let every stream pass or abort by SMMU_GBPA, not by its table. */
	return (rd32(SMMU_CR0) & CR0_SMMUEN) != 0 &&
	       (*base & STRTAB_BASE_ADDR) == pa_of(stream_table) &&
	       rd32(SMMU_STRTAB_BASE_CFG) == STREAM_BITS;
}

/*
 * Which of kcore's context descriptors an STE names, or KCORE_MAX_IO_DOMAINS
 * when it names anything else (another address, a CD table of more than one).
 */
static u32 cd_domain_of(u64 ste0)
{
	u64 ptr = ste0 & STE0_S1CTXPTR, base = pa_of(context_descs);

	if ((ste0 & (STE0_S1FMT | STE0_S1CDMAX)) != 0 || ptr < base ||
	    ptr >= base + sizeof(context_descs) || (ptr - base) % (CD_WORDS * 8ull) != 0)
		return KCORE_MAX_IO_DOMAINS;
	return (u32)((ptr - base) / (CD_WORDS * 8ull));
}

void arch_smmu_read_ste(u32 sid, struct arch_smmu_ste_view *view)
{
	const volatile u64 *ste = ste_of(sid);
	const volatile u64 *cd;
	u64 w0 = ste[0], w1 = ste[1], cd0;
	u32 domain;

	*view = (struct arch_smmu_ste_view){.kind = ARCH_STE_FOREIGN};
	if ((w0 & STE0_V) == 0 || STE0_CFG(w0) == STE_CFG_ABORT) {
		view->kind = ARCH_STE_BLOCKED;
		return;
	}
	if (STE0_CFG(w0) == STE_CFG_BYPASS) {
		view->kind = ARCH_STE_BYPASS;
		return;
	}
	domain = cd_domain_of(w0);
	if (STE0_CFG(w0) != STE_CFG_S1 || (w1 & STE1_EATS) != 0 || domain >= KCORE_MAX_IO_DOMAINS)
		return;
	/* The CD as arch_smmu_attach writes it: valid, AArch64, TTB0 only, ASID = domain. */
	cd = &context_descs[(size_t)domain * CD_WORDS];
	cd0 = cd[0];
	if ((cd0 & (CD0_V | CD0_AA64 | CD0_EPD1 | CD0_EPD0)) != (CD0_V | CD0_AA64 | CD0_EPD1) ||
	    CD0_ASID_OF(cd0) != domain || CD0_T0SZ_OF(cd0) < 16u)
		return;
	*view = (struct arch_smmu_ste_view){.kind = ARCH_STE_TRANSLATE,
					    .domain = domain,
					    .root = pa_init(cd[1] & CD1_TTB0),
					    .ia_bits = 64u - CD0_T0SZ_OF(cd0)};
}
