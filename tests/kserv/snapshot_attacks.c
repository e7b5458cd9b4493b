/* SPDX-License-Identifier: MIT */
#include "snapshot_attacks.h"

#include <kcore/snapshot.h>
#include <stddef.h>
#include <string.h>

#include "attack_report.h"
#include "drivers.h"
#include "kserv/console.h"
#include "kserv/format.h"
#include "kserv/hvc.h"
#include "kserv/snapshot.h"
#include "kserv/vm.h"
#include "kserv/vm_teardown.h"
#include "kserv/vms.h"
#include "snapshot_scan.h"

/* A byte every record's tag covers and kcore compares: the snapshot id's first. */
#define RECORD_FLIP_OFFSET offsetof(struct kcore_snap_record, snapshot_id)
/* A byte in the middle of a data page's ciphertext. */
#define DATA_FLIP_OFFSET   100u

/* The VM each attack restores into; outside the guest table (it is kserv's, not the payload's). */
static struct guest scratch;
static struct guest_host scratch_host;

struct attack_ctx {
	struct guest *victim;
	const struct payload *p;
	u32 rec;	    /* the victim's payload record */
	struct snapshot *a; /* the victim's snapshot, left as it was found */
	struct snapshot b;  /* a second one of the victim */
	struct snapshot o;  /* one of another VM */
	bool have_o;
};

static void flip(u64 pa)
{
	*(volatile u8 *)(uintptr_t)pa ^= 0x01;
}

/* Swaps record i of x with record j of y, and data page di of x with dj of y. */
static void swap_page(struct snapshot *x, u64 i, struct snapshot *y, u64 j)
{
	u64 dx = snapshot_data_pa(x, i - 1), dy = snapshot_data_pa(y, j - 1);
	u8 tmp[KCORE_SNAP_RECORD_SIZE];
	void *rx = (void *)(uintptr_t)snapshot_record_pa(x, i);
	void *ry = (void *)(uintptr_t)snapshot_record_pa(y, j);

	memcpy(tmp, rx, sizeof(tmp));
	memcpy(rx, ry, sizeof(tmp));
	memcpy(ry, tmp, sizeof(tmp));
	snapshot_set_data_pa(x, i - 1, dy);
	snapshot_set_data_pa(y, j - 1, dx);
}

/* A fresh VM from the victim's images, under a name that is not the victim's. */
static bool make_target(struct attack_ctx *c)
{
	char name[GUEST_NAME_MAX];
	u32 n = 0;

	for (const char *s = c->victim->name; *s != '\0' && n < GUEST_NAME_MAX - 8; s++)
		name[n++] = *s;
	memcpy(name + n, "~attack", 8);
	guest_init(&scratch, GUEST_MAX, &scratch_host);
	return vm_create_named(&scratch, c->p, c->rec, name);
}

/*
 * Restores s into a fresh VM, with faults: refused only if want_call answered want and
 * the VM cannot run afterwards.
 */
static void restore_attack(struct attack_ctx *c, const char *what, const struct snapshot *s,
			   const struct restore_faults *f, const char *want_call)
{
	struct restore_result res;
	char detail[128];
	bool restored, refused;
	s64 run;

	if (!make_target(c)) {
		attack_report(what, false, "kserv could not build the VM to restore into");
		return;
	}
	restored = snapshot_restore(&scratch, s, f, &res);
	run = kcore_call(KC_HC_VCPU_RUN, scratch.vmid, 0, scratch.vcpus[0].run_pa, 0, 0, NULL);
	refused = !restored && res.err == KCORE_E_AUTH && res.call != NULL &&
		  strcmp(res.call, want_call) == 0 && run == KCORE_E_STATE;
	format_buf(detail, sizeof(detail), "%s: %s, want %s: AUTH; then VCPU_RUN: %s",
		   res.call != NULL ? res.call : "every call", kcore_err_name(res.err), want_call,
		   kcore_err_name(run));
	attack_report(what, refused, detail);
	if (run == KCORE_OK)
		kprintf("kserv: snapshot attacks: a tampered VM ran; tearing it down\n");
	vm_teardown(&scratch);
}

static void flip_attacks(struct attack_ctx *c)
{
	struct snapshot *a = c->a;
	const struct {
		const char *what, *call;
		u64 pa;
	} flips[] = {
	    {"restore a snapshot with a byte of its header flipped", "RESTORE_BEGIN",
	     snapshot_record_pa(a, 0) + RECORD_FLIP_OFFSET},
	    {"restore a snapshot with a byte of a page record flipped", "RESTORE_PAGE",
	     snapshot_record_pa(a, 1) + RECORD_FLIP_OFFSET},
	    {"restore a snapshot with a byte of a page's data flipped", "RESTORE_PAGE",
	     snapshot_data_pa(a, 0) + DATA_FLIP_OFFSET},
	    {"restore a snapshot with a byte of a vCPU record flipped", "RESTORE_VCPU",
	     snapshot_record_pa(a, 1 + a->nr_pages) + RECORD_FLIP_OFFSET},
	    {"restore a snapshot with a byte of a vCPU blob flipped", "RESTORE_VCPU",
	     snapshot_data_pa(a, a->nr_pages) + DATA_FLIP_OFFSET},
	    {"restore a snapshot with a byte of its trailer flipped", "RESTORE_END",
	     snapshot_record_pa(a, snapshot_nr_records(a) - 1) + RECORD_FLIP_OFFSET},
	};

	for (u32 i = 0; i < ARRAY_SIZE(flips); i++) {
		flip(flips[i].pa);
		restore_attack(c, flips[i].what, a, NULL, flips[i].call);
		flip(flips[i].pa);
	}
}

static void order_attacks(struct attack_ctx *c)
{
	static const struct restore_faults replay = {.replay_first_page = true};
	static const struct restore_faults drop = {.drop_last_page = true};
	struct snapshot *a = c->a;

	swap_page(a, 1, a, 2);
	restore_attack(c, "restore a snapshot with its first two pages swapped", a, NULL,
		       "RESTORE_PAGE");
	swap_page(a, 1, a, 2);
	restore_attack(c, "restore a snapshot with its first page replayed", a, &replay,
		       "RESTORE_PAGE");
	restore_attack(c, "restore a snapshot without its last page", a, &drop, "RESTORE_END");
}

static void mixing_attacks(struct attack_ctx *c)
{
	struct snapshot *a = c->a;
	u8 b_header[KCORE_SNAP_RECORD_SIZE];
	void *bh = (void *)(uintptr_t)snapshot_record_pa(&c->b, 0);

	if (c->have_o) {
		swap_page(a, 1, &c->o, 1);
		restore_attack(c, "restore a snapshot whose first page is another VM's", a, NULL,
			       "RESTORE_PAGE");
		swap_page(a, 1, &c->o, 1);
	} else {
		attack_report("restore a snapshot whose first page is another VM's", false,
			      "the payload has no VM with another image to take it from");
	}
	/* A's header in front of B's pages: B's records and data under A's id and key. */
	memcpy(b_header, bh, sizeof(b_header));
	memcpy(bh, (void *)(uintptr_t)snapshot_record_pa(a, 0), sizeof(b_header));
	restore_attack(c, "restore one snapshot's header with another's pages", &c->b, NULL,
		       "RESTORE_PAGE");
	memcpy(bh, b_header, sizeof(b_header));
}

/* The victim's vCPU ran: kcore must refuse to restore into it, and change nothing. */
static void ran_attack(struct attack_ctx *c)
{
	attack_call("restore a snapshot into a VM whose vCPU ran", KCORE_E_STATE,
		    KC_HC_VM_RESTORE_BEGIN, c->victim->vmid, snapshot_record_pa(c->a, 0), 0, 0);
}

/* The first payload VM with another image than the victim's, snapshotted before it runs. */
static bool snapshot_other_vm(struct attack_ctx *c)
{
	const struct kcore_payload_vm *mine = &c->p->vms[c->rec];
	char name[GUEST_NAME_MAX] = "other~attack";

	for (u32 i = 0; i < c->p->nr_vms; i++) {
		const struct kcore_payload_vm *r = &c->p->vms[i];
		bool ok;

		if (r->image.size == mine->image.size &&
		    memcmp(payload_file(c->p, &r->image), payload_file(c->p, &mine->image),
			   r->image.size) == 0)
			continue;
		guest_init(&scratch, GUEST_MAX, &scratch_host);
		if (!vm_create_named(&scratch, c->p, i, name))
			return false;
		ok = snapshot_take(&scratch, &c->o);
		vm_teardown(&scratch);
		return ok;
	}
	return false;
}

void snapshot_attacks_run(struct guest *g, struct snapshot *a)
{
	const struct payload *p = vms_payload();
	struct attack_ctx c = {.victim = g, .p = p, .rec = (u32)(g->rec - p->vms), .a = a};
	u32 att0, ref0, suc0, odd0, att, ref, suc, odd;

	if (a->nr_pages < 2 || !snapshot_take(g, &c.b)) {
		kprintf(
		    "kserv: snapshot attacks: no second snapshot of %s (or fewer than 2 pages)\n",
		    g->name);
		guest_fail(g, "the snapshot attacks could not be set up");
		return;
	}
	c.have_o = snapshot_other_vm(&c);
	if ((g->flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_SCAN) != 0)
		snapshot_scan_host(g, "with three snapshots in memory");
	attack_counts(&att0, &ref0, &suc0, &odd0);
	flip_attacks(&c);
	order_attacks(&c);
	mixing_attacks(&c);
	ran_attack(&c);
	attack_counts(&att, &ref, &suc, &odd);
	kprintf("SNAPATTACKS: %u attempted, %u refused, %u succeeded\n", att - att0, ref - ref0,
		suc - suc0);
	if (suc != suc0)
		guest_fail(g, "a snapshot attack succeeded");
	snapshot_free(&c.b);
	if (c.have_o)
		snapshot_free(&c.o);
}

/* With the payload's SNAPSHOT_ATTACKS flag on g: at the snapshot that is to be restored. */
static void on_snapshot(struct guest *g, enum vmm_snapshot_event ev, struct snapshot *s)
{
	if (ev == VMM_SNAPSHOT_TAKEN_TO_RESTORE &&
	    (g->flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_ATTACKS) != 0)
		snapshot_attacks_run(g, s);
}

const struct vmm_hooks snapshot_attacks_hooks = {
    .name = "snapshot_attacks",
    .on_snapshot = on_snapshot,
};
