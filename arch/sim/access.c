// SPDX-License-Identifier: MIT
/*
 * Memory accesses as the CPU makes them: TLB first, a table walk on a miss
 * (cached when it succeeds), then the permission check, then RAM. A stale
 * TLB entry is used like any other, which is what makes a missing
 * invalidation in the core visible to a test. The host's translation faults
 * trap to kcore (host_s2_fault), as the hardware's stage-2 abort to EL2 does.
 */
#include <string.h>

#include <kcore/abi.h>

#include "arch/sim/sim_internal.h"
#include "core/kcore.h"

#define ACCESS_ALIGN 8u

static enum sim_access_result from_status(enum sim_xlate_status s)
{
	switch (s) {
	case SIM_XLATE_OK:
		return SIM_OK;
	case SIM_XLATE_TRANSLATION_FAULT:
		return SIM_S2_FAULT;
	case SIM_XLATE_ADDR_SIZE_FAULT:
		return SIM_ADDR_SIZE_FAULT;
	case SIM_XLATE_ACCESS_FLAG_FAULT:
		return SIM_AF_FAULT;
	case SIM_XLATE_PERMISSION_FAULT:
		return SIM_PERM_FAULT;
	case SIM_XLATE_WALK_ABORT:
		return SIM_WALK_ABORT;
	case SIM_XLATE_MALFORMED:
		return SIM_MALFORMED;
	}
	return SIM_MALFORMED;
}

static enum sim_access_result locked_translate(u32 regime, u64 addr, bool write, bool fill,
					       paddr_t *pa)
{
	struct sim_tlb_entry e;

	if (!sim_tlb_lookup(regime, addr, &e)) {
		struct sim_xlate x;

		/* A VMID without a stage-2 translates nothing. */
		if (!sim_regime_walk(regime, addr, &x))
			return SIM_S2_FAULT;
		if (x.status != SIM_XLATE_OK)
			return from_status(x.status);
		/* The walk succeeded: the TLB may keep it even if this access is denied. */
		sim_tlb_entry_from_xlate(&e, regime, addr, &x);
		if (fill)
			sim_tlb_insert(&e);
	}
	if (write ? !e.writable : !e.readable)
		return SIM_PERM_FAULT;
	*pa = pa_add(e.pa, addr & (e.size - 1));
	return SIM_OK;
}

enum sim_access_result sim_translate(u32 regime, u64 addr, bool write, bool fill, paddr_t *pa)
{
	enum sim_access_result r;

	sim_bus_lock();
	r = locked_translate(regime, addr, write, fill, pa);
	sim_bus_unlock();
	return r;
}

/*
 * The host's stage-2 missed: trap to kcore, which maps the page (the host
 * then retries once) or injects an abort. Anything else is a core bug that
 * would leave the host re-faulting forever.
 */
static enum sim_access_result host_translate(u64 ipa, bool write, paddr_t *pa)
{
	enum sim_access_result r = sim_translate(KCORE_HOST_VMID, ipa, write, true, pa);
	u64 aborts_before;
	int ret;

	if (r != SIM_S2_FAULT || sim_regime_manual())
		return r;
	aborts_before = sim_host_abort_count();
	ret = host_s2_fault(ipa_init(ipa));
	if (sim_host_abort_count() != aborts_before)
		return SIM_ABORTED;
	if (ret == KCORE_HOST_FAULT_MEDIATED)
		return SIM_MEDIATED;
	if (ret != KCORE_OK)
		return SIM_FAULT_UNHANDLED;
	return sim_translate(KCORE_HOST_VMID, ipa, write, true, pa);
}

/* Translate for (vmid, ipa); the host takes its fault path, VMs do not. */
static enum sim_access_result translate_ram(u32 vmid, bool host, u64 ipa, bool write, u64 len,
					    void **p)
{
	enum sim_access_result r;
	paddr_t pa;

	/* SIM_REGIME_EL2 and beyond are not stage-2 regimes. */
	if (vmid >= SIM_NR_VMIDS)
		return SIM_S2_FAULT;
	r = host ? host_translate(ipa, write, &pa) : sim_translate(vmid, ipa, write, true, &pa);
	if (r != SIM_OK)
		return r;
	if (!sim_is_ram_range(pa, len))
		return SIM_NOT_RAM;
	*p = sim_ram_ptr(pa);
	return SIM_OK;
}

static enum sim_access_result access_u64(u32 vmid, bool host, ipaddr_t ipa, bool write, u64 *val)
{
	enum sim_access_result r;
	void *p;

	if (!is_aligned(ipa_addr(ipa), ACCESS_ALIGN))
		return SIM_UNALIGNED;
	r = translate_ram(vmid, host, ipa_addr(ipa), write, sizeof(*val), &p);
	if (r != SIM_OK)
		return r;
	if (write)
		memcpy(p, val, sizeof(*val));
	else
		memcpy(val, p, sizeof(*val));
	return SIM_OK;
}

/* Page by page: each page may translate somewhere else. Writes from src or reads into dst. */
static enum sim_access_result access_bytes(u32 vmid, bool host, ipaddr_t ipa, bool write, u8 *dst,
					   const u8 *src, size_t len)
{
	u64 addr = ipa_addr(ipa);

	while (len) {
		size_t chunk = (size_t)(PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		enum sim_access_result r;
		void *p;

		if (chunk > len)
			chunk = len;
		r = translate_ram(vmid, host, addr, write, chunk, &p);
		if (r != SIM_OK)
			return r;
		if (write) {
			memcpy(p, src, chunk);
			src += chunk;
		} else {
			memcpy(dst, p, chunk);
			dst += chunk;
		}
		addr += chunk;
		len -= chunk;
	}
	return SIM_OK;
}

enum sim_access_result sim_host_access(ipaddr_t ipa, bool write, u64 *val)
{
	return access_u64(KCORE_HOST_VMID, true, ipa, write, val);
}

enum sim_access_result sim_host_access_bytes(ipaddr_t ipa, void *buf, size_t len, bool write)
{
	return access_bytes(KCORE_HOST_VMID, true, ipa, write, buf, buf, len);
}

enum sim_access_result sim_vm_access(u32 vmid, ipaddr_t ipa, bool write, u64 *val)
{
	return access_u64(vmid, false, ipa, write, val);
}

enum sim_access_result sim_vm_read_bytes(u32 vmid, ipaddr_t ipa, void *buf, size_t len)
{
	return access_bytes(vmid, false, ipa, false, buf, NULL, len);
}

enum sim_access_result sim_vm_write_bytes(u32 vmid, ipaddr_t ipa, const void *buf, size_t len)
{
	return access_bytes(vmid, false, ipa, true, NULL, buf, len);
}

bool sim_can_access(u32 vmid, ipaddr_t ipa, bool write)
{
	paddr_t pa;

	if (vmid >= SIM_NR_VMIDS)
		return false;
	return sim_translate(vmid, ipa_addr(ipa), write, false, &pa) == SIM_OK;
}

const char *sim_access_result_name(enum sim_access_result r)
{
	switch (r) {
	case SIM_OK:
		return "ok";
	case SIM_S2_FAULT:
		return "translation fault";
	case SIM_ADDR_SIZE_FAULT:
		return "address size fault";
	case SIM_AF_FAULT:
		return "access flag fault";
	case SIM_PERM_FAULT:
		return "permission fault";
	case SIM_WALK_ABORT:
		return "external abort on table walk";
	case SIM_MALFORMED:
		return "malformed descriptor";
	case SIM_NOT_RAM:
		return "not RAM";
	case SIM_UNALIGNED:
		return "unaligned";
	case SIM_ABORTED:
		return "abort injected by kcore";
	case SIM_FAULT_UNHANDLED:
		return "fault neither mapped nor aborted by kcore";
	case SIM_STREAM_FAULT:
		return "stream blocked by the SMMU";
	case SIM_MEDIATED:
		return "mediated device: emulated by the arch, never mapped";
	}
	return "?";
}
