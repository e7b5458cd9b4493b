/* SPDX-License-Identifier: MIT */
/*
 * Several CPUs at once on the simulated machine (issue 14, "Concurrency").
 *
 * Three CPUs (threads, tests/lib/race_sched.c) share two verified VMs of
 * three vCPUs each. Each CPU plays the host: it runs vCPUs of either VM
 * (any of them, also one another CPU may be running or starting), donates
 * pages, injects interrupts, touches its own memory, and tries to choose
 * where a vCPU starts (VCPU_SET_ENTRY). The guests turn their siblings on
 * with PSCI CPU_ON, ask AFFINITY_INFO, share pages, exit for MMIO and WFI,
 * enroll in the MMIO guard (registering pages so that ranges start, join
 * and extend) and store to a page they never register.
 *
 * What must hold, whatever the interleaving:
 *  - every guest step runs at a PC inside the VM's verified image (boot
 *    integrity: no vCPU ever starts or resumes anywhere else);
 *  - a vCPU's first step finds the x0 its starter gave (0 for the boot vCPU,
 *    the guest's CPU_ON context for the others), and every later step finds
 *    the registers it left (x19: nobody reset or changed them);
 *  - every host call gets an answer the ABI allows for it;
 *  - once a VM is enrolled in the MMIO guard, no run of it exits for MMIO
 *    at the page no guest registers (UNGUARDED_IPA);
 *  - kcore_check_invariants finds nothing, after every completed operation
 *    (at the first point where no CPU holds or waits for a lock) and at
 *    the end.
 *
 * Scheduled mode switches CPUs at lock boundaries and guest steps, the seed
 * choosing when and to whom: a seed is one interleaving, replayable
 * (./test_race --replay W SEED runs workload W under seed SEED and prints
 * what it found). The first-run race of issue 14 (point 4) is put back by
 * linking the run loop compiled with KCORE_PUT_BACK_FIRST_RUN_RACE as
 * vcpu_run_racy: the harness must find it (--replay-racy W SEED replays
 * with it; 3 of the first 100 interleavings find it). Free mode (--free N)
 * runs real threads for ThreadSanitizer (tests/scripts/race_tsan.sh).
 */
#include <kcore/psci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/run/run.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/race_sched.h"

/* core/run/run.c with issue 14's first-run race put back (see the Makefile). */
int vcpu_run_racy(u64 vmid, u64 vcpuid, u64 run_pa, u64 *reason);

#define NR_CPUS	      3u
#define NR_VMS	      2u
#define NR_VCPUS      3u
#define OPS_PER_CPU   8u
#define PAYLOAD_BYTES 8192u
#define RAM_SIZE      (4ull << 20)
#define DONATE_IPA    (FX_LOAD_IPA + (1ull << 20))
#define MMIO_IPA      0x09000000ull
#define UNGUARDED_IPA ((u64)0x09010000) /* MMIO no guest registers */
#define SECONDARY_PC  (FX_LOAD_IPA + 0x200)
#define HOST_ENTRY_PC (FX_LOAD_IPA + 0x800)

/* What each guest vCPU knows of itself; only the CPU running that vCPU touches it. */
struct guest_state {
	bool started;
	u64 steps;
};

static struct {
	int (*run)(u64 vmid, u64 vcpuid, u64 run_pa, u64 *reason);
	u32 vmid[NR_VMS];
	struct guest_state gs[KCORE_MAX_VMS + 1][NR_VCPUS];
	u64 guard_calls[KCORE_MAX_VMS + 1]; /* MMIO_GUARD calls each VM made (guard_page) */
	u64 run_pa[NR_CPUS];
	u64 spare_pa[NR_CPUS][OPS_PER_CPU];
	u64 workload_seed;
	bool verbose;
	pthread_mutex_t lock; /* the findings, written by any CPU */
	u32 nr_findings;
	char finding[256];
} h = {.lock = PTHREAD_MUTEX_INITIALIZER};

static u8 *signed_img;
static size_t signed_size;

static void finding(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void finding(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&h.lock);
	if (h.nr_findings++ == 0) {
		va_start(ap, fmt);
		vsnprintf(h.finding, sizeof(h.finding), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&h.lock);
}

static u64 mix(u64 x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The context a guest gives CPU_ON for vCPU v of vmid; the boot vCPU starts with x0 = 0. */
static u64 start_x0(u32 vmid, u32 vcpuid)
{
	return vcpuid == 0 ? 0 : 0xc0de0000ull + (u64)vmid * 16 + vcpuid;
}

static u64 secret(u32 vmid, u32 vcpuid)
{
	return 0x5ec2e7000000ull + (u64)vmid * 16 + vcpuid;
}

/* ---- the guests ---- */

/*
 * The page a VM's n-th MMIO_GUARD registers, whichever vCPU makes it: 0, 2,
 * 1, 3, 5, 4, ... (every third joins the two before it), 12 pages, again.
 */
static u64 guard_page(u32 vmid)
{
	static const u64 order[3] = {0, 2, 1};
	u64 n = __atomic_fetch_add(&h.guard_calls[vmid], 1, __ATOMIC_RELAXED) % 12;

	return MMIO_IPA + 4096 * (n / 3 * 3 + order[n % 3]);
}

static void guest(void *ctx, u32 vmid, u32 vcpuid, struct vcpu_regs *r, struct arch_exit *e)
{
	struct guest_state *g = &h.gs[vmid][vcpuid];
	u32 target = (vcpuid + 1) % NR_VCPUS;

	(void)ctx;
	if (r->pc < FX_LOAD_IPA || r->pc >= FX_LOAD_IPA + PAYLOAD_BYTES)
		finding("VM %u vCPU %u runs at PC %#" PRIx64 ", outside its verified image", vmid,
			vcpuid, r->pc);
	if (!g->started) {
		if (r->x[0] != start_x0(vmid, vcpuid))
			finding("VM %u vCPU %u started with x0 %#" PRIx64
				", its starter gave %#" PRIx64,
				vmid, vcpuid, r->x[0], start_x0(vmid, vcpuid));
		g->started = true;
	} else if (r->x[19] != secret(vmid, vcpuid)) {
		finding("VM %u vCPU %u: its registers changed between two steps (x19 %#" PRIx64 ")",
			vmid, vcpuid, r->x[19]);
	}
	r->x[19] = secret(vmid, vcpuid);
	/* The guest's code is a loop in its image: it never runs off the end. */
	if (r->pc < FX_LOAD_IPA || r->pc + 64 > FX_LOAD_IPA + PAYLOAD_BYTES)
		r->pc = FX_LOAD_IPA + 0x100;
	switch (g->steps++ % 5) {
	case 0:
		r->x[0] = PSCI_CPU_ON_64;
		r->x[1] = target;
		r->x[2] = SECONDARY_PC + 16 * (u64)target;
		r->x[3] = start_x0(vmid, target);
		r->pc += 4;
		e->kind = ARCH_EXIT_HVC;
		break;
	case 1:
		r->x[0] = PSCI_AFFINITY_INFO_64;
		r->x[1] = target;
		r->x[2] = 0;
		r->pc += 4;
		e->kind = ARCH_EXIT_HVC;
		break;
	case 2:
		/* Every other round at the page no guest registers: refused once enrolled. */
		r->x[2] = 0x1234;
		*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
					.ipa = (g->steps / 5) % 2 == 1 ? UNGUARDED_IPA : MMIO_IPA,
					.translation = true,
					.isv = true,
					.write = true,
					.size = 8,
					.rt = 2,
					.reg64 = true};
		break;
	case 3:
		/*
		 * Every other round, the first included: the MMIO guard (the first
		 * accepted call enrolls the VM), the VM's next page (guard_page):
		 * ranges start, join and extend while other CPUs register and fault
		 * (the checker sees no two touch).
		 */
		r->x[0] = (g->steps / 5) % 2 == 0 ? KVM_HYP_MMIO_GUARD : KC_GC_SHARE_PAGE;
		r->x[1] = r->x[0] == KVM_HYP_MMIO_GUARD ? guard_page(vmid)
							: DONATE_IPA + 4096 * (g->steps % 4);
		r->x[2] = 0;
		r->x[3] = 0;
		r->pc += 4;
		e->kind = ARCH_EXIT_HVC;
		break;
	default:
		e->kind = ARCH_EXIT_WFX;
		break;
	}
}

/* ---- the host, on each CPU ---- */

static int run_by_host_call(u64 vmid, u64 vcpuid, u64 run_pa, u64 *reason)
{
	return (int)fx_hc(KC_HC_VCPU_RUN, vmid, vcpuid, run_pa, 0, reason);
}

static bool one_of(s64 err, s64 a, s64 b, s64 c)
{
	return err == a || err == b || err == c;
}

static void host_op(u32 cpu, u32 i, u64 r)
{
	u32 vmid = h.vmid[(r >> 8) % NR_VMS];
	/* Mostly the boot vCPU, as a host runs it most: more CPUs meet on one vCPU. */
	u32 vcpu = (r >> 16) % 2 == 0 ? 0 : (u32)((r >> 17) % NR_VCPUS);
	u64 reason = 0, v = 0;
	s64 err;

	switch ((r >> 24) % 10) {
	default: { /* most often: run a vCPU, maybe one another CPU runs or starts */
		/* Enrolling is for good: enrolled before the run, refused during it. */
		bool enrolled =
		    __atomic_load_n(&vm_from_id(vmid)->mmio_guard.enrolled, __ATOMIC_ACQUIRE) != 0;
		const struct kcore_vcpu_run *rp = sim_ram_ptr(pa_init(h.run_pa[cpu]));

		err = h.run(vmid, vcpu, h.run_pa[cpu], &reason);
		if (!one_of(err, KCORE_OK, KCORE_E_STATE, KCORE_E_PERM))
			finding("CPU %u: VCPU_RUN(%u, %u) returned %" PRId64, cpu, vmid, vcpu, err);
		if (err == KCORE_OK && enrolled && reason == KC_EXIT_MMIO &&
		    rp->out.mmio.ipa == UNGUARDED_IPA)
			finding("VM %u, enrolled in the MMIO guard, exited for MMIO at %#" PRIx64
				", a page it never registered",
				vmid, (uint64_t)UNGUARDED_IPA);
		break;
	}
	case 5:
		err = fx_hc(KC_HC_VM_DONATE, vmid, DONATE_IPA + 4096 * ((r >> 32) % 4),
			    h.spare_pa[cpu][i], 4096, NULL);
		if (!one_of(err, KCORE_OK, KCORE_E_EXIST, KCORE_E_STATE))
			finding("CPU %u: VM_DONATE returned %" PRId64, cpu, err);
		break;
	case 6:
		/* The host choosing where a vCPU starts: only the boot vCPU, before any ran. */
		err = fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, vcpu, HOST_ENTRY_PC, start_x0(vmid, vcpu),
			    NULL);
		if (vcpu != 0 ? err != KCORE_E_PERM : !one_of(err, KCORE_OK, KCORE_E_STATE, 1))
			finding("CPU %u: VCPU_SET_ENTRY(%u, %u) returned %" PRId64, cpu, vmid, vcpu,
				err);
		break;
	case 7:
		err = fx_hc(KC_HC_VCPU_INJECT_IRQ, vmid, vcpu, 40, 0, NULL);
		if (!one_of(err, KCORE_OK, KCORE_E_STATE, 1))
			finding("CPU %u: VCPU_INJECT_IRQ returned %" PRId64, cpu, err);
		break;
	case 8:
		if (sim_host_access(ipa_init(h.spare_pa[cpu][i]), false, &v) == SIM_FAULT_UNHANDLED)
			finding("CPU %u: the host's access to its page %#" PRIx64 " went unhandled",
				cpu, h.spare_pa[cpu][i]);
		break;
	case 9:
		/* Now and then the host powers a VM off while the other CPUs use it. */
		if (i + 1 == OPS_PER_CPU) {
			err = fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL);
			if (!one_of(err, KCORE_OK, KCORE_E_BUSY, KCORE_E_STATE))
				finding("CPU %u: VM_POWEROFF returned %" PRId64, cpu, err);
		}
		break;
	}
}

static void cpu_main(u32 cpu, void *arg)
{
	(void)arg;
	for (u32 i = 0; i < OPS_PER_CPU; i++) {
		/* The host's program depends on the workload seed only, not on the interleaving. */
		host_op(cpu, i, mix(h.workload_seed * 64 + (u64)cpu * OPS_PER_CPU + i + 1));
		race_step_done();
	}
}

static void check_quiet(void *arg)
{
	u32 n;

	(void)arg;
	n = kcore_check_invariants();
	if (n != 0)
		finding("the invariant checker found %u violations", n);
}

/* ---- one run: a fresh machine, two VMs, the CPUs ---- */

static void boot_vm(u32 k)
{
	u64 vmid;

	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	for (u32 v = 0; v < NR_VCPUS; v++)
		assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, v, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, vmid, FX_LOAD_IPA, RAM_SIZE, 0, NULL), KCORE_OK);
	assert_int_equal(fx_load_image((u32)vmid, FX_LOAD_IPA, signed_img, signed_size, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_OK);
	h.vmid[k] = (u32)vmid;
}

static void setup_machine(void)
{
	static u8 payload[PAYLOAD_BYTES];

	fx_boot(NULL);
	if (signed_img == NULL) {
		memset(payload, 0x11, sizeof(payload));
		signed_img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &signed_size);
	}
	memset(h.gs, 0, sizeof(h.gs));
	memset(h.guard_calls, 0, sizeof(h.guard_calls));
	for (u32 k = 0; k < NR_VMS; k++)
		boot_vm(k);
	for (u32 c = 0; c < NR_CPUS; c++) {
		h.run_pa[c] = fx_host_page();
		memset(sim_ram_ptr(pa_init(h.run_pa[c])), 0, 4096);
		for (u32 i = 0; i < OPS_PER_CPU; i++)
			h.spare_pa[c][i] = fx_host_page();
	}
	sim_set_guest(guest, NULL);
	h.nr_findings = 0;
	h.finding[0] = '\0';
}

/* One interleaving (seed != 0) or one free-running round (seed 0, workload w). */
static u32 run_once(u64 workload, u64 seed, struct race_stats *stats)
{
	struct race_config cfg = {
	    .nr_cpus = NR_CPUS, .seed = seed, .cpu = cpu_main, .quiet = check_quiet};

	setup_machine();
	h.workload_seed = workload;
	race_run(&cfg, stats);
	check_quiet(NULL);
	return h.nr_findings;
}

/*
 * W workloads, S interleavings of each: returns the first (workload, seed)
 * with a finding in *w_found and *s_found (and true), or false.
 */
static bool explore(u64 workloads, u64 schedules, u64 *w_found, u64 *s_found)
{
	struct race_stats st, total = {0};

	for (u64 w = 1; w <= workloads; w++) {
		for (u64 s = 1; s <= schedules; s++) {
			u64 seed = w * 1000 + s;

			if (run_once(w, seed, &st) != 0) {
				*w_found = w;
				*s_found = seed;
				return true;
			}
			total.points += st.points;
			total.switches += st.switches;
			total.quiet += st.quiet;
		}
	}
	if (h.verbose)
		printf("race: %" PRIu64 " interleavings, %" PRIu64 " switch points, %" PRIu64
		       " switches, %" PRIu64 " invariant checks: nothing found\n",
		       workloads * schedules, total.points, total.switches, total.quiet);
	return false;
}

#define WORKLOADS 20u
#define SCHEDULES 10u

static void test_many_interleavings_find_nothing(void **state)
{
	u64 w = 0, s = 0;

	(void)state;
	h.run = run_by_host_call;
	if (explore(WORKLOADS, SCHEDULES, &w, &s))
		fail_msg("workload %" PRIu64 ", seed %" PRIu64 ": %s (replay: --replay %" PRIu64
			 " %" PRIu64 ")",
			 w, s, h.finding, w, s);
}

/* The same exploration with the unlocked first-run decision of issue 14 put back. */
static void test_finds_the_first_run_race_put_back(void **state)
{
	u64 w = 0, s = 0;

	(void)state;
	h.run = vcpu_run_racy;
	if (!explore(WORKLOADS, SCHEDULES, &w, &s))
		fail_msg("the harness did not find the first-run race in %u interleavings",
			 WORKLOADS * SCHEDULES);
	print_message("found at workload %" PRIu64 ", seed %" PRIu64 ": %s\n", w, s, h.finding);
	assert_non_null(strstr(h.finding, "outside its verified image"));
}

/* Real threads, the OS choosing: what ThreadSanitizer watches (race_tsan.sh: more rounds). */
static u32 free_rounds = 20;

static void test_free_running_threads(void **state)
{
	(void)state;
	h.run = run_by_host_call;
	for (u32 w = 1; w <= free_rounds; w++) {
		if (run_once(w, 0, NULL) != 0)
			fail_msg("free round %u: %s", w, h.finding);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_interleavings_find_nothing),
	    cmocka_unit_test(test_finds_the_first_run_race_put_back),
	    cmocka_unit_test(test_free_running_threads),
	};
	const struct CMUnitTest free_only[] = {
	    cmocka_unit_test(test_free_running_threads),
	};

	if (argc == 4 &&
	    (strcmp(argv[1], "--replay") == 0 || strcmp(argv[1], "--replay-racy") == 0)) {
		/* One interleaving again: --replay W SEED (--replay-racy: with the race put back).
		 */
		h.run = strcmp(argv[1], "--replay") == 0 ? run_by_host_call : vcpu_run_racy;
		if (run_once(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0), NULL) == 0)
			return 0;
		printf("%s\n", h.finding);
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "--free") == 0) {
		free_rounds = (u32)strtoul(argv[2], NULL, 0);
		return cmocka_run_group_tests(free_only, NULL, NULL);
	}
	if (argc == 3 && strcmp(argv[1], "--free-racy") == 0) {
		/* ThreadSanitizer's view of the bug: the unlocked read races with the first run. */
		h.run = vcpu_run_racy;
		for (u32 w = 1; w <= (u32)strtoul(argv[2], NULL, 0); w++)
			run_once(w, 0, NULL);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
