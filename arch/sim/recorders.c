// SPDX-License-Identifier: MIT
/*
 * What the core asked of the arch, kept for the tests: injected host aborts
 * and TLB invalidations (the CPU's and the SMMU's). Logs are rings indexed by a
 * sequence number counted from the last reset, so a test can note the count before an operation and
 * look at exactly what the operation did. The console output is in console.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/sim/sim_internal.h"

static struct {
	u64 count;
	ipaddr_t last;
	ipaddr_t log[SIM_ABORT_LOG_SIZE];
} aborts;

static struct {
	u64 count;
	u64 by_type[5];
	struct sim_tlbi_rec log[SIM_TLBI_LOG_SIZE];
} tlbis;

void sim_recorders_reset(void)
{
	memset(&aborts, 0, sizeof(aborts));
	memset(&tlbis, 0, sizeof(tlbis));
	sim_console_clear();
}

/* ---- host aborts ---- */

static void locked_record_host_abort(ipaddr_t ipa)
{
	aborts.log[aborts.count % SIM_ABORT_LOG_SIZE] = ipa;
	aborts.last = ipa;
	aborts.count++;
}

void sim_record_host_abort(ipaddr_t ipa)
{
	sim_bus_lock();
	locked_record_host_abort(ipa);
	sim_bus_unlock();
}

u64 sim_host_abort_count(void)
{
	return aborts.count;
}

ipaddr_t sim_host_abort_last(void)
{
	return aborts.last;
}

bool sim_host_abort_get(u64 seq, ipaddr_t *ipa)
{
	if (seq >= aborts.count || aborts.count - seq > SIM_ABORT_LOG_SIZE)
		return false;
	*ipa = aborts.log[seq % SIM_ABORT_LOG_SIZE];
	return true;
}

/* ---- TLB invalidations ---- */

static void locked_record_tlbi(enum sim_tlbi_type type, u32 vmid, u64 addr)
{
	tlbis.log[tlbis.count % SIM_TLBI_LOG_SIZE] =
	    (struct sim_tlbi_rec){.type = type, .vmid = vmid, .addr = addr};
	tlbis.count++;
	if ((u32)type < ARRAY_SIZE(tlbis.by_type))
		tlbis.by_type[type]++;
}

void sim_record_tlbi(enum sim_tlbi_type type, u32 vmid, u64 addr)
{
	sim_bus_lock();
	locked_record_tlbi(type, vmid, addr);
	sim_bus_unlock();
}

u64 sim_tlbi_count(void)
{
	return tlbis.count;
}

u64 sim_tlbi_count_type(enum sim_tlbi_type type)
{
	return (u32)type < ARRAY_SIZE(tlbis.by_type) ? tlbis.by_type[type] : 0;
}

bool sim_tlbi_get(u64 seq, struct sim_tlbi_rec *out)
{
	if (seq >= tlbis.count || tlbis.count - seq > SIM_TLBI_LOG_SIZE)
		return false;
	*out = tlbis.log[seq % SIM_TLBI_LOG_SIZE];
	return true;
}

/* Oldest sequence number still in the ring, at or after seq. */
static u64 first_kept(u64 seq)
{
	u64 oldest = tlbis.count > SIM_TLBI_LOG_SIZE ? tlbis.count - SIM_TLBI_LOG_SIZE : 0;

	return seq > oldest ? seq : oldest;
}

bool sim_tlbi_s2_covered_since(u64 seq, u32 vmid, ipaddr_t ipa)
{
	u64 page = ipa_addr(ipa) & ~(PAGE_SIZE - 1);

	for (u64 i = first_kept(seq); i < tlbis.count; i++) {
		const struct sim_tlbi_rec *r = &tlbis.log[i % SIM_TLBI_LOG_SIZE];

		if (r->vmid != vmid)
			continue;
		if (r->type == SIM_TLBI_S2_VMID ||
		    (r->type == SIM_TLBI_S2_IPA && (r->addr & ~(PAGE_SIZE - 1)) == page))
			return true;
	}
	return false;
}

bool sim_tlbi_smmu_covered_since(u64 seq, u32 domain, u64 iova)
{
	u64 page = iova & ~(PAGE_SIZE - 1);

	for (u64 i = first_kept(seq); i < tlbis.count; i++) {
		const struct sim_tlbi_rec *r = &tlbis.log[i % SIM_TLBI_LOG_SIZE];

		if (r->vmid != domain)
			continue;
		if (r->type == SIM_TLBI_SMMU_DOMAIN ||
		    (r->type == SIM_TLBI_SMMU_IOVA && (r->addr & ~(PAGE_SIZE - 1)) == page))
			return true;
	}
	return false;
}

bool sim_tlbi_el2_covered_since(u64 seq, vaddr_t va)
{
	u64 page = va_addr(va) & ~(PAGE_SIZE - 1);

	for (u64 i = first_kept(seq); i < tlbis.count; i++) {
		const struct sim_tlbi_rec *r = &tlbis.log[i % SIM_TLBI_LOG_SIZE];

		if (r->type == SIM_TLBI_EL2_VA && (r->addr & ~(PAGE_SIZE - 1)) == page)
			return true;
	}
	return false;
}
