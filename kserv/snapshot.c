/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <kcore/guest_tests.h>
#include <kcore/snapshot.h>
#include <string.h>

#include "console.h"
#include "hvc.h"
#include "pages.h"
#include "preempt.h"
#include "sched.h"
#include "smp.h"
#include "snapshot_file.h"
#include "sysreg.h"
#include "vm.h"
#include "vm_mem.h"
#include "vm_teardown.h"
#include "vmm/exit.h"
#include "vmm/hooks.h"
#include "vms.h"

_Static_assert(SNAPSHOT_MAX_VCPUS == GUEST_MAX_VCPUS, "a snapshot holds every vCPU");

/* How long pausing may take (the others' exits), and how often they are kicked meanwhile. */
#define PAUSE_TIMEOUT_MS 2000
#define PAUSE_KICK_MS	 10
/* SNAPSHOT_BEGIN answers BUSY while kcore still has a vCPU of the VM running: retry so long. */
#define BEGIN_BUSY_MS	 1000

#define RECORDS_PER_PAGE (KSERV_PAGE_SIZE / KCORE_SNAP_RECORD_SIZE)
#define PAS_PER_PAGE	 (KSERV_PAGE_SIZE / sizeof(u64))

/* ---- pausing ----------------------------------------------------------------------- */

bool snapshot_may_run_counted(struct guest *g)
{
	/* Counted first, checked second; the pauser sets first, counts second (both seq_cst). */
	__atomic_add_fetch(&g->in_run, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&g->paused, __ATOMIC_SEQ_CST))
		return true;
	__atomic_sub_fetch(&g->in_run, 1, __ATOMIC_SEQ_CST);
	return false;
}

/* Keeps every vCPU of g out of kcore (the caller's is out already); false if they stay in. */
static bool pause_vm(struct guest *g)
{
	u64 start = time_ms(), kicked = 0;

	__atomic_store_n(&g->paused, true, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&g->in_run, __ATOMIC_SEQ_CST) != 0) {
		if (time_ms() - start > PAUSE_TIMEOUT_MS) {
			__atomic_store_n(&g->paused, false, __ATOMIC_SEQ_CST);
			kprintf("kserv: VM %s: its vCPUs did not leave kcore in %u ms\n", g->name,
				PAUSE_TIMEOUT_MS);
			return false;
		}
		/* A kick sent before a vCPU entered still works (the SGI stays pending), but
		 * one that raced with its exit is lost: kick again now and then. */
		if (time_ms() >= kicked + PAUSE_KICK_MS) {
			guest_kick_running(g);
			kicked = time_ms();
		}
		cpu_relax();
	}
	return true;
}

static void resume_vm(struct guest *g)
{
	__atomic_store_n(&g->paused, false, __ATOMIC_SEQ_CST);
	sched_kick(g, (1ull << g->nr_vcpus) - 1);
}

/* ---- the snapshot's pages ------------------------------------------------------------ */

u64 snapshot_record_pa(const struct snapshot *s, u64 i)
{
	return s->records_pa + i * KCORE_SNAP_RECORD_SIZE;
}

u64 snapshot_data_pa(const struct snapshot *s, u64 j)
{
	return ((const u64 *)(uintptr_t)s->data_list_pa)[j];
}

void snapshot_set_data_pa(struct snapshot *s, u64 j, u64 pa)
{
	((u64 *)(uintptr_t)s->data_list_pa)[j] = pa;
}

void snapshot_free(struct snapshot *s)
{
	u64 nr_data = s->nr_pages + s->nr_vcpus;

	if (s->data_list_pa != 0) {
		for (u64 j = 0; j < nr_data; j++) {
			if (snapshot_data_pa(s, j) != 0)
				page_free_zeroed(snapshot_data_pa(s, j));
		}
		for (u64 i = 0; i < s->data_list_pages; i++)
			page_free_zeroed(s->data_list_pa + i * KSERV_PAGE_SIZE);
	}
	for (u64 i = 0; s->records_pa != 0 && i < s->records_pages; i++)
		page_free_zeroed(s->records_pa + i * KSERV_PAGE_SIZE);
	memset(s, 0, sizeof(*s));
}

bool snapshot_alloc(struct snapshot *s, u64 nr_pages, u32 nr_vcpus)
{
	u64 nr_data = nr_pages + nr_vcpus;

	memset(s, 0, sizeof(*s));
	s->nr_pages = nr_pages;
	s->nr_vcpus = nr_vcpus;
	s->records_pages = align_up(snapshot_nr_records(s), RECORDS_PER_PAGE) / RECORDS_PER_PAGE;
	s->data_list_pages = align_up(nr_data, PAS_PER_PAGE) / PAS_PER_PAGE;
	s->records_pa = page_alloc_aligned_run(s->records_pages, KSERV_PAGE_SIZE);
	s->data_list_pa = page_alloc_aligned_run(s->data_list_pages, KSERV_PAGE_SIZE);
	if (s->records_pa == 0 || s->data_list_pa == 0) {
		/* Free pages are zero (pages.h): the lists start empty. */
		snapshot_free(s);
		return false;
	}
	for (u64 j = 0; j < nr_data; j++) {
		u64 pa = page_alloc();

		if (pa == 0) {
			snapshot_free(s);
			return false;
		}
		snapshot_set_data_pa(s, j, pa);
	}
	return true;
}

/* ---- taking one ---------------------------------------------------------------------- */

static bool snap_call(const struct guest *g, const char *name, u64 id, u64 a1, u64 a2, u64 a3,
		      u64 a4)
{
	s64 err = kcore_call(id, a1, a2, a3, a4, 0, NULL);

	if (err == KCORE_OK)
		return true;
	kprintf("kserv: VM %s: %s: %s (%ld)\n", g->name, name, kcore_err_name(err), err);
	return false;
}

struct page_writer {
	const struct guest *g;
	const struct snapshot *s;
	u64 next;
	bool ok;
};

static void write_page(void *ctx, u64 ipa, u64 pa)
{
	struct page_writer *w = ctx;

	(void)pa;
	if (!w->ok || w->next >= w->s->nr_pages) {
		w->ok = false;
		return;
	}
	w->ok = snap_call(w->g, "KC_HC_VM_SNAPSHOT_PAGE", KC_HC_VM_SNAPSHOT_PAGE, w->g->vmid, ipa,
			  snapshot_data_pa(w->s, w->next), snapshot_record_pa(w->s, 1 + w->next));
	w->next++;
}

static s64 begin_snapshot(const struct guest *g, const struct snapshot *s)
{
	u64 start = time_ms();
	s64 err;

	for (;;) {
		err = kcore_call(KC_HC_VM_SNAPSHOT_BEGIN, g->vmid, snapshot_record_pa(s, 0), 0, 0,
				 0, NULL);
		if (err != KCORE_E_BUSY || time_ms() - start > BEGIN_BUSY_MS)
			return err;
		cpu_relax();
	}
}

/* kserv's own part: what each vCPU's next run completes, and the emulated GIC. */
static void save_host_state(const struct guest *g, struct snapshot *s)
{
	s->gic = g->gic;
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		const struct guest_vcpu *v = &g->vcpus[i];

		s->vcpus[i] = (struct snapshot_vcpu_host){
		    .started = v->started,
		    .next_flags = v->next_flags,
		    .next_mmio_value = v->next_mmio_value,
		};
		memcpy(s->vcpus[i].next_call_ret, v->next_call_ret, sizeof(v->next_call_ret));
	}
}

/* g paused. The PAGE, VCPU and END calls; false (said why) if kcore refused one. */
static bool write_snapshot(struct guest *g, struct snapshot *s)
{
	struct page_writer w = {.g = g, .s = s, .ok = true};
	s64 err = begin_snapshot(g, s);

	if (err != KCORE_OK) {
		kprintf("kserv: VM %s: KC_HC_VM_SNAPSHOT_BEGIN: %s (%ld)\n", g->name,
			kcore_err_name(err), err);
		return false;
	}
	gfn_map_for_each(&g->map, write_page, &w);
	for (u32 i = 0; w.ok && i < s->nr_vcpus; i++)
		w.ok = snap_call(g, "KC_HC_VM_SNAPSHOT_VCPU", KC_HC_VM_SNAPSHOT_VCPU, g->vmid, i,
				 snapshot_data_pa(s, s->nr_pages + i),
				 snapshot_record_pa(s, 1 + s->nr_pages + i));
	if (w.ok && w.next == s->nr_pages &&
	    snap_call(g, "KC_HC_VM_SNAPSHOT_END", KC_HC_VM_SNAPSHOT_END, g->vmid,
		      snapshot_record_pa(s, snapshot_nr_records(s) - 1), 0, 0))
		return true;
	/* Whatever was written can never be restored; the VM may run again. */
	snap_call(g, "KC_HC_VM_SNAPSHOT_CANCEL", KC_HC_VM_SNAPSHOT_CANCEL, g->vmid, 0, 0, 0);
	return false;
}

bool snapshot_take(struct guest *g, struct snapshot *s)
{
	u64 nr_pages;
	bool ok;

	/* Paused, nobody donates: the map's page count is the snapshot's. */
	guest_lock(g);
	nr_pages = g->map.nr_pages;
	guest_unlock(g);
	if (!snapshot_alloc(s, nr_pages, g->nr_vcpus)) {
		kprintf("kserv: VM %s: no host memory for a snapshot of %lu pages\n", g->name,
			nr_pages);
		return false;
	}
	vmm_uart_flush(g);
	ok = write_snapshot(g, s);
	if (!ok) {
		snapshot_free(s);
		return false;
	}
	save_host_state(g, s);
	kprintf("KSERV: VM %s snapshot taken: %lu pages, %u vCPUs\n", g->name, s->nr_pages,
		s->nr_vcpus);
	return true;
}

/* ---- restoring ----------------------------------------------------------------------- */

static u64 page_record_ipa(const struct snapshot *s, u64 k)
{
	const struct kcore_snap_record *r =
	    (const struct kcore_snap_record *)(uintptr_t)snapshot_record_pa(s, 1 + k);

	return r->ipa;
}

/* A page at every IPA the PAGE records name where g has none yet (its images and DTB it has). */
static bool donate_for(struct guest *g, const struct snapshot *s)
{
	for (u64 k = 0; k < s->nr_pages; k++) {
		u64 ipa = page_record_ipa(s, k), pa;
		bool have;

		if ((ipa & (KSERV_PAGE_SIZE - 1)) != 0 || ipa < g->lay.ram_base ||
		    ipa >= layout_ram_end(&g->lay)) {
			/* kcore refuses such a record too (NOENT); not donating keeps it so. */
			kprintf("kserv: VM %s: the snapshot's page %lu is at 0x%lx, outside its "
				"RAM\n",
				g->name, k, ipa);
			continue;
		}
		guest_lock(g);
		have = gfn_map_lookup(&g->map, ipa) != 0;
		guest_unlock(g);
		if (have)
			continue;
		pa = page_alloc();
		if (pa == 0) {
			kprintf("kserv: VM %s: no host page for the snapshot's page at 0x%lx\n",
				g->name, ipa);
			return false;
		}
		if (!vm_mem_donate_page(g, ipa, pa)) {
			page_free(pa);
			return false;
		}
		g->pages_donated++;
	}
	return true;
}

static bool restore_call(struct guest *g, struct restore_result *res, const char *name, u64 id,
			 u64 a2, u64 a3)
{
	s64 err = kcore_call(id, g->vmid, a2, a3, 0, 0, NULL);

	if (err == KCORE_OK)
		return true;
	res->err = err;
	res->call = name;
	/* Past the arguments' checks, kcore powers the VM off on a refusal (docs/abi.md). */
	if (err == KCORE_E_AUTH || err == KCORE_E_NOENT)
		g->kcore_poweroff = true;
	return false;
}

static bool restore_pages(struct guest *g, const struct snapshot *s, const struct restore_faults *f,
			  struct restore_result *res)
{
	u64 n = f->drop_last_page && s->nr_pages > 0 ? s->nr_pages - 1 : s->nr_pages;

	for (u64 k = 0; k < n; k++) {
		u32 times = k == 0 && f->replay_first_page ? 2 : 1;

		for (u32 t = 0; t < times; t++) {
			if (!restore_call(g, res, "RESTORE_PAGE", KC_HC_VM_RESTORE_PAGE,
					  snapshot_data_pa(s, k), snapshot_record_pa(s, 1 + k)))
				return false;
		}
	}
	return true;
}

static void load_host_state(struct guest *g, const struct snapshot *s)
{
	g->gic = s->gic;
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct guest_vcpu *v = &g->vcpus[i];

		v->next_flags = s->vcpus[i].next_flags;
		v->next_mmio_value = s->vcpus[i].next_mmio_value;
		memcpy(v->next_call_ret, s->vcpus[i].next_call_ret, sizeof(v->next_call_ret));
		if (s->vcpus[i].started != 0)
			g->restored_start_mask |= 1u << i;
	}
	/* The call the snapshot was taken at completes, for this copy, with "restored". */
	if (s->asking_vcpu < g->nr_vcpus) {
		g->vcpus[s->asking_vcpu].next_flags |= KC_RUN_CALL_DONE;
		g->vcpus[s->asking_vcpu].next_call_ret[0] = KC_TEST_SNAPSHOT_RESTORED;
	}
	g->restored = true;
}

bool snapshot_restore(struct guest *g, const struct snapshot *s, const struct restore_faults *f,
		      struct restore_result *res)
{
	static const struct restore_faults none;
	const struct restore_faults *faults = f != NULL ? f : &none;

	*res = (struct restore_result){.err = KCORE_OK};
	if (s->nr_vcpus != g->nr_vcpus) {
		kprintf("kserv: VM %s: the snapshot has %u vCPUs, the VM %u\n", g->name,
			s->nr_vcpus, g->nr_vcpus);
		res->err = KCORE_E_INVAL;
		return false;
	}
	if (!donate_for(g, s)) {
		res->err = KCORE_E_NOMEM;
		return false;
	}
	if (!restore_call(g, res, "RESTORE_BEGIN", KC_HC_VM_RESTORE_BEGIN, snapshot_record_pa(s, 0),
			  0) ||
	    !restore_pages(g, s, faults, res))
		return false;
	for (u32 i = 0; i < s->nr_vcpus; i++) {
		if (!restore_call(g, res, "RESTORE_VCPU", KC_HC_VM_RESTORE_VCPU,
				  snapshot_data_pa(s, s->nr_pages + i),
				  snapshot_record_pa(s, 1 + s->nr_pages + i)))
			return false;
	}
	if (!restore_call(g, res, "RESTORE_END", KC_HC_VM_RESTORE_END,
			  snapshot_record_pa(s, snapshot_nr_records(s) - 1), 0))
		return false;
	load_host_state(g, s);
	return true;
}

struct guest *snapshot_new_guest(const struct payload *p, u32 rec_index, const struct snapshot *s)
{
	struct guest *g = guest_new();
	struct restore_result res;

	if (g == NULL) {
		kprintf("kserv: VM %s: no guest slot left for its restored copy\n",
			p->vms[rec_index].name);
		return NULL;
	}
	if (!vm_create(g, p, rec_index))
		return NULL;
	if (!snapshot_restore(g, s, NULL, &res)) {
		if (res.call != NULL)
			kprintf("kserv: VM %s: KC_HC_VM_%s: %s (%ld)\n", g->name, res.call,
				kcore_err_name(res.err), res.err);
		guest_fail(g, "kcore refused to restore its snapshot");
		vm_teardown(g);
		return NULL;
	}
	kprintf("KSERV: VM %s restored from a snapshot: %lu pages, %u vCPUs\n", g->name,
		s->nr_pages, s->nr_vcpus);
	vmm_hooks_snapshot(g, VMM_SNAPSHOT_RESTORED, NULL);
	return g;
}

void snapshot_start_vcpus(struct guest *g)
{
	g->state = GUEST_RUNNING;
	sched_guest_started();
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		/* A vCPU the guest had not started yet waits for its PSCI CPU_ON, as before. */
		if ((g->restored_start_mask & (1u << i)) != 0)
			sched_start_vcpu(g, i);
	}
}

void snapshot_after_teardown(struct guest *g)
{
	const struct payload *p = vms_payload();
	struct guest *copy;

	if (!g->restore_pending)
		return;
	g->restore_pending = false;
	copy = snapshot_new_guest(p, (u32)(g->rec - p->vms), &g->snap);
	if (copy != NULL) {
		g->replaced_by = copy;
		snapshot_start_vcpus(copy);
	} else {
		guest_fail(g, "its snapshot could not be restored");
	}
	snapshot_free(&g->snap);
}

/* ---- the guest's call ------------------------------------------------------------------ */

/* Takes the snapshot to restore once g is torn down, and ends g. */
static u64 snapshot_and_replace(struct guest_vcpu *v)
{
	struct guest *g = v->g;

	if (!snapshot_take(g, &g->snap)) {
		guest_fail(g, "its snapshot could not be taken");
		return KC_TEST_SNAPSHOT_GO_ON;
	}
	g->snap.asking_vcpu = v->id;
	vmm_hooks_snapshot(g, VMM_SNAPSHOT_TAKEN_TO_RESTORE, &g->snap);
	guest_lock(g);
	g->restore_pending = true;
	/* No vCPU runs again; the last one to stop tears it down, then the copy is made. */
	g->done = true;
	g->state = GUEST_POWERED_OFF;
	guest_unlock(g);
	kprintf("kserv: VM %s: ended for its restore: powered off, cleared and freed first\n",
		g->name);
	return KC_TEST_SNAPSHOT_GO_ON;
}

static u64 snapshot_to_file(struct guest_vcpu *v)
{
	struct guest *g = v->g;
	struct snapshot s;
	bool saved;

	if (!snapshot_take(g, &s)) {
		guest_fail(g, "its snapshot could not be taken");
		return KC_TEST_SNAPSHOT_GO_ON;
	}
	s.asking_vcpu = v->id;
	vmm_hooks_snapshot(g, VMM_SNAPSHOT_TAKEN_TO_SAVE, &s);
	saved = snapshot_file_save(g, &s, vms_payload()->snapshot_to);
	snapshot_free(&s);
	if (!saved) {
		guest_fail(g, "its snapshot could not be saved to the host file");
		return KC_TEST_SNAPSHOT_GO_ON;
	}
	kprintf("KSERV: VM %s snapshot saved to the host file\n", g->name);
	return KC_TEST_SNAPSHOT_STOP;
}

u64 snapshot_asked(struct guest_vcpu *v)
{
	struct guest *g = v->g;
	u64 answer;

	if ((g->flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_ANY) == 0)
		return (u64)(s64)KCORE_E_NOT_SUPPORTED;
	if (!pause_vm(g)) {
		guest_fail(g, "it could not be paused for its snapshot");
		return KC_TEST_SNAPSHOT_GO_ON;
	}
	if ((g->flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_TO_FILE) != 0)
		answer = snapshot_to_file(v);
	else
		answer = snapshot_and_replace(v);
	resume_vm(g);
	return answer;
}
