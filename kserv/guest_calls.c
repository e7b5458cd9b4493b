/* SPDX-License-Identifier: MIT */
#include "guest_calls.h"
#include <kcore/psci.h>

#include <kcore/guest_tests.h>

#include "console.h"
#include "layout.h"
#include "probe.h"
#include "snapshot.h"
#include "sysreg.h"
#include "vmm/hooks.h"

/* One page per CPU: what the host read of a shared page, checksummed once it is all there. */
static u8 shared_copy[KSERV_MAX_CPUS][KSERV_PAGE_SIZE] __attribute__((aligned(8)));

/* Reads the page the guest shares at ipa; false if kserv gave no page there or it is not shared. */
static bool read_shared_page(struct guest *g, u64 ipa, u8 *out)
{
	u64 pa;
	bool ok = true;

	guest_lock(g);
	pa = gfn_map_lookup(&g->map, ipa);
	guest_unlock(g);
	if (pa == 0)
		return false;
	/* A page the guest does not share aborts: that is kcore doing its job, not an error. */
	kserv_probe_set_quiet(true);
	for (u64 off = 0; off < KSERV_PAGE_SIZE && ok; off += 8) {
		u64 w;

		ok = kserv_probe_read(pa + off, &w);
		for (u32 b = 0; b < 8 && ok; b++)
			out[off + b] = (u8)(w >> (8 * b));
	}
	kserv_probe_set_quiet(false);
	vmm_hooks_shared_read(g, ipa, pa, ok);
	return ok;
}

static void read_shared(struct guest_vcpu *v, u64 ipa, u64 ret[4])
{
	struct guest *g = v->g;
	u8 *copy = shared_copy[read_cpu_index() % KSERV_MAX_CPUS];

	if ((ipa & (KSERV_PAGE_SIZE - 1)) != 0 || ipa < g->lay.ram_base ||
	    ipa - g->lay.ram_base >= g->lay.ram_size || !read_shared_page(g, ipa, copy)) {
		kprintf("kserv: VM %s: KC_TEST_READ_SHARED(0x%lx): not a page it shares with the "
			"host\n",
			g->name, ipa);
		ret[0] = (u64)(s64)KCORE_E_INVAL;
		return;
	}
	ret[0] = 0;
	ret[1] = kc_test_checksum(copy, KSERV_PAGE_SIZE);
	kprintf("kserv: VM %s: read its shared page at IPA 0x%lx: checksum 0x%lx\n", g->name, ipa,
		ret[1]);
}

void guest_call(struct guest_vcpu *v, const struct kcore_vcpu_run *run)
{
	u64 ret[4] = {(u64)SMCCC_NOT_SUPPORTED, 0, 0, 0};

	switch (run->out.call.fid) {
	case KC_TEST_READ_SHARED:
		read_shared(v, run->out.call.args[0], ret);
		break;
	case KC_TEST_SNAPSHOT:
		ret[0] = snapshot_asked(v);
		break;
	case KC_BENCH_NOP:
		ret[0] = 0;
		break;
	default: {
		/* The test drivers' calls (KC_TEST_CHECKPOINT, KC_TEST_REGWORLD, ...); else -1. */
		u64 args[6];

		for (u32 i = 0; i < 6; i++)
			args[i] = run->out.call.args[i];
		vmm_hooks_guest_call(v, run->out.call.fid, args, ret);
		break;
	}
	}
	/* A hook may have asked for more than the call's completion (tests/kserv/vm_attacks.c). */
	v->next_flags |= KC_RUN_CALL_DONE;
	for (u32 i = 0; i < 4; i++)
		v->next_call_ret[i] = ret[i];
}
