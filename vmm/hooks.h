/* SPDX-License-Identifier: MIT */
/*
 * Where test and attack drivers attach to the host (docs/kserv.md, "Hooks").
 * The run loop, the guest-call dispatch, the emulated console, the snapshot
 * code and the teardown call these dispatchers at fixed points; a driver
 * (tests/kserv/) fills a struct vmm_hooks with the callbacks it needs and
 * registers it once at boot. The host's own code never names a driver, and
 * struct guest carries none of their state: a driver keeps its own, keyed by
 * guest.
 *
 * Hooks run in registration order. They run on the CPU of the event, with
 * no host lock held except where a callback's comment says otherwise.
 *
 * on_exit is on the hot path of every exit: it is called only for hooks that
 * asked for exits (vmm_hooks_watch_exits), and with none asking the cost is
 * one load.
 */
#ifndef VMM_HOOKS_H
#define VMM_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

struct guest;
struct guest_vcpu;
struct kcore_vcpu_run;
struct snapshot;

/* At most this many drivers. */
#define VMM_HOOKS_MAX 16u

/* The two points of a VM's teardown where a driver looks. */
enum vmm_teardown_phase {
	VMM_TEARDOWN_POWERED_OFF, /* kcore's VM is off, not yet cleared */
	VMM_TEARDOWN_FREED,	  /* cleared and freed; its pages not yet back with the host */
};

/* A snapshot of a paused guest was taken, or a guest was restored from one. */
enum vmm_snapshot_event {
	VMM_SNAPSHOT_TAKEN_TO_RESTORE, /* s will be restored into a copy of g */
	VMM_SNAPSHOT_TAKEN_TO_SAVE,    /* s goes to the host file */
	VMM_SNAPSHOT_RESTORED,	       /* g was just made from s */
};

struct vmm_hooks {
	const char *name;
	/* A payload run begins (payload_flags: KCORE_PAYLOAD_F_*): forget the last one. */
	void (*on_payload_start)(uint32_t payload_flags);
	/* Every VM of the run is gone: print a summary; false fails the run. */
	bool (*on_payload_end)(void);
	/*
	 * Right after KC_HC_VCPU_RUN returned to v's worker (err, and the reason
	 * in x1), before the host handles the exit or changes any register.
	 */
	void (*on_exit)(struct guest_vcpu *v, int64_t err, uint64_t reason,
			const struct kcore_vcpu_run *run);
	/*
	 * A guest call the host does not answer itself (fid, its six arguments):
	 * true if the hook answered it in ret[0..3]; the first that does wins.
	 */
	bool (*on_guest_call)(struct guest_vcpu *v, uint64_t fid, const uint64_t *args,
			      uint64_t ret[4]);
	/* A line of g's emulated console, as printed (g's lock held). */
	void (*on_console_line)(struct guest *g, const char *line);
	/* KC_TEST_READ_SHARED: the host read g's page at ipa (pa); readable: it could. */
	void (*on_shared_read)(struct guest *g, uint64_t ipa, uint64_t pa, bool readable);
	void (*on_snapshot)(struct guest *g, enum vmm_snapshot_event ev, struct snapshot *s);
	void (*on_teardown)(struct guest *g, enum vmm_teardown_phase phase);
};

/* At boot, before any payload runs. */
void vmm_hooks_register(const struct vmm_hooks *h);
/* Whether h's on_exit is called (off after registration); any CPU, any time. */
void vmm_hooks_watch_exits(const struct vmm_hooks *h, bool on);

void vmm_hooks_payload_start(uint32_t payload_flags);
/* true if every hook's summary says so (all are called). */
bool vmm_hooks_payload_end(void);
bool vmm_hooks_guest_call(struct guest_vcpu *v, uint64_t fid, const uint64_t *args,
			  uint64_t ret[4]);
void vmm_hooks_console_line(struct guest *g, const char *line);
void vmm_hooks_shared_read(struct guest *g, uint64_t ipa, uint64_t pa, bool readable);
void vmm_hooks_snapshot(struct guest *g, enum vmm_snapshot_event ev, struct snapshot *s);
void vmm_hooks_teardown(struct guest *g, enum vmm_teardown_phase phase);

/* Bit i: registered hook i watches exits. */
extern uint32_t vmm_hooks_exit_mask;
void vmm_hooks_exit_slow(uint32_t mask, struct guest_vcpu *v, int64_t err, uint64_t reason,
			 const struct kcore_vcpu_run *run);

static inline void vmm_hooks_exit(struct guest_vcpu *v, int64_t err, uint64_t reason,
				  const struct kcore_vcpu_run *run)
{
	uint32_t mask = __atomic_load_n(&vmm_hooks_exit_mask, __ATOMIC_ACQUIRE);

	if (__builtin_expect(mask != 0, 0))
		vmm_hooks_exit_slow(mask, v, err, reason, run);
}

#endif /* VMM_HOOKS_H */
