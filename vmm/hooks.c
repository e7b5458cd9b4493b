/* SPDX-License-Identifier: MIT */
#include "hooks.h"

#include <stddef.h>

/* Written at boot only (vmm_hooks_register), read by every CPU afterwards. */
static const struct vmm_hooks *hooks[VMM_HOOKS_MAX];
static uint32_t nr_hooks;

uint32_t vmm_hooks_exit_mask;

void vmm_hooks_register(const struct vmm_hooks *h)
{
	/* A driver too many is a build mistake, found by the first boot's missing output. */
	if (nr_hooks < VMM_HOOKS_MAX)
		hooks[nr_hooks++] = h;
}

void vmm_hooks_watch_exits(const struct vmm_hooks *h, bool on)
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i] != h)
			continue;
		if (on)
			__atomic_or_fetch(&vmm_hooks_exit_mask, 1u << i, __ATOMIC_RELEASE);
		else
			__atomic_and_fetch(&vmm_hooks_exit_mask, ~(1u << i), __ATOMIC_RELEASE);
	}
}

void vmm_hooks_exit_slow(uint32_t mask, struct guest_vcpu *v, int64_t err, uint64_t reason,
			 const struct kcore_vcpu_run *run)
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if ((mask & (1u << i)) != 0 && hooks[i]->on_exit != NULL)
			hooks[i]->on_exit(v, err, reason, run);
	}
}

void vmm_hooks_payload_start(uint32_t payload_flags)
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i]->on_payload_start != NULL)
			hooks[i]->on_payload_start(payload_flags);
	}
}

bool vmm_hooks_payload_end(void)
{
	bool ok = true;

	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i]->on_payload_end != NULL)
			ok &= hooks[i]->on_payload_end();
	}
	return ok;
}

bool vmm_hooks_guest_call(struct guest_vcpu *v, uint64_t fid, const uint64_t *args, uint64_t ret[4])
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i]->on_guest_call != NULL && hooks[i]->on_guest_call(v, fid, args, ret))
			return true;
	}
	return false;
}

void vmm_hooks_console_line(struct guest *g, const char *line)
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i]->on_console_line != NULL)
			hooks[i]->on_console_line(g, line);
	}
}

void vmm_hooks_shared_read(struct guest *g, uint64_t ipa, uint64_t pa, bool readable)
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i]->on_shared_read != NULL)
			hooks[i]->on_shared_read(g, ipa, pa, readable);
	}
}

void vmm_hooks_snapshot(struct guest *g, enum vmm_snapshot_event ev, struct snapshot *s)
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i]->on_snapshot != NULL)
			hooks[i]->on_snapshot(g, ev, s);
	}
}

void vmm_hooks_teardown(struct guest *g, enum vmm_teardown_phase phase)
{
	for (uint32_t i = 0; i < nr_hooks; i++) {
		if (hooks[i]->on_teardown != NULL)
			hooks[i]->on_teardown(g, phase);
	}
}
