// SPDX-License-Identifier: MIT
/*
 * The simulated SMMU: a stream table the core's arch_smmu_* hooks program,
 * DMA that a test issues on behalf of a device, and an event queue of the
 * faults. A DMA looks the stream up (blocked: refused), then the SMMU's TLB
 * (shared with the CPU's model, tagged SIM_REGIME_IO(domain)), then walks
 * the table the stream's entry names with the same independent stage-2
 * decoder the CPU's MMU uses. So a stale IO translation is used like any
 * other, which is what makes a missing invalidation visible.
 */
#include <string.h>

#include "arch/sim/sim_internal.h"
#include "core/arch.h"
#include "core/kcore.h"

_Static_assert(KCORE_MAX_IO_DOMAINS <= SIM_NR_IO_DOMAINS, "the sim models every IO domain");
_Static_assert(KCORE_MAX_STREAMS <= SIM_NR_STREAMS, "the sim models every stream");
/* tlb.c keys an entry with the regime in bits [11:2] of a page-aligned address. */
_Static_assert(SIM_NR_REGIMES <= 1024u, "regime ids fit the TLB key");

#define DMA_ALIGN 8u

static struct {
	struct sim_smmu_stream streams[SIM_NR_STREAMS];
	bool off; /* sim_smmu_turn_off: every stream bypasses */
	u64 attaches;
	u64 detaches;
	struct sim_smmu_event eventq[SIM_SMMU_EVENTQ_SIZE];
	u64 nr_events;
	/*
	 * The queue the host reads through arch_smmu_fault_pop: the events not
	 * yet taken, in order. As on SMMUv3, an event that finds it full is lost.
	 */
	struct sim_smmu_event hostq[SIM_SMMU_EVENTQ_SIZE];
	u64 hostq_prod, hostq_cons;
} smmu;

void sim_smmu_reset(void)
{
	memset(&smmu, 0, sizeof(smmu));
}

/* ---- the hooks (core/arch.h) ---- */

bool arch_smmu_present(void)
{
	return true;
}

/* The simulated SMMU translates with stage 2, as an SMMUv3 with S2P does. */
bool arch_smmu_stage1_tables(void)
{
	return false;
}

void arch_smmu_attach(u32 sid, u32 domain, paddr_t root, u32 ia_bits)
{
	if (sid >= SIM_NR_STREAMS || domain >= SIM_NR_IO_DOMAINS)
		sim_die("arch_smmu_attach(%u, %u): beyond the stream table or domains (core bug)",
			sid, domain);
	/* The core moves a stream only through a detach: overwriting a live entry is a bug. */
	if (smmu.streams[sid].attached)
		sim_die("arch_smmu_attach(%u): stream already attached to domain %u (core bug)",
			sid, smmu.streams[sid].domain);
	smmu.streams[sid] = (struct sim_smmu_stream){
	    .attached = true, .domain = domain, .root = root, .ia_bits = ia_bits};
	smmu.attaches++;
}

void arch_smmu_detach(u32 sid)
{
	if (sid >= SIM_NR_STREAMS || !smmu.streams[sid].attached)
		sim_die("arch_smmu_detach(%u): stream not attached (core bug)", sid);
	smmu.streams[sid] = (struct sim_smmu_stream){.attached = false};
	smmu.detaches++;
}

void arch_smmu_tlbi_iova(u32 domain, u64 iova)
{
	sim_record_tlbi(SIM_TLBI_SMMU_IOVA, domain, iova);
	if (domain < SIM_NR_IO_DOMAINS)
		sim_tlb_drop_addr(SIM_REGIME_IO(domain), iova);
}

void arch_smmu_tlbi_domain(u32 domain)
{
	sim_record_tlbi(SIM_TLBI_SMMU_DOMAIN, domain, 0);
	if (domain < SIM_NR_IO_DOMAINS)
		sim_tlb_drop_regime(SIM_REGIME_IO(domain));
}

/* What the hardware holds, for the invariant checker (core/check/smmu_hw.c). */
bool arch_smmu_config_intact(void)
{
	return !smmu.off;
}

void arch_smmu_read_ste(u32 sid, struct arch_smmu_ste_view *view)
{
	const struct sim_smmu_stream *st;

	if (sid >= SIM_NR_STREAMS)
		sim_die("arch_smmu_read_ste(%u): beyond the stream table (core bug)", sid);
	st = &smmu.streams[sid];
	if (st->bypass)
		*view = (struct arch_smmu_ste_view){.kind = ARCH_STE_BYPASS};
	else if (!st->attached)
		*view = (struct arch_smmu_ste_view){.kind = ARCH_STE_BLOCKED};
	else
		*view = (struct arch_smmu_ste_view){.kind = ARCH_STE_TRANSLATE,
						    .domain = st->domain,
						    .root = st->root,
						    .ia_bits = st->ia_bits};
}

/* ---- views for the tests ---- */

void sim_smmu_stream_set(u32 sid, struct sim_smmu_stream st)
{
	if (sid >= SIM_NR_STREAMS)
		sim_die("sim_smmu_stream_set(%u): beyond the stream table", sid);
	smmu.streams[sid] = st;
}

void sim_smmu_turn_off(void)
{
	smmu.off = true;
}

struct sim_smmu_stream sim_smmu_stream(u32 sid)
{
	if (sid >= SIM_NR_STREAMS)
		return (struct sim_smmu_stream){.attached = false};
	return smmu.streams[sid];
}

u64 sim_smmu_attach_count(void)
{
	return smmu.attaches;
}

u64 sim_smmu_detach_count(void)
{
	return smmu.detaches;
}

/* ---- the event queue ---- */

static void report(enum sim_smmu_event_type type, u32 sid, u64 iova, bool write)
{
	struct sim_smmu_event ev = {.type = type, .sid = sid, .iova = iova, .write = write};

	smmu.eventq[smmu.nr_events % SIM_SMMU_EVENTQ_SIZE] = ev;
	smmu.nr_events++;
	if (smmu.hostq_prod - smmu.hostq_cons < SIM_SMMU_EVENTQ_SIZE)
		smmu.hostq[smmu.hostq_prod++ % SIM_SMMU_EVENTQ_SIZE] = ev;
}

u64 sim_smmu_event_count(void)
{
	return smmu.nr_events;
}

bool sim_smmu_event_get(u64 seq, struct sim_smmu_event *out)
{
	if (seq >= smmu.nr_events || smmu.nr_events - seq > SIM_SMMU_EVENTQ_SIZE)
		return false;
	*out = smmu.eventq[seq % SIM_SMMU_EVENTQ_SIZE];
	return true;
}

const char *sim_smmu_event_name(enum sim_smmu_event_type t)
{
	switch (t) {
	case SIM_EVT_C_BAD_STREAMID:
		return "C_BAD_STREAMID";
	case SIM_EVT_C_BAD_STE:
		return "C_BAD_STE";
	case SIM_EVT_F_TRANSLATION:
		return "F_TRANSLATION";
	case SIM_EVT_F_ADDR_SIZE:
		return "F_ADDR_SIZE";
	case SIM_EVT_F_ACCESS:
		return "F_ACCESS";
	case SIM_EVT_F_PERMISSION:
		return "F_PERMISSION";
	case SIM_EVT_F_WALK_EABT:
		return "F_WALK_EABT";
	}
	return "?";
}

/* The SMMUv3 event type code of t (include/kcore/abi.h). */
static u32 event_code(enum sim_smmu_event_type t)
{
	switch (t) {
	case SIM_EVT_C_BAD_STREAMID:
		return KC_IO_FAULT_C_BAD_STREAMID;
	case SIM_EVT_C_BAD_STE:
		return KC_IO_FAULT_C_BAD_STE;
	case SIM_EVT_F_TRANSLATION:
		return KC_IO_FAULT_F_TRANSLATION;
	case SIM_EVT_F_ADDR_SIZE:
		return KC_IO_FAULT_F_ADDR_SIZE;
	case SIM_EVT_F_ACCESS:
		return KC_IO_FAULT_F_ACCESS;
	case SIM_EVT_F_PERMISSION:
		return KC_IO_FAULT_F_PERMISSION;
	case SIM_EVT_F_WALK_EABT:
		break;
	}
	return KC_IO_FAULT_F_WALK_EABT;
}

bool arch_smmu_fault_pop(struct arch_io_fault *fault)
{
	const struct sim_smmu_event *ev;
	bool addressed;

	if (smmu.hostq_cons == smmu.hostq_prod)
		return false;
	ev = &smmu.hostq[smmu.hostq_cons++ % SIM_SMMU_EVENTQ_SIZE];
	/* As on SMMUv3, configuration errors carry neither address nor direction. */
	addressed = ev->type != SIM_EVT_C_BAD_STREAMID && ev->type != SIM_EVT_C_BAD_STE;
	*fault = (struct arch_io_fault){.sid = ev->sid,
					.type = event_code(ev->type),
					.addr = addressed ? ev->iova : 0,
					.access = !addressed  ? KC_IO_FAULT_ACCESS_UNKNOWN
						  : ev->write ? KC_IO_FAULT_ACCESS_WRITE
							      : KC_IO_FAULT_ACCESS_READ};
	return true;
}

/* ---- DMA ---- */

/* A failed walk as the SMMU reports it, and as the device sees it. */
static enum sim_access_result walk_fault(const struct sim_xlate *x, enum sim_smmu_event_type *type)
{
	switch (x->status) {
	case SIM_XLATE_TRANSLATION_FAULT:
		*type = SIM_EVT_F_TRANSLATION;
		return SIM_S2_FAULT;
	case SIM_XLATE_ADDR_SIZE_FAULT:
		*type = SIM_EVT_F_ADDR_SIZE;
		return SIM_ADDR_SIZE_FAULT;
	case SIM_XLATE_ACCESS_FLAG_FAULT:
		*type = SIM_EVT_F_ACCESS;
		return SIM_AF_FAULT;
	case SIM_XLATE_PERMISSION_FAULT:
		*type = SIM_EVT_F_PERMISSION;
		return SIM_PERM_FAULT;
	case SIM_XLATE_WALK_ABORT:
		*type = SIM_EVT_F_WALK_EABT;
		return SIM_WALK_ABORT;
	case SIM_XLATE_OK:
	case SIM_XLATE_MALFORMED:
		break;
	}
	*type = SIM_EVT_F_WALK_EABT;
	return SIM_MALFORMED;
}

/* The stream's translation of iova, through the TLB; an event for any fault. */
static enum sim_access_result dma_translate(u32 sid, u64 iova, bool write, paddr_t *pa)
{
	const struct sim_smmu_stream *st;
	struct sim_tlb_entry e;

	if (sid >= SIM_NR_STREAMS) {
		report(SIM_EVT_C_BAD_STREAMID, sid, iova, write);
		return SIM_STREAM_FAULT;
	}
	st = &smmu.streams[sid];
	if (smmu.off || st->bypass) {
		*pa = pa_init(iova);
		return SIM_OK;
	}
	if (!st->attached) {
		report(SIM_EVT_C_BAD_STE, sid, iova, write);
		return SIM_STREAM_FAULT;
	}
	if (!sim_tlb_lookup(SIM_REGIME_IO(st->domain), iova, &e)) {
		enum sim_smmu_event_type type;
		struct sim_xlate x;

		/* The walk starts where the stream's entry says, not where the core says. */
		if (sim_s2_walk(st->root, st->ia_bits, ipa_init(iova), &x) != SIM_XLATE_OK) {
			enum sim_access_result r = walk_fault(&x, &type);

			report(type, sid, iova, write);
			return r;
		}
		sim_tlb_entry_from_xlate(&e, SIM_REGIME_IO(st->domain), iova, &x);
		sim_tlb_insert(&e);
	}
	if (write ? !e.writable : !e.readable) {
		report(SIM_EVT_F_PERMISSION, sid, iova, write);
		return SIM_PERM_FAULT;
	}
	*pa = pa_add(e.pa, iova & (e.size - 1));
	return SIM_OK;
}

enum sim_access_result sim_dma_access(u32 sid, u64 iova, bool write, u64 *val)
{
	enum sim_access_result r;
	paddr_t pa;

	if (!is_aligned(iova, DMA_ALIGN))
		return SIM_UNALIGNED;
	r = dma_translate(sid, iova, write, &pa);
	if (r != SIM_OK)
		return r;
	/* Translated outside RAM: the bus, not the SMMU, refuses it. */
	if (!sim_is_ram_range(pa, sizeof(*val)))
		return SIM_NOT_RAM;
	if (write)
		memcpy(sim_ram_ptr(pa), val, sizeof(*val));
	else
		memcpy(val, sim_ram_ptr(pa), sizeof(*val));
	return SIM_OK;
}
